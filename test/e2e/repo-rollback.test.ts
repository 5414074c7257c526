/**
 * `repo rollback` against versitygw with versioning (docs/architecture.md, object versions): it
 * restores an earlier index.yaml by writing its bytes with If-Match (never CopyObject, which the
 * bucket policy refuses), plans without writing on --dry-run, rolls forward with --to, refuses what
 * it cannot do with a clear error and nothing written, and never undoes a publish that lands
 * meanwhile.
 */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetObjectCommand, ListObjectsV2Command, PutBucketVersioningCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseIndex } from "../../release/src/repo/parse/parse-index.js";
import { startCdnStandIn } from "../support/cdn-stand-in.js";
import { runRelease, runReleaseAsync } from "../support/cli.js";
import { type S3FaultProxy, startS3FaultProxy } from "../support/s3-fault-proxy.js";
import { chartBucketWriteRules, isObjectWrite, refusal } from "../support/s3-write-policy.js";
import { repoRoot } from "../support/tools.js";
import { type S3StandIn, startVersitygw } from "../support/versitygw.js";

const INDEX = "charts/index.yaml";

let s3: S3StandIn;
let proxy: S3FaultProxy;
let work: string;
let bucketNumber = 0;

const cli = (args: string[], endpoint = proxy.endpoint) =>
  runReleaseAsync(args, { cwd: work, env: { ...s3.env, AWS_ENDPOINT_URL_S3: endpoint } });

const publish = (bucket: string, version: string, endpoint?: string) =>
  cli(
    ["chart", "publish", "chart", "--repo", `s3://${bucket}/charts`, "--path-style", "--version", version],
    endpoint,
  );

const rollback = (bucket: string, ...extra: string[]) =>
  cli(["repo", "rollback", "--repo", `s3://${bucket}/charts`, "--path-style", ...extra]);

async function versionsListed(bucket: string): Promise<string[]> {
  const got = await s3.client().send(new GetObjectCommand({ Bucket: bucket, Key: INDEX }));
  const index = parseIndex((await got.Body?.transformToByteArray()) ?? new Uint8Array(), INDEX);
  return (index.entries["kube9-operator"] ?? []).map((entry) => entry.version);
}

async function storedKeys(bucket: string): Promise<string[]> {
  const listed = await s3.client().send(new ListObjectsV2Command({ Bucket: bucket }));
  return (listed.Contents ?? []).map((o) => o.Key ?? "").sort();
}

/** A versioned bucket with 1.0.0 then 1.1.0 published: index.yaml has two versions. */
async function bucketWithTwoReleases(): Promise<string> {
  bucketNumber += 1;
  const bucket = `rollback-${bucketNumber}`;
  await s3.createBucket(bucket);
  await s3
    .client()
    .send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }));
  for (const version of ["1.0.0", "1.1.0"]) {
    const run = await publish(bucket, version, s3.endpoint);
    expect(run.stderr).not.toMatch(/^error/m);
    expect(run.status).toBe(0);
  }
  return bucket;
}

interface Plan {
  target: { versionId: string };
  current: { versionId: string };
  removed: string[];
  restored: string[];
  history: Array<{ versionId: string; latest: boolean }>;
}

beforeAll(async () => {
  s3 = await startVersitygw({ versioning: true });
  proxy = await startS3FaultProxy(s3.endpoint);
  work = mkdtempSync(join(tmpdir(), "kube9-rollback-"));
  cpSync(join(repoRoot, "charts", "kube9-operator"), join(work, "chart"), { recursive: true });
});

beforeEach(() => proxy.reset());

