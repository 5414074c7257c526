/**
 * What users get from the embedded default: three versions published with kube9-release (one a
 * pre-release), served by `repo serve`, used by the real Helm 3 and Helm 4 clients.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { load, loadAll } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runRelease, type ServedRepository, serveRepository } from "../support/cli.js";
import { type KubeApiStandIn, startKubeApiStandIn } from "../support/kube-api-stand-in.js";
import { helmClients, repoRoot } from "../support/tools.js";

const VERSIONS = [
  { version: "0.9.0", appVersion: "0.9.0" },
  { version: "1.0.0", appVersion: "1.0.0" },
  { version: "1.1.0-rc.1", appVersion: "1.1.0-rc.1" },
];

interface IndexEntry {
  version: string;
  appVersion: string;
  digest: string;
  created: string;
  urls: string[];
}

let work: string;
let served: ServedRepository;
let cluster: KubeApiStandIn;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "kube9-helm-e2e-"));
  cpSync(join(repoRoot, "charts", "kube9-operator"), join(work, "chart"), { recursive: true });
  for (const { version, appVersion } of VERSIONS) {
    const run = runRelease(
      ["chart", "publish", "chart", "--repo", "repo", "--version", version, "--app-version", appVersion],
      {
        cwd: work,
        env: { SOURCE_DATE_EPOCH: "1700000000" },
      },
    );
    expect(run.stderr + run.stdout).toContain(version);
    expect(run.status).toBe(0);
  }
  served = await serveRepository("repo", work);
  cluster = await startKubeApiStandIn();
  cluster.writeKubeconfig(join(work, "kubeconfig"), "kube9");
});

afterAll(async () => {
  await served?.stop();
  await cluster?.close();
  rmSync(work, { recursive: true, force: true });
});

function index(): Record<string, IndexEntry[]> {
  const parsed = load(readFileSync(join(work, "repo", "index.yaml"), "utf8")) as {
    entries: Record<string, IndexEntry[]>;
  };
  return parsed.entries;
}

describe.each(helmClients())("$label against repo serve", ({ label, path }) => {
  const home = () => join(work, label);
  // Asynchronous: the Kubernetes API stand-in answers from this same process.
  const helm = async (...args: string[]): Promise<string> =>
    (
      await promisify(execFile)(path, args, {
        cwd: work,
        encoding: "utf8",
        env: {
          ...process.env,
          HELM_CACHE_HOME: join(home(), "cache"),
          HELM_CONFIG_HOME: join(home(), "config"),
          HELM_DATA_HOME: join(home(), "data"),
          KUBECONFIG: join(work, "kubeconfig"),
        },
      })
    ).stdout;

  it("adds and updates the repository", async () => {
    expect(await helm("repo", "add", "kube9", served.url)).toContain('"kube9" has been added');
    expect(await helm("repo", "update", "kube9")).toMatch(/Successfully got an update from the "kube9"/);
  });

  it("lists every version newest first with its app version, and defaults to the newest stable one", async () => {
    const all = JSON.parse(
      await helm("search", "repo", "kube9/kube9-operator", "--versions", "--devel", "-o", "json"),
    ) as Array<{
      name: string;
      version: string;
      app_version: string;
    }>;
    expect(all.map((row) => [row.version, row.app_version])).toEqual(
      [...VERSIONS].reverse().map(({ version, appVersion }) => [version, appVersion]),
    );
    const defaultRow = JSON.parse(
      await helm("search", "repo", "kube9/kube9-operator", "-o", "json"),
    ) as Array<{ version: string }>;
    expect(defaultRow.map((row) => row.version)).toEqual(["1.0.0"]);
    const stable = JSON.parse(
      await helm("search", "repo", "kube9/kube9-operator", "--versions", "-o", "json"),
    ) as Array<{ version: string }>;
    expect(stable.map((row) => row.version)).toEqual(["1.0.0", "0.9.0"]);
  });

  it.each(VERSIONS.map((v) => v.version))("pulls %s with the digest the index claims", async (version) => {
    const dest = join(home(), "pull", version);
    mkdirSync(dest, { recursive: true });
    await helm("pull", "kube9/kube9-operator", "--version", version, "--destination", dest);
    const files = readdirSync(dest);
    expect(files).toEqual([`kube9-operator-${version}.tgz`]);
    const digest = createHash("sha256")
      .update(readFileSync(join(dest, files[0] as string)))
      .digest("hex");
    const entry = index()["kube9-operator"]?.find((candidate) => candidate.version === version);
    expect(entry?.digest).toBe(digest);
  });

  it("renders and dry-run installs the pulled chart", async () => {
    const archive = join(home(), "pull", "1.0.0", "kube9-operator-1.0.0.tgz");
    const rendered = loadAll(
      await helm("template", "kube9-operator", archive, "--namespace", "kube9"),
    ) as Array<{
      kind: string;
      spec?: { template?: { spec?: { containers?: Array<{ image: string }> } } };
    }>;
    const deployment = rendered.find((doc) => doc?.kind === "Deployment");
    expect(deployment?.spec?.template?.spec?.containers?.[0]?.image).toBe(
      "ghcr.io/alto9/kube9-operator:1.0.0",
    );
    // Helm 3 checks that a cluster is reachable even for a client-side dry run (the stand-in
    // answers), and would download the cluster's OpenAPI schema, which the stand-in does not serve.
    const installed = await helm(
      "install",
      "kube9-operator",
      "kube9/kube9-operator",
      "--dry-run=client",
      "--disable-openapi-validation",
      "--namespace",
      "kube9",
    );
    expect(installed).toContain("NAME: kube9-operator");
    expect(installed).toContain("ghcr.io/alto9/kube9-operator:1.0.0");
  });
});

describe("the published repository", () => {
  it("keeps every version and its created time when a version is published again", () => {
    const before = index()["kube9-operator"] ?? [];
    const again = runRelease(
      [
        "chart",
        "publish",
        "chart",
        "--repo",
        "repo",
        "--version",
        "1.0.0",
        "--app-version",
        "1.0.0",
        "--json",
      ],
      {
        cwd: work,
        env: { SOURCE_DATE_EPOCH: "1700000000" },
      },
    );
    expect(again.status).toBe(0);
    expect((JSON.parse(again.stdout) as { result: { index: string } }).result.index).toBe("unchanged");
    expect(index()["kube9-operator"]).toEqual(before);
  });

  it("verifies through the served URL with repo verify", () => {
    const verified = runRelease(
      [
        "repo",
        "verify",
        "--url",
        served.url,
        "--chart",
        "kube9-operator",
        "--version",
        "1.1.0-rc.1",
        "--json",
      ],
      {
        cwd: work,
      },
    );
    expect(verified.stderr).not.toContain("error");
    expect(verified.status).toBe(0);
    const result = JSON.parse(verified.stdout) as { version: string; digest: string };
    expect(result.version).toBe("1.1.0-rc.1");
    expect(result.digest).toBe(
      index()["kube9-operator"]?.find((entry) => entry.version === "1.1.0-rc.1")?.digest,
    );
  });

  it("fails verify for a version that is not published, naming the listed ones", () => {
    const missing = runRelease(["repo", "verify", "--url", served.url, "--version", "2.0.0"], { cwd: work });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("kube9-operator 2.0.0 is not listed");
    expect(missing.stderr).toContain("1.1.0-rc.1, 1.0.0, 0.9.0");
  });
});
