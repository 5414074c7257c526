/**
 * Our packaging against `helm package`, for Helm 3 and Helm 4, on a fixture chart with a
 * .helmignore, a subchart directory under charts/, nested templates, a values schema and a path
 * longer than 100 bytes: same members, same file contents, the same Chart.yaml data; and Helm
 * itself lints, renders and shows our archive exactly as it shows its own.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import yaml from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadChartDir } from "../../release/src/chart/load-chart-dir.js";
import { packageChart } from "../../release/src/chart/package-chart.js";
import { readChartArchive } from "../../release/src/chart/read-chart-archive.js";
import { readTgz } from "../../release/test/chart/helpers.js";
import { helmClients, repoRoot } from "../support/tools.js";

const FIXTURE = join(repoRoot, "release", "test", "testdata", "charts", "with-subchart");
const EPOCH = 1_700_000_000;

let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "kube9-vs-helm-"));
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs helm with its config, cache and data homes inside the test's directory. */
function helm(binary: string, label: string, args: string[]): Run {
  const home = join(work, `${label}-home`);
  const result = spawnSync(binary, args, {
    encoding: "utf8",
    env: {
      PATH: process.env.PATH ?? "",
      HOME: home,
      HELM_CACHE_HOME: join(home, "cache"),
      HELM_CONFIG_HOME: join(home, "config"),
      HELM_DATA_HOME: join(home, "data"),
    },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function succeeded(run: Run): Run {
  expect(run.stderr + run.stdout, `helm failed:\n${run.stderr}`).not.toMatch(/^Error/m);
  expect(run.status).toBe(0);
  return run;
}

/** `helm package` of the fixture, and our archive of it, written side by side. */
async function bothArchives(
  binary: string,
  label: string,
  overrides: { version?: string; appVersion?: string } = {},
): Promise<{ helmPath: string; oursPath: string; helmBytes: Buffer; oursBytes: Uint8Array }> {
  const tag = `${label}-${overrides.version ?? "plain"}`;
  const helmDir = join(work, tag, "helm");
  const oursDir = join(work, tag, "ours");
  mkdirSync(helmDir, { recursive: true });
  mkdirSync(oursDir, { recursive: true });
  const flags = [
    ...(overrides.version === undefined ? [] : ["--version", overrides.version]),
    ...(overrides.appVersion === undefined ? [] : ["--app-version", overrides.appVersion]),
  ];
  const packaged = succeeded(helm(binary, label, ["package", FIXTURE, "--destination", helmDir, ...flags]));
  const helmPath = packaged.stdout.trim().split(": ").at(-1) ?? "";
  const ours = packageChart(await loadChartDir(FIXTURE), { sourceDateEpoch: EPOCH, ...overrides });
  const oursPath = join(oursDir, ours.fileName);
  writeFileSync(oursPath, ours.bytes);
  return { helmPath, oursPath, helmBytes: readFileSync(helmPath), oursBytes: ours.bytes };
}

async function membersOf(bytes: Uint8Array): Promise<Map<string, Buffer>> {
  const entries = await readTgz(bytes);
  return new Map(entries.filter((entry) => entry.type === "file").map((entry) => [entry.name, entry.data]));
}

const clients = helmClients().map(({ label, path }) => [label, path] as const);

describe.each(clients)("%s and our archive", (label, binary) => {
  it("have the same name, members and contents; Chart.yaml files hold the same data", async () => {
    const { helmPath, oursPath, helmBytes, oursBytes } = await bothArchives(binary, label);
    expect(basename(oursPath)).toBe(basename(helmPath));
    const theirs = await membersOf(helmBytes);
    const ours = await membersOf(oursBytes);
    expect([...ours.keys()].sort()).toEqual([...theirs.keys()].sort());
    expect(ours.size).toBe(15);
    for (const [name, data] of ours) {
      const expected = theirs.get(name) as Buffer;
      if (basename(name) === "Chart.yaml") {
        expect(yaml.load(data.toString("utf8")), name).toEqual(yaml.load(expected.toString("utf8")));
      } else {
        expect(data.equals(expected), `${name} differs`).toBe(true);
      }
    }
  });

  it("carry --version and --app-version into Chart.yaml alike", async () => {
    const overrides = { version: "0.4.0-rc.1", appVersion: "2.0.0" };
    const { helmPath, oursPath, helmBytes, oursBytes } = await bothArchives(binary, label, overrides);
    expect(basename(oursPath)).toBe("fixture-app-0.4.0-rc.1.tgz");
    expect(basename(helmPath)).toBe(basename(oursPath));
    const theirs = (await membersOf(helmBytes)).get("fixture-app/Chart.yaml")?.toString("utf8") ?? "";
    const ours = (await membersOf(oursBytes)).get("fixture-app/Chart.yaml")?.toString("utf8") ?? "";
    expect(yaml.load(ours)).toEqual(yaml.load(theirs));
    expect(yaml.load(ours)).toMatchObject({ version: "0.4.0-rc.1", appVersion: "2.0.0" });
  });

  it("shows the same chart metadata and values through helm show", async () => {
    const { helmPath, oursPath } = await bothArchives(binary, label);
    for (const what of ["chart", "values"]) {
      const fromOurs = succeeded(helm(binary, label, ["show", what, oursPath])).stdout;
      const fromHelm = succeeded(helm(binary, label, ["show", what, helmPath])).stdout;
      expect(fromOurs, `helm show ${what}`).toBe(fromHelm);
    }
  });

  it("lints and renders our archive", async () => {
    const { oursPath } = await bothArchives(binary, label);
    const lint = succeeded(helm(binary, label, ["lint", "--strict", oursPath]));
    expect(lint.stdout).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    const rendered = succeeded(helm(binary, label, ["template", "rel", oursPath])).stdout;
    const documents = yaml.loadAll(rendered).filter((doc) => doc !== null) as Array<{
      kind: string;
      metadata: { name: string; labels?: Record<string, string> };
      data?: Record<string, string>;
    }>;
    expect(documents.map((doc) => `${doc.kind}/${doc.metadata.name}`).sort()).toEqual([
      "ConfigMap/rel-fixture-app",
      "Deployment/rel-fixture-app",
      "Service/rel-backend",
      "Service/rel-fixture-app",
    ]);
    const configMap = documents.find((doc) => doc.kind === "ConfigMap");
    expect(configMap?.metadata.labels).toMatchObject({
      "app.kubernetes.io/version": "1.10",
      "helm.sh/chart": "fixture-app-0.3.1",
    });
    expect(configMap?.data).toEqual({ message: "hello", "config.txt": "key=value\n" });
  });

  it("enforces the values schema in our archive", async () => {
    const { oursPath } = await bothArchives(binary, label);
    const run = helm(binary, label, ["template", "rel", oursPath, "--set", "replicaCount=-1"]);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/replicaCount/);
  });

  it("is accepted by readChartArchive when helm made it", async () => {
    const { helmPath, helmBytes } = await bothArchives(binary, label);
    const read = await readChartArchive(helmBytes, helmPath);
    expect(read.metadata).toEqual((await loadChartDir(FIXTURE)).metadata);
  });
});
