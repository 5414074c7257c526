/**
 * The release workflows themselves, rehearsed end to end (`kube9-release release rehearse`): the
 * jobs of release.yml and the two workflows it calls run step by step against the local
 * stand-ins of ghcr.io, S3 and CloudFront, from a clone of this repository with release tags.
 * One cloud lives through the whole file, so that each release meets what the earlier ones
 * published. Each fault stops the release at its stage with the registry and what users see of
 * the repository unchanged, and a re-run once the fault is gone completes the release.
 * Base images come from a separate mirror registry (the Dockerfile's public bases cannot be
 * reached here); Trivy scans with a database built by the test.
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { promisify } from "node:util";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseImageReference } from "../../release/src/image/reference.js";
import { RegistryClient } from "../../release/src/image/registry-client.js";
import type { RehearsalCloud } from "../../release/src/rehearse/cloud.js";
import { type RehearsableWorkflow, type Rehearsal, rehearse } from "../../release/src/rehearse/rehearse.js";
import { checkUserView } from "../../release/src/rehearse/user-view.js";
import type { JobResult, WorkflowResult } from "../../release/src/rehearse/workflow/index.js";
import { cacheRoot, toolSpec } from "../../scripts/tool-paths.mjs";
import { type BaseImages, buildBaseImages } from "../support/base-images.js";
import { writeChangelogSection } from "../support/changelog.js";
import { type ControlPlane, startControlPlane } from "../support/control-plane.js";
import { shellBlocks } from "../support/doc-blocks.js";
import { startRegistry, type TestRegistry } from "../support/registry.js";
import { startPinnedRehearsalCloud } from "../support/rehearsal-cloud.js";
import { type S3FaultProxy, startS3FaultProxy } from "../support/s3-fault-proxy.js";
import { helmClients, repoRoot, toolPath } from "../support/tools.js";
import { buildTestVulnDb } from "../support/trivy.js";

const MINUTES = 60_000;
const exec = promisify(execFile);
/** The blocks of docs/releasing.md this file runs (marked `doc-test: test/e2e/release-rehearsal.test.ts`). */
const guideBlocks = shellBlocks(
  readFileSync(join(repoRoot, "docs", "releasing.md"), "utf8"),
  "docs/releasing.md",
).filter(
  (block) =>
    block.marker?.kind === "doc-test" && block.marker.runner === "test/e2e/release-rehearsal.test.ts",
);
const guideBlock = (pattern: RegExp) => {
  const block = guideBlocks.find((candidate) => pattern.test(candidate.code));
  if (block === undefined) throw new Error(`docs/releasing.md has no block matching ${pattern}`);
  return block.code;
};

