/**
 * `kube9-release chart publish --repo s3://...` against versitygw, as separate processes the way
 * concurrent release jobs run: no version is ever lost, a version is published once, a lost or
 * corrupt index is never taken for an empty one, and `repo reindex` repairs it.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { load } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliRun, runReleaseAsync } from "../support/cli.js";
import { repoRoot } from "../support/tools.js";
import { type S3StandIn, startVersitygw } from "../support/versitygw.js";

let s3: S3StandIn;
let work: string;
let bucketNumber = 0;

beforeAll(async () => {
  s3 = await startVersitygw();
  work = mkdtempSync(join(tmpdir(), "kube9-s3-publish-"));
  cpSync(join(repoRoot, "charts", "kube9-operator"), join(work, "chart"), { recursive: true });
});

afterAll(async () => {
  await s3?.stop();
  rmSync(work, { recursive: true, force: true });
});

async function newBucket(): Promise<string> {
  bucketNumber += 1;
  const bucket = `publish-${bucketNumber}`;
  await s3.createBucket(bucket);
  return bucket;
}

function release(args: string[]): Promise<CliRun> {
  return runReleaseAsync(args, { cwd: work, env: { ...s3.env, SOURCE_DATE_EPOCH: "1700000000" } });
}

// Verified from the bucket: the public URL is not served here (test/e2e/cdn-publish.test.ts
// verifies through a cache in front of the bucket).
const publish = (bucket: string, version: string, chart = "chart", ...extra: string[]) =>
  release([
    "chart",
    "publish",
    chart,
    "--repo",
    `s3://${bucket}/charts`,
    "--path-style",
    "--version",
    version,
    ...extra,
  ]);

async function indexText(bucket: string): Promise<string> {
  const object = await s3.client().send(new GetObjectCommand({ Bucket: bucket, Key: "charts/index.yaml" }));
  return (await object.Body?.transformToString()) ?? "";
}

async function versions(bucket: string): Promise<string[]> {
  const index = load(await indexText(bucket)) as { entries: Record<string, Array<{ version: string }>> };
  return (index.entries["kube9-operator"] ?? []).map((entry) => entry.version);
}

describe("chart publish to S3", () => {
  it("publishes with absolute URLs and keeps earlier versions", async () => {
    const bucket = await newBucket();
    const first = await publish(bucket, "1.0.0", "chart", "--url", "https://charts.kube9.io", "--no-verify");
    expect(first.stderr).not.toMatch(/^error/m);
    expect(first.status).toBe(0);
    expect(
      (await publish(bucket, "1.1.0", "chart", "--url", "https://charts.kube9.io", "--no-verify")).status,
    ).toBe(0);
    expect(await versions(bucket)).toEqual(["1.1.0", "1.0.0"]);
    expect(await indexText(bucket)).toContain("https://charts.kube9.io/kube9-operator-1.1.0.tgz");
  });

  it.each([1, 2, 3, 4, 5])("keeps all 20 versions published by 20 processes at once (round %i)", async () => {
    const bucket = await newBucket();
    const all = Array.from({ length: 20 }, (_, i) => `2.${i}.0`);
    const runs = await Promise.all(all.map((version) => publish(bucket, version)));
    for (const run of runs) expect(run.stderr).not.toMatch(/^error/m);
    expect(runs.map((run) => run.status)).toEqual(all.map(() => 0));
    expect((await versions(bucket)).sort()).toEqual([...all].sort());
  });

  it("lets exactly one of two publishers of the same version with different bytes win", async () => {
    const bucket = await newBucket();
    cpSync(join(work, "chart"), join(work, "other"), { recursive: true });
    const chartYaml = join(work, "other", "Chart.yaml");
    writeFileSync(
      chartYaml,
      readFileSync(chartYaml, "utf8").replace(/^description:.*$/m, "description: other bytes"),
    );
    const runs = await Promise.all([publish(bucket, "3.0.0"), publish(bucket, "3.0.0", "other")]);
    expect(runs.map((run) => run.status).sort()).toEqual([0, 1]);
    expect(runs.find((run) => run.status === 1)?.stderr).toContain("already published with other bytes");
    expect(await versions(bucket)).toEqual(["3.0.0"]);
  });

  it("refuses to start an empty index when the index is lost, and repo reindex restores it", async () => {
    const bucket = await newBucket();
    expect((await publish(bucket, "1.0.0")).status).toBe(0);
    expect((await publish(bucket, "1.1.0")).status).toBe(0);
    const before = load(await indexText(bucket)) as {
      entries: Record<string, Array<{ version: string; created: string }>>;
    };
    await s3.client().send(new DeleteObjectCommand({ Bucket: bucket, Key: "charts/index.yaml" }));
    // The archives were stored moments ago, so the publisher first waits for a concurrent first
    // publish to create the index (20 s), then refuses rather than starting an empty index.
    const refused = await publish(bucket, "1.2.0");
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain("index.yaml is missing");
    expect(refused.stderr).toContain("repo reindex");
    const rebuilt = await release([
      "repo",
      "reindex",
      "--repo",
      `s3://${bucket}/charts`,
      "--path-style",
      "--url",
      "https://charts.kube9.io",
      "--json",
    ]);
    expect(rebuilt.status).toBe(0);
    expect((JSON.parse(rebuilt.stdout) as { plan: { added: string[] } }).plan.added.sort()).toEqual([
      "kube9-operator 1.0.0",
      "kube9-operator 1.1.0",
    ]);
    expect(await versions(bucket)).toEqual(["1.1.0", "1.0.0"]);
    expect(before.entries["kube9-operator"]?.map((entry) => entry.version)).toEqual(["1.1.0", "1.0.0"]);
  });

  it("stops on a corrupt index and leaves it as it is; repo reindex repairs it", async () => {
    const bucket = await newBucket();
    expect((await publish(bucket, "1.0.0")).status).toBe(0);
    const corrupt = "apiVersion: v1\nentries: [broken\n";
    await s3.client().send(new PutObjectCommand({ Bucket: bucket, Key: "charts/index.yaml", Body: corrupt }));
    const run = await publish(bucket, "1.1.0");
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("index.yaml");
    expect(await indexText(bucket)).toBe(corrupt);
    const repaired = await release([
      "repo",
      "reindex",
      "--repo",
      `s3://${bucket}/charts`,
      "--path-style",
      "--json",
    ]);
    expect(repaired.status).toBe(0);
    expect((JSON.parse(repaired.stdout) as { plan: { currentIndex: string } }).plan.currentIndex).toBe(
      "corrupt",
    );
    expect(await versions(bucket)).toEqual(["1.0.0"]);
    expect((await publish(bucket, "1.1.0")).status).toBe(0);
    expect(await versions(bucket)).toEqual(["1.1.0", "1.0.0"]);
  });

  it("stops at once on bad credentials with the fix", async () => {
    const bucket = await newBucket();
    const run = await runReleaseAsync(
      ["chart", "publish", "chart", "--repo", `s3://${bucket}`, "--path-style", "--version", "1.0.0"],
      {
        cwd: work,
        env: {
          ...s3.env,
          AWS_SECRET_ACCESS_KEY: "not-the-secret-000000000",
          SOURCE_DATE_EPOCH: "1700000000",
        },
      },
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/credentials/);
  });
});
