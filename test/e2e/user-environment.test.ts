/**
 * Every command of the README's command table, run as a user runs it: the linked
 * `kube9-release` on PATH, from a fresh folder outside any git repository, with PATH and a fresh
 * HOME only (test/support/user-environment.ts). No SOURCE_DATE_EPOCH: archives of a chart outside
 * git get the documented 1970-01-01 file times. Only the S3 publish adds AWS_* variables, the way
 * its documentation tells users to give credentials. The stand-ins: `repo serve` for the chart
 * repository, the distribution registry for images, versitygw for S3.
 */
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { PutBucketVersioningCommand } from "@aws-sdk/client-s3";
import { load } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listen } from "../support/net.js";
import { debian12Root, writeOciLayout, writeReleaseLayout } from "../support/oci-layout.js";
import { startRegistry, type TestRegistry } from "../support/registry.js";
import { repoRoot, toolPath } from "../support/tools.js";
import { buildTestVulnDb, trivyPath } from "../support/trivy.js";
import {
  linkedBin,
  requireLinkedBin,
  serveAsUser,
  type UserEnvironment,
  userEnvironment,
} from "../support/user-environment.js";
import {
  type S3StandIn,
  startVersitygw,
  TEST_ACCESS_KEY,
  TEST_REGION,
  TEST_SECRET_KEY,
} from "../support/versitygw.js";
import { layer, Pusher } from "./image-push.js";

const CHART = "kube9-operator";
const chartYaml = load(readFileSync(join(repoRoot, "charts", CHART, "Chart.yaml"), "utf8")) as {
  version: string;
  appVersion: string;
};
const REVISION = "0123456789abcdef0123456789abcdef01234567";
const BASE = "1.0.0";
const IMAGE = "alto9/kube9-operator";

let user: UserEnvironment;
/** `group command` of every run, to check the README's command table is covered. */
const ran = new Set<string>();

/** The commands of the README's command table: `group command` of each row's first cell. */
function readmeCommands(): string[] {
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
  return [...readme.matchAll(/^\| `([a-z]+) ([a-z]+)[ `]/gm)].map((row) => `${row[1]} ${row[2]}`);
}

function versionsIn(indexPath: string): string[] {
  const index = load(readFileSync(indexPath, "utf8")) as {
    entries: Record<string, Array<{ version: string }>>;
  };
  return (index.entries[CHART] ?? []).map((entry) => entry.version);
}

beforeAll(() => {
  const plain = userEnvironment("commands");
  user = {
    ...plain,
    run: (args, options) => {
      ran.add(args.slice(0, 2).join(" "));
      return plain.run(args, options);
    },
    start: (args) => {
      ran.add(args.slice(0, 2).join(" "));
      return plain.start(args);
    },
  };
  // The user's own copy of the chart, outside any git repository.
  cpSync(join(repoRoot, "charts", CHART), join(user.cwd, CHART), { recursive: true });
});

afterAll(() => {
  user?.cleanup();
});