/** A block as a reader runs it: bash -e, PATH and a HOME only. */
async function runBlock(code: string, cwd: string, home: string): Promise<string> {
  const path = [dirname(toolPath("helm4")), dirname(process.execPath), process.env.PATH ?? ""].join(
    delimiter,
  );
  const { stdout } = await exec("bash", ["-e", "-c", code], {
    cwd,
    env: { PATH: path, HOME: home },
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}
let work: string;
let repo: string;
let mirror: TestRegistry;
let bases: BaseImages;
let cloud: RehearsalCloud;
/** The Kubernetes cluster users install into: a real API server (no kubelet: pods never run). */
let cluster: ControlPlane;
let cleanDb: string;
let criticalDb: string;
let runs = 0;

function git(...args: string[]): string {
  return execFileSync("git", ["-C", repo, ...args], { encoding: "utf8" }).trim();
}

/** Commits an edit of the clone and (re)points `tag` at it, as a maintainer re-tags after a fix. */
function commitAndTag(tag: string, message: string, edit?: () => void): void {
  edit?.();
  writeChangelogSection(repo, tag);
  git("commit", "--quiet", "--allow-empty", "-am", message);
  git("tag", "--force", tag);
}

function editFile(path: string, from: RegExp | string, to: string): () => void {
  return () => {
    const file = join(repo, path);
    const text = readFileSync(file, "utf8");
    const next = text.replace(from, to);
    if (next === text) throw new Error(`${String(from)} not found in ${path}`);
    writeFileSync(file, next);
  };
}

async function run(
  tag: string,
  /** install: false renders the chart instead of installing it (two users installing one release at the same instant would race). */
  options: { workflow?: RehearsableWorkflow; db?: string; install?: boolean } = {},
): Promise<{ ok: true; rehearsal: Rehearsal } | { ok: false; error: Error & { code?: string } }> {
  runs++;
  try {
    const rehearsal = await rehearse({
      repository: repo,
      tag,
      workflow: options.workflow ?? "release.yml",
      cloud,
      trivy: {
        binary: toolPath("trivy"),
        version: toolSpec("trivy").version,
        cacheDir: options.db ?? cleanDb,
      },
      cosign: { binary: toolPath("cosign"), version: toolSpec("cosign").version },
      baseImages: bases,
      helm: helmClients().map(({ label, path }) => ({ label, binary: path })),
      ...(options.install === false ? {} : { kubeconfig: cluster.kubeconfig }),
      workDir: join(work, `run-${runs}-${tag}`),
      toolsCache: cacheRoot(),
      progress: () => undefined,
    });
    return { ok: true, rehearsal };
  } catch (error) {
    return { ok: false, error: error as Error };
  }
}

async function succeeds(tag: string, options?: Parameters<typeof run>[1]): Promise<Rehearsal> {
  const result = await run(tag, options);
  if (!result.ok) throw result.error;
  return result.rehearsal;
}

/** The job (looking into called workflows) with this id path, e.g. image/scan. */
function job(result: WorkflowResult, path: string): JobResult {
  const [first, ...rest] = path.split("/");
  const found = result.jobs.find((j) => j.id === first);
  if (found === undefined) throw new Error(`no job ${path}`);
  if (rest.length === 0) return found;
  if (found.called === undefined) throw new Error(`job ${first} calls no workflow`);
  return job(found.called, rest.join("/"));
}

/**
 * Every image tag of the stand-in ghcr.io repository with its digest. The `sha256-<hex>` tags are
 * where cosign keeps signatures and attestations on a registry without the referrers API.
 */
async function registryState(): Promise<Record<string, string>> {
  const client = new RegistryClient();
  const ref = parseImageReference(`${cloud.image}:latest`);
  const out: Record<string, string> = {};
  for (const tag of ((await client.listTags(ref)) ?? []).filter((t) => !t.startsWith("sha256-")).sort())
    out[tag] = (await client.getManifest({ ...ref, reference: tag }))?.digest ?? "";
  return out;
}

/** cosign as an anonymous user runs it: a clean HOME and Docker config, no credentials. */
async function anonymousCosign(args: string[]): Promise<string> {
  const home = mkdtempSync(join(work, "cosign-home-"));
  const { stdout } = await exec(toolPath("cosign"), args, {
    env: { PATH: process.env.PATH ?? "", HOME: home, DOCKER_CONFIG: home },
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

/** Writes an armored public key to a file of the test's folder (what a user saves from the docs). */
function writeKey(armored: string): string {
  const file = join(work, `key-${runs}.asc`);
  writeFileSync(file, armored);
  return file;
}

/** What users see of the chart repository: index.yaml's bytes in the bucket. */
async function servedIndex(): Promise<string> {
  const response = await fetch(`${cloud.cdn.url}/index.yaml`, { headers: { "cache-control": "no-cache" } });
  return response.status === 200 ? await response.text() : `HTTP ${response.status}`;
}

async function bucketKeys(): Promise<string[]> {
  const listed = await cloud.s3.client().send(new ListObjectsV2Command({ Bucket: cloud.bucket }));
  return (listed.Contents ?? []).map((object) => object.Key ?? "").sort();
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "kube9-rehearsal-test-"));
  repo = join(work, "repo");
  // The committed repository, as GitHub has it.
  execFileSync("git", ["clone", "--quiet", repoRoot, repo]);
  git("config", "user.email", "maintainer@example.invalid");
  git("config", "user.name", "Maintainer");
  cluster = await startControlPlane();
  mirror = await startRegistry();
  bases = await buildBaseImages(mirror);
  cloud = await startPinnedRehearsalCloud();
  const glibc = { source: "debian 12", package: "glibc" };
  cleanDb = buildTestVulnDb(join(work, "db-clean"), [
    { id: "CVE-2099-0002", ...glibc, severity: "HIGH", fixedVersion: "99.0" },
  ]);
  criticalDb = buildTestVulnDb(join(work, "db-critical"), [
    { id: "CVE-2099-0001", ...glibc, severity: "CRITICAL", fixedVersion: "99.0" },
  ]);
}, 20 * MINUTES);

afterAll(async () => {
  await cloud?.stop();
  await mirror?.stop();
  await cluster?.stop();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe("release rehearse: the release workflows run for real against the local stand-ins", () => {
  it("runs every block of docs/releasing.md marked for this file", () => {
    expect(guideBlocks.map((block) => block.code.split("\n").at(-1))).toEqual([
      "helm search repo kube9/kube9-operator --devel --versions",
      "npx kube9-release release rehearse v1.2.3",
    ]);
  });

  it(
    "publishes a first release: five image tags on the scanned digest, the chart installable",
    async () => {
      commitAndTag("v1.0.0", "release 1.0.0");
      const first = await succeeds("v1.0.0");
      const scanned = job(first.workflow, "image/scan").outputs.digest;
      const pushed = job(first.workflow, "image/push").outputs.digest;
      expect(scanned).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(pushed).toBe(scanned);
      expect(job(first.workflow, "image/build").outputs.digest).toBe(scanned);
      expect(first.userView?.image?.digest).toBe(scanned);
      expect(await registryState()).toEqual(
        Object.fromEntries(["1", "1.0", "1.0.0", "latest", "v1.0.0"].map((t) => [t, scanned])),
      );
      for (const view of first.userView?.chart ?? []) {
        expect(view.listed).toEqual(["1.0.0"]);
        expect(view.renderedImage).toBe("ghcr.io/alto9/kube9-operator:1.0.0");
      }
      expect(first.userView?.chart.map((c) => c.helm)).toEqual(["helm3", "helm4"]);
      // The chart workflow ran after the image workflow, and each stage is in the report.
      const image = job(first.workflow, "image");
      const chart = job(first.workflow, "chart");
      expect(chart.startedAt?.getTime() ?? 0).toBeGreaterThanOrEqual(
        (image.startedAt?.getTime() ?? 0) + image.durationMs,
      );
      expect(first.text).toMatch(/resolve[\s\S]*image[\s\S]*chart/);
      expect(first.text).toContain("What a user gets:");
      // The chart is signed with the environment's key: its .prov verifies against the public key
      // the repository serves (and that is the rehearsal's key), and Artifact Hub's files are there.
      const verified = execFileSync(
        process.execPath,
        [
          join(repoRoot, "release", "dist", "cli", "main.js"),
          ...["repo", "verify", "--url", cloud.cdn.url, "--version", "1.0.0", "--json"],
          ...["--public-key", writeKey(cloud.chartSigningKey.armoredPublicKey)],
        ],
        { encoding: "utf8" },
      );
      expect(JSON.parse(verified).provenance).toMatchObject({
        signatureChecked: true,
        signedBy: cloud.chartSigningKey.fingerprint,
      });
      const servedKey = await fetch(`${cloud.cdn.url}/pubkey.asc`);
      expect(servedKey.status).toBe(200);
      const metadata = await fetch(`${cloud.cdn.url}/artifacthub-repo.yml`);
      expect(metadata.status).toBe(200);
      expect(metadata.headers.get("content-type")).toBe("application/yaml");
      // Signed after the push (keyless on GitHub, the rehearsal's key here): the signature and each
      // platform's SBOM verify anonymously with the public key, for the pushed digests.
      expect(job(first.workflow, "image/sign").status).toBe("success");
      const key = ["--key", first.signing.publicKey, "--insecure-ignore-tlog=true"];
      const claims = JSON.parse(await anonymousCosign(["verify", ...key, `${cloud.image}:v1.0.0`])) as Array<{
        critical: { image: { "docker-manifest-digest": string } };
      }>;
      expect(claims.map((c) => c.critical.image["docker-manifest-digest"])).toContain(pushed);
      for (const platform of first.userView?.image?.platforms ?? []) {
        const envelopes = await anonymousCosign([
          "verify-attestation",
          ...key,
          "--type",
          "spdxjson",
          `${cloud.image}@${platform.digest}`,
        ]);
        const statement = JSON.parse(
          Buffer.from(
            (JSON.parse(envelopes.split("\n")[0] ?? "") as { payload: string }).payload,
            "base64",
          ).toString(),
        ) as {
          subject: Array<{ digest: { sha256: string } }>;
          predicate: { packages: Array<{ name: string; versionInfo: string }> };
        };
        expect(statement.subject[0]?.digest.sha256).toBe(platform.digest.slice(7));
        // The operator has no npm dependencies: the node binary and the application itself.
        const listed = statement.predicate.packages.map((p) => `${p.name}@${p.versionInfo}`);
        expect(listed).toContain("kube9-operator@1.0.0");
        expect(listed.some((p) => /^node@\d+\.\d+\.\d+$/.test(p))).toBe(true);
      }
    },
    20 * MINUTES,
  );

  it(
    "stops a release whose chart would render another image before anything is built, then completes it once fixed",
    async () => {
      const before = { registry: await registryState(), index: await servedIndex() };
      commitAndTag(
        "v1.1.0",
        "pin the image tag by mistake",
        editFile("charts/kube9-operator/values.yaml", /^ {2}tag: ""$/m, '  tag: "1.0.0"'),
      );
      const mismatch = await run("v1.1.0");
      expect(mismatch.ok).toBe(false);
      if (!mismatch.ok) expect(mismatch.error.message).toMatch(/image\/build failed[\s\S]*image\.tag/);
      expect(await registryState()).toEqual(before.registry);
      expect(await servedIndex()).toBe(before.index);

      commitAndTag("v1.1.0", "unpin, break the Dockerfile", () => {
        editFile("charts/kube9-operator/values.yaml", /^ {2}tag: "1\.0\.0"$/m, '  tag: ""')();
        editFile(
          "Dockerfile",
          "WORKDIR /src\n",
          "WORKDIR /src\nRUN echo the build breaks here && exit 3\n",
        )();
      });
      const broken = await run("v1.1.0");
      expect(broken.ok).toBe(false);
      if (!broken.ok) expect(broken.error.message).toMatch(/image\/build failed/);
      expect(await registryState()).toEqual(before.registry);
      expect(await servedIndex()).toBe(before.index);

      commitAndTag(
        "v1.1.0",
        "fix the Dockerfile",
        editFile("Dockerfile", "RUN echo the build breaks here && exit 3\n", ""),
      );
      const second = await succeeds("v1.1.0");
      const tags = await registryState();
      expect(tags.latest).toBe(tags["1.1.0"]);
      expect(tags["1.0.0"]).toBe(before.registry["1.0.0"]);
      expect(second.userView?.chart[0]?.listed).toEqual(["1.1.0", "1.0.0"]);
      // The first release stays installable.
      const older = await checkUserView({
        cloud,
        version: "1.0.0",
        helm: [{ label: "helm4", binary: toolPath("helm4") }],
        kubeconfig: cluster.kubeconfig,
        parts: ["image", "chart"],
        progress: () => undefined,
      });
      expect(older.chart[0]?.renderedImage).toBe("ghcr.io/alto9/kube9-operator:1.0.0");
      expect(older.chart[0]?.installed).toBe("installed");
    },
    30 * MINUTES,
  );

  it(
    "publishes a pre-release that only --devel users see; latest, 1, 1.1 and the default chart version stay",
    async () => {
      const before = await registryState();
      commitAndTag("v1.1.1-rc.1", "release candidate");
      const rc = await succeeds("v1.1.1-rc.1");
      const after = await registryState();
      for (const tag of ["latest", "1", "1.1", "1.0"]) expect(after[tag]).toBe(before[tag]);
      expect(after["1.1.1-rc.1"]).toBe(after["v1.1.1-rc.1"]);
      for (const view of rc.userView?.chart ?? []) {
        expect(view.listed).toContain("1.1.1-rc.1");
        expect(view.defaultVersion).toBe("1.1.0");
      }
    },
    20 * MINUTES,
  );

  it(
    "stops at each later stage with the registry and the index unchanged, and completes on re-runs",
    async () => {
      commitAndTag("v1.2.0", "release 1.2.0");
      const before = {
        registry: await registryState(),
        index: await servedIndex(),
        keys: await bucketKeys(),
      };
      const unchanged = async () => {
        expect(await registryState()).toEqual(before.registry);
        expect(await servedIndex()).toBe(before.index);
      };

      // A CRITICAL finding: the scan job fails, nothing is pushed.
      const critical = await run("v1.2.0", { db: criticalDb });
      expect(critical.ok).toBe(false);
      if (!critical.ok)
        expect(critical.error.message).toMatch(/image\/scan failed[\s\S]*CVE-2099-0001|CRITICAL/);
      await unchanged();

      // The registry is down: the push job fails, nothing else moved.
      await cloud.registry.halt();
      const down = await run("v1.2.0").finally(() => cloud.registry.resume());
      expect(down.ok).toBe(false);
      if (!down.ok) expect(down.error.message).toMatch(/image\/push failed/);
      await unchanged();

      // The CDN API fails: the image is out, the chart stops before writing anything.
      cloud.cdn.failApiWith(503);
      const cdnDown = await run("v1.2.0").finally(() => cloud.cdn.failApiWith(0));
      expect(cdnDown.ok).toBe(false);
      if (!cdnDown.ok) expect(cdnDown.error.message).toMatch(/chart\/publish failed/);
      expect((await registryState())["1.2.0"]).toMatch(/^sha256:/);
      expect(await servedIndex()).toBe(before.index);
      expect(await bucketKeys()).toEqual(before.keys);

      // Another publisher keeps winning the index.yaml race: the publish gives up, index unchanged.
      const proxy: S3FaultProxy = await startS3FaultProxy(cloud.s3.endpoint);
      proxy.inject({
        match: (r) => r.method === "PUT" && r.key === "index.yaml",
        fault: "PreconditionFailed",
      });
      cloud.publisherS3Endpoint = proxy.endpoint;
      const conflict = await run("v1.2.0", { workflow: "release-chart.yml" }).finally(async () => {
        cloud.publisherS3Endpoint = cloud.s3.endpoint;
        await proxy.stop();
      });
      expect(conflict.ok).toBe(false);
      if (!conflict.ok) expect(conflict.error.message).toMatch(/publish failed/);
      expect(await servedIndex()).toBe(before.index);

      // The chart workflow run by hand completes the release.
      const done = await succeeds("v1.2.0", { workflow: "release-chart.yml" });
      expect(done.userView?.chart[0]?.listed[0]).toBe("1.2.0");
      const tags = await registryState();
      expect(tags.latest).toBe(tags["1.2.0"]);
      expect(proxy.log().filter((line) => line === "PUT index.yaml").length).toBeGreaterThan(1);
    },
    40 * MINUTES,
  );

  it(
    "publishes two releases rehearsed at the same time, latest on the higher one",
    async () => {
      commitAndTag("v1.3.0", "release 1.3.0");
      commitAndTag("v1.2.1", "release 1.2.1");
      const [high, low] = await Promise.all([
        succeeds("v1.3.0", { install: false }),
        succeeds("v1.2.1", { install: false }),
      ]);
      const tags = await registryState();
      expect(tags.latest).toBe(high.userView?.image?.digest);
      expect(tags["1"]).toBe(high.userView?.image?.digest);
      expect(tags["1.2"]).toBe(low.userView?.image?.digest);
      // Each user's view ran when its own release was out; once both are, the index lists both
      // and every earlier version (what each view saw depends on which finished first).
      expect(high.userView?.chart[0]?.listed).toContain("1.3.0");
      expect(low.userView?.chart[0]?.listed).toContain("1.2.1");
      const index = await servedIndex();
      for (const version of ["1.3.0", "1.2.1", "1.2.0", "1.1.1-rc.1", "1.1.0", "1.0.0"]) {
        expect(index).toContain(`version: ${version}\n`);
      }
    },
    30 * MINUTES,
  );

  it(
    "runs the guide's rehearsal block as a maintainer does: a fresh clone, npx, its own stand-ins",
    async () => {
      const clone = join(work, "guide");
      execFileSync("git", ["clone", "--quiet", repoRoot, clone]);
      const home = homedir();
      // The maintainer has written the version's changelog section (docs/releasing.md) before tagging.
      writeChangelogSection(clone, "v1.2.3");
      execFileSync("git", [
        "-C",
        clone,
        "-c",
        "user.email=maintainer@example.invalid",
        "-c",
        "user.name=Maintainer",
        "commit",
        "--quiet",
        "-am",
        "changelog for 1.2.3",
      ]);
      await runBlock("npm run setup -- --no-tools", clone, home);
      // Base images and the Trivy database this machine can have: the Dockerfile's public bases and
      // Trivy's online database are out of reach here.
      const block = guideBlock(/release rehearse/).replace(
        /release rehearse v1\.2\.3$/m,
        `release rehearse v1.2.3 --build-image ${bases.build} --runtime-image ${bases.runtime} --trivy-db ${cleanDb} --kubeconfig ${cluster.kubeconfig} --out ${join(work, "guide-run")}`,
      );
      const stdout = await runBlock(block, clone, home);
      expect(stdout).toContain("What a user gets:");
      expect(stdout).toMatch(/image 127\.0\.0\.1:\d+\/alto9\/kube9-operator:1\.2\.3 sha256:/);
      expect(stdout).toMatch(/helm4: versions 1\.2\.3; default 1\.2\.3/);
      expect(stdout).toContain(readFileSync(join(work, "guide-run", "report", "report.txt"), "utf8"));
    },
    30 * MINUTES,
  );
});