afterAll(async () => {
  await proxy?.stop();
  await s3?.stop();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe("repo rollback", () => {
  it("--dry-run shows the history and what would change, and writes nothing", async () => {
    const bucket = await bucketWithTwoReleases();
    proxy.reset();
    const run = await rollback(bucket, "--dry-run", "--json");
    expect(run.stderr).not.toMatch(/^error/m);
    expect(run.status).toBe(0);
    const { plan, dryRun } = JSON.parse(run.stdout) as { plan: Plan; dryRun: boolean };
    expect(dryRun).toBe(true);
    expect(plan.history).toHaveLength(2);
    expect(plan.history[0]?.latest).toBe(true);
    expect(plan.current.versionId).toBe(plan.history[0]?.versionId);
    expect(plan.target.versionId).toBe(plan.history[1]?.versionId);
    expect(plan.removed).toEqual(["kube9-operator 1.1.0"]);
    expect(plan.restored).toEqual([]);
    expect(proxy.requests.filter((r) => r.method !== "GET")).toEqual([]);
    expect(await versionsListed(bucket)).toEqual(["1.1.0", "1.0.0"]);
  });

  it("restores the previous index by a conditional write the bucket policy allows, keeping the archives", async () => {
    const bucket = await bucketWithTwoReleases();
    const before = await s3.client().send(new GetObjectCommand({ Bucket: bucket, Key: INDEX }));
    proxy.reset();
    const run = await rollback(bucket);
    expect(run.stderr).not.toMatch(/^error/m);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("- kube9-operator 1.1.0 (its archive stays stored)");
    expect(await versionsListed(bucket)).toEqual(["1.0.0"]);
    expect(await storedKeys(bucket)).toEqual([
      "charts/index.yaml",
      "charts/kube9-operator-1.0.0.tgz",
      "charts/kube9-operator-1.1.0.tgz",
    ]);
    const writes = proxy.requests.filter(isObjectWrite);
    expect(writes.map((w) => w.key)).toEqual([INDEX]);
    expect(writes[0]?.headers["if-match"]).toBe(before.ETag);
    expect(writes[0]?.headers["x-amz-copy-source"]).toBeUndefined();
    const rules = chartBucketWriteRules();
    for (const write of writes) expect(refusal(rules, write)).toBeUndefined();
    // What the rollback does not do: a plain copy of the old version is what the policy refuses.
    expect(
      refusal(rules, {
        method: "PUT",
        key: INDEX,
        query: "",
        headers: { "x-amz-copy-source": "/b/x?versionId=1" },
      }),
    ).toMatch(/RequireConditionalWritesOnIndex/);
  });

  it("rolls forward again with --to, since the rolled-back version is still stored", async () => {
    const bucket = await bucketWithTwoReleases();
    const dry = JSON.parse((await rollback(bucket, "--dry-run", "--json")).stdout) as { plan: Plan };
    const newest = dry.plan.current.versionId;
    expect((await rollback(bucket)).status).toBe(0);
    const run = await rollback(bucket, "--to", newest, "--json");
    expect(run.status).toBe(0);
    expect((JSON.parse(run.stdout) as { plan: Plan }).plan.restored).toEqual(["kube9-operator 1.1.0"]);
    expect(await versionsListed(bucket)).toEqual(["1.1.0", "1.0.0"]);
  });

  it("with --cdn, invalidates the index at the edge so users get the restored one at once", async () => {
    const bucket = await bucketWithTwoReleases();
    const cdn = await startCdnStandIn(s3.client(), bucket, "charts/");
    try {
      const served = async () =>
        parseIndex(new Uint8Array(await (await fetch(`${cdn.url}/index.yaml`)).arrayBuffer()), "edge");
      // The edge now holds the index listing 1.1.0 (for the index's lifetime, by its Cache-Control).
      expect(((await served()).entries["kube9-operator"] ?? []).map((e) => e.version)).toEqual([
        "1.1.0",
        "1.0.0",
      ]);
      const run = await runReleaseAsync(
        [
          "repo",
          "rollback",
          "--repo",
          `s3://${bucket}/charts`,
          "--path-style",
          "--cdn",
          `cloudfront:${cdn.distributionId}`,
          "--wait",
        ],
        {
          cwd: work,
          env: {
            ...s3.env,
            AWS_ENDPOINT_URL_S3: proxy.endpoint,
            AWS_ENDPOINT_URL_CLOUDFRONT: cdn.apiEndpoint,
          },
        },
      );
      expect(run.stderr).not.toMatch(/^error/m);
      expect(run.status).toBe(0);
      expect(cdn.invalidations.map((i) => i.paths)).toEqual([["/index.yaml", "/"]]);
      expect(((await served()).entries["kube9-operator"] ?? []).map((e) => e.version)).toEqual(["1.0.0"]);
    } finally {
      await cdn.stop();
    }
  });

  it("never undoes a publish that lands between its read and its write", async () => {
    const bucket = await bucketWithTwoReleases();
    proxy.reset();
    // Once the rollback has read the current index, another release publishes straight to the
    // store (blocking this process, so the rollback's write reaches the store after it).
    proxy.onDelivered((request) => {
      if (request.method === "GET" && request.key === INDEX && !request.query.includes("versionId")) {
        proxy.onDelivered(undefined);
        const run = runRelease(
          [
            "chart",
            "publish",
            "chart",
            "--repo",
            `s3://${bucket}/charts`,
            "--path-style",
            "--version",
            "1.2.0",
          ],
          { cwd: work, env: s3.env },
        );
        expect(run.status).toBe(0);
      }
    });
    const run = await rollback(bucket);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("index.yaml changed while the rollback was being planned");
    expect(await versionsListed(bucket)).toEqual(["1.2.0", "1.1.0", "1.0.0"]);
  });

  it.each([
    ["an unknown --to", ["--to", "no-such-version"], 2, "index.yaml has no version"],
    ["a directory repository", ["--repo", "chart-repo"], 2, "keeps no earlier versions"],
  ])("refuses %s with a clear error and writes nothing", async (_label, extra, status, words) => {
    const bucket = await bucketWithTwoReleases();
    proxy.reset();
    const args = extra[0] === "--repo" ? ["repo", "rollback", ...extra] : null;
    const run = args === null ? await rollback(bucket, ...extra) : await cli(args);
    expect(run.status).toBe(status);
    expect(run.stderr).toContain(words);
    expect(run.stderr).not.toContain("internal error");
    expect(proxy.requests.filter((r) => r.method !== "GET")).toEqual([]);
    expect(await versionsListed(bucket)).toEqual(["1.1.0", "1.0.0"]);
  });

  it("refuses when no earlier version is stored (an unversioned bucket)", async () => {
    bucketNumber += 1;
    const bucket = `rollback-${bucketNumber}`;
    await s3.createBucket(bucket);
    expect((await publish(bucket, "1.0.0", s3.endpoint)).status).toBe(0);
    proxy.reset();
    const run = await rollback(bucket);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("no earlier version of index.yaml is stored");
    expect(proxy.requests.filter((r) => r.method !== "GET")).toEqual([]);
  });
});