describe("npm run setup links the command", () => {
  it("node_modules/.bin/kube9-release is the workspace's CLI, and runs from PATH", async () => {
    requireLinkedBin();
    const run = await user.run(["--tool-version"]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const releasePackage = JSON.parse(readFileSync(join(repoRoot, "release", "package.json"), "utf8")) as {
      version: string;
    };
    expect(run.stdout.trim()).toBe(releasePackage.version);
    expect(linkedBin.startsWith(repoRoot)).toBe(true);
  });

  it("npx kube9-release in the clone runs the link and asks no registry for that name", async () => {
    // A user-level .npmrc in the fresh HOME points npm at a recording registry on 127.0.0.1: any
    // request for kube9-release would land here instead of a public registry.
    const requests: string[] = [];
    const trap: Server = createServer((request, response) => {
      requests.push(request.url ?? "");
      response.statusCode = 404;
      response.end("{}");
    });
    const registry = `http://127.0.0.1:${await listen(trap)}/`;
    writeFileSync(join(user.home, ".npmrc"), `registry=${registry}\nupdate-notifier=false\n`);
    try {
      const run = await user.exec("npx", ["kube9-release", "--tool-version"], { cwd: repoRoot });
      expect(run.stderr).toBe("");
      expect(run.status).toBe(0);
      expect(requests.filter((url) => url.includes("kube9-release"))).toEqual([]);
      // The trap works: a name that is not linked does reach it (this is what an unlinked
      // kube9-release did, through the public registry).
      const missing = await user.exec("npx", ["--no-install", "kube9-release-not-linked", "--help"], {
        cwd: repoRoot,
      });
      expect(missing.status).not.toBe(0);
      expect(requests.some((url) => url.includes("kube9-release-not-linked"))).toBe(true);
    } finally {
      rmSync(join(user.home, ".npmrc"), { force: true });
      await new Promise((resolve) => trap.close(resolve));
    }
  });
});

describe("chart package, chart publish (directory and .tgz), repo serve, repo verify, repo reindex", () => {
  it("chart package writes a reproducible archive with 1970 file times outside git", async () => {
    const first = await user.run(["chart", "package", CHART, "--out", "dist", "--json"]);
    expect(first.stderr).toBe("");
    expect(first.status).toBe(0);
    const result = JSON.parse(first.stdout) as { path: string; digest: string; sourceDateEpochFrom: string };
    expect(result.path).toBe(join(user.cwd, "dist", `${CHART}-${chartYaml.version}.tgz`));
    expect(result.sourceDateEpochFrom).toBe("default");
    const again = await user.run(["chart", "package", CHART, "--out", "dist-again", "--json"]);
    expect((JSON.parse(again.stdout) as { digest: string }).digest).toBe(result.digest);
  });

  it("chart publish of the chart directory writes chart-repo/ (the embedded default)", async () => {
    // Chart.yaml holds the development version 0.0.0, which helm search hides: publish as a release does.
    const run = await user.run(["chart", "publish", CHART, "--version", BASE, "--app-version", BASE]);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`${CHART} ${BASE} published in`);
    expect(versionsIn(join(user.cwd, "chart-repo", "index.yaml"))).toEqual([BASE]);
  });

  it("chart publish of a packaged .tgz needs no SOURCE_DATE_EPOCH and no git", async () => {
    const pack = await user.run(["chart", "package", CHART, "--version", "9.1.0", "--out", "dist"]);
    expect(pack.status).toBe(0);
    const run = await user.run(["chart", "publish", join("dist", `${CHART}-9.1.0.tgz`)]);
    expect(run.stderr).not.toContain("internal error");
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`${CHART} 9.1.0 published in`);
    expect(versionsIn(join(user.cwd, "chart-repo", "index.yaml"))).toEqual(["9.1.0", BASE]);
  });

  it("repo serve serves chart-repo/ to helm repo add; repo verify checks it; repo reindex rebuilds it", async () => {
    const served = await serveAsUser(user, "chart-repo");
    try {
      const helm = toolPath("helm3");
      const add = await user.exec(helm, ["repo", "add", "kube9", served.url]);
      expect(add.stderr).toBe("");
      expect(add.stdout).toContain('"kube9" has been added');
      const search = await user.exec(helm, ["search", "repo", "kube9", "--versions", "-o", "json"]);
      expect((JSON.parse(search.stdout) as Array<{ version: string }>).map((row) => row.version)).toEqual([
        "9.1.0",
        BASE,
      ]);

      const verify = await user.run(["repo", "verify", "--url", served.url, "--version", "9.1.0"]);
      expect(verify.status).toBe(0);
      expect(verify.stdout).toContain(`OK ${CHART} 9.1.0`);

      // A lost index: reindex rebuilds it from the archives, and Helm sees both versions again.
      const indexPath = join(user.cwd, "chart-repo", "index.yaml");
      rmSync(indexPath);
      const reindex = await user.run(["repo", "reindex"]);
      expect(reindex.status).toBe(0);
      expect(reindex.stdout).toContain(`+ ${CHART} 9.1.0`);
      expect(versionsIn(indexPath)).toEqual(["9.1.0", BASE]);
      const again = await user.run(["repo", "verify", "--url", served.url, "--version", BASE]);
      expect(again.status).toBe(0);
    } finally {
      await served.stop();
    }
  });
});

describe("image tags, labels, verify, wait and build", () => {
  let registry: TestRegistry;

  beforeAll(async () => {
    registry = await startRegistry();
    const pusher = new Pusher(registry, IMAGE);
    const labels = {
      "org.opencontainers.image.version": "1.2.3",
      "org.opencontainers.image.revision": REVISION,
      "org.opencontainers.image.source": "https://github.com/alto9/kube9-operator",
    };
    const platforms = [];
    for (const architecture of ["amd64", "arm64"]) {
      platforms.push(
        await pusher.image({ os: "linux", architecture, labels, layers: [layer(architecture)] }),
      );
    }
    await pusher.index("v1.2.3", platforms);
    await pusher.index("1.2.3", platforms);
  });

  afterAll(async () => {
    await registry?.stop();
  });

  it("image push: a built layout pushed byte for byte with the documented credentials, then verified", async () => {
    const layout = await writeReleaseLayout(join(user.cwd, "push-layout"), "2.0.0");
    const credentials = {
      KUBE9_REGISTRY_USERNAME: registry.pusher.username,
      KUBE9_REGISTRY_PASSWORD: registry.pusher.password,
    };
    const push = await user.run(
      [
        "image",
        "push",
        "push-layout",
        "v2.0.0",
        "--to",
        `${registry.host}/${IMAGE}`,
        "--digest",
        layout.digest,
      ],
      { extraEnv: credentials },
    );
    expect(push.stderr).not.toContain("internal error");
    expect(push.status).toBe(0);
    const wait = await user.run(["image", "wait", `${registry.host}/${IMAGE}:2.0.0`, "--timeout", "1m30s"]);
    expect(wait.status).toBe(0);
    const anonymous = await user.run([
      "image",
      "push",
      "push-layout",
      "v2.0.1",
      "--to",
      `${registry.host}/${IMAGE}`,
    ]);
    expect(anonymous.status).toBe(1);
    expect(anonymous.stderr).not.toContain("internal error");
  });

  it("image tags: the floating tags of the highest stable version, from --existing or the registry", async () => {
    const offline = await user.run(["image", "tags", "v1.3.0", "--existing", "v1.2.3", "1.2.3", "--json"]);
    expect(offline.status).toBe(0);
    expect((JSON.parse(offline.stdout) as { tags: string[] }).tags).toEqual(
      expect.arrayContaining(["v1.3.0", "1.3.0", "1.3", "1", "latest"]),
    );
    const fromRegistry = await user.run([
      "image",
      "tags",
      "v1.2.2",
      "--image",
      `${registry.host}/${IMAGE}`,
      "--json",
    ]);
    expect(fromRegistry.status).toBe(0);
    expect((JSON.parse(fromRegistry.stdout) as { tags: string[] }).tags).not.toContain("latest");
  });

  it("image labels: the OCI labels with created in canonical UTC", async () => {
    const run = await user.run([
      "image",
      "labels",
      "v1.2.3",
      "--revision",
      REVISION,
      "--created",
      "2026-03-04T06:07:08+01:00",
      "--source",
      "https://github.com/alto9/kube9-operator",
    ]);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("org.opencontainers.image.created=2026-03-04T05:07:08Z");
    expect(run.stdout).toContain(`org.opencontainers.image.revision=${REVISION}`);
  });

  it("image verify reads the image anonymously and checks platforms, labels and size", async () => {
    const run = await user.run([
      "image",
      "verify",
      `${registry.host}/${IMAGE}:v1.2.3`,
      "--max-size",
      "1MB",
      "--version",
      "v1.2.3",
      "--revision",
      REVISION,
    ]);
    expect(run.stderr).not.toContain("error");
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`OK ${registry.host}/${IMAGE}:v1.2.3`);
  });

  it("image wait takes --timeout in plain seconds, like every duration option", async () => {
    const run = await user.run(["image", "wait", `${registry.host}/${IMAGE}:1.2.3`, "--timeout", "90"]);
    expect(run.stderr).not.toContain("is not a duration");
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`OK ${registry.host}/${IMAGE}:1.2.3 exists`);
  });

  it("image build: --help, and outside git it asks for --revision and --created before building anything", async () => {
    const help = await user.run(["image", "build", "--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("--push");
    const noDockerfile = await user.run(["image", "build", "v1.2.3"]);
    expect(noDockerfile.status).toBe(2);
    expect(noDockerfile.stderr).toContain(`no Dockerfile at ${join(user.cwd, "Dockerfile")}`);
    cpSync(join(repoRoot, "Dockerfile"), join(user.cwd, "Dockerfile"));
    try {
      const noGit = await user.run(["image", "build", "v1.2.3"]);
      expect(noGit.status).toBe(2);
      expect(noGit.stderr).toContain("pass --revision <sha> and --created <time>");
      expect(noGit.stderr).not.toContain("internal error");
    } finally {
      rmSync(join(user.cwd, "Dockerfile"));
    }
  });
});

describe("image scan", () => {
  it("scans each platform of an OCI layout with Trivy: a CRITICAL advisory fails it, SARIF per platform", async () => {
    const libc6 = "2.36-9+deb12u14";
    await writeOciLayout(join(user.cwd, "layout"), "1.2.3", [
      { platform: "linux/amd64", files: debian12Root("amd64", libc6) },
      { platform: "linux/arm64", files: debian12Root("arm64", libc6) },
    ]);
    // Trivy's own database comes from a registry this machine cannot reach: a local one, as
    // `--cache-dir` with `--offline` (both documented) take it.
    const critical = buildTestVulnDb(join(user.home, "db-critical"), [
      {
        id: "CVE-2099-0001",
        source: "debian 12",
        package: "glibc",
        severity: "CRITICAL",
        fixedVersion: "2.36-9+deb12u99",
      },
    ]);
    const clean = buildTestVulnDb(join(user.home, "db-clean"), []);
    const scan = (cacheDir: string, sarifDir: string) =>
      user.run([
        "image",
        "scan",
        "layout",
        "--trivy",
        trivyPath(),
        "--cache-dir",
        cacheDir,
        "--offline",
        "--sarif-dir",
        sarifDir,
      ]);
    const passed = await scan(clean, "sarif-clean");
    expect(passed.stderr).not.toContain("internal error");
    expect(passed.status).toBe(0);
    const failed = await scan(critical, "sarif");
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain("CRITICAL CVE-2099-0001 in libc6");
    expect(readdirSync(join(user.cwd, "sarif")).sort()).toEqual(["linux-amd64.sarif", "linux-arm64.sarif"]);
  });
});

describe("chart publish to s3://, repo rollback, release check and release rehearse", () => {
  let s3: S3StandIn;

  beforeAll(async () => {
    s3 = await startVersitygw({ versioning: true });
    await s3.createBucket("charts");
    // A versioned bucket, as the infrastructure stack makes it: repo rollback reads the history.
    await s3
      .client()
      .send(
        new PutBucketVersioningCommand({ Bucket: "charts", VersioningConfiguration: { Status: "Enabled" } }),
      );
  });

  afterAll(async () => {
    await s3?.stop();
  });

  it("publishes the packaged chart into s3://bucket/prefix with credentials from the AWS environment", async () => {
    const s3Flags = ["--endpoint", s3.endpoint, "--path-style"];
    const credentials = {
      AWS_ACCESS_KEY_ID: TEST_ACCESS_KEY,
      AWS_SECRET_ACCESS_KEY: TEST_SECRET_KEY,
      AWS_REGION: TEST_REGION,
    };
    const archive = join("dist", `${CHART}-9.1.0.tgz`);
    const run = await user.run(["chart", "publish", archive, "--repo", "s3://charts/stable", ...s3Flags], {
      extraEnv: credentials,
    });
    expect(run.stderr).not.toContain("internal error");
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`${CHART} 9.1.0 published in s3://charts/stable`);
    const again = await user.run(
      ["repo", "reindex", "--repo", "s3://charts/stable", "--dry-run", ...s3Flags],
      { extraEnv: credentials },
    );
    expect(again.status).toBe(0);
    expect(again.stdout).toContain("1 version(s) kept");

    // A second release, then rolled back: index.yaml as it was, the archives kept.
    const pack = await user.run(["chart", "package", CHART, "--version", "9.2.0", "--out", "dist"]);
    expect(pack.status).toBe(0);
    const second = await user.run(
      ["chart", "publish", join("dist", `${CHART}-9.2.0.tgz`), "--repo", "s3://charts/stable", ...s3Flags],
      { extraEnv: credentials },
    );
    expect(second.status).toBe(0);
    const rollback = await user.run(
      ["repo", "rollback", "--repo", "s3://charts/stable", ...s3Flags, "--json"],
      {
        extraEnv: credentials,
      },
    );
    expect(rollback.stderr).not.toContain("internal error");
    expect(rollback.status).toBe(0);
    expect((JSON.parse(rollback.stdout) as { plan: { removed: string[] } }).plan.removed).toEqual([
      `${CHART} 9.2.0`,
    ]);
  });

  it("release check: the chart as the tag will publish it, version, appVersion and default image tag agreeing", async () => {
    const run = await user.run(["release", "check", "v1.2.3", "--chart", CHART]);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("OK v1.2.3");
    const noV = await user.run(["release", "check", "1.2.3", "--chart", CHART]);
    expect(noV.status).toBe(2);
  });
});

describe("release rehearse", () => {
  it("--help, and outside a clone it says to run inside the repository before starting anything", async () => {
    // The full rehearsal (buildah builds of both platforms, every stand-in) is
    // test/e2e/release-rehearsal.test.ts; here: what a user meets running it from elsewhere.
    const help = await user.run(["release", "rehearse", "--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("--workflow");
    const outside = await user.run(["release", "rehearse", "v1.2.3"]);
    expect(outside.status).toBe(2);
    expect(outside.stderr).toContain("is not inside a git repository");
    expect(outside.stderr).toContain("fix: run the rehearsal inside the kube9-operator repository");
  });
});

describe("image sbom and image sign", () => {
  it("image sbom writes one SPDX document per platform of a layout, from the image's files", async () => {
    await writeOciLayout(join(user.cwd, "sbom-layout"), "1.2.3", [
      { platform: "linux/amd64", files: debian12Root("amd64", "2.36-9+deb12u14") },
      { platform: "linux/arm64", files: debian12Root("arm64", "2.36-9+deb12u14") },
    ]);
    const run = await user.run([
      ...["image", "sbom", "sbom-layout", "--out", "sboms"],
      ...["--created", "2026-12-04T00:00:00Z", "--json"],
    ]);
    expect(run.stderr).not.toContain("internal error");
    expect(run.status).toBe(0);
    expect(readdirSync(join(user.cwd, "sboms")).sort()).toEqual([
      "sbom-linux-amd64.spdx.json",
      "sbom-linux-arm64.spdx.json",
    ]);
    const document = JSON.parse(readFileSync(join(user.cwd, "sboms", "sbom-linux-amd64.spdx.json"), "utf8"));
    expect(document.spdxVersion).toBe("SPDX-2.3");
    expect(document.creationInfo.created).toBe("2026-12-04T00:00:00Z");
  });

  it("image sign: keyless outside GitHub Actions is refused with the way to sign", async () => {
    // The signing itself (cosign, a key, the registry) is test/e2e/image-sign.test.ts; here: what a
    // user meets running it on a workstation without --key.
    const help = await user.run(["image", "sign", "--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("--sbom-dir");
    const run = await user.run([
      ...["image", "sign", `127.0.0.1:5000/${IMAGE}@sha256:${"a".repeat(64)}`, "--sbom-dir", "sboms"],
    ]);
    expect(run.stderr).not.toContain("internal error");
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("keyless signing needs GitHub Actions' OIDC token");
    expect(run.stderr).toContain("fix: give --key <cosign.key>");
  });
});

describe("the README's command table", () => {
  it("has every command run above (add a test here when a row is added)", () => {
    const table = readmeCommands();
    expect(table.length).toBeGreaterThanOrEqual(11);
    expect(table.filter((command) => !ran.has(command))).toEqual([]);
  });
});
