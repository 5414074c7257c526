/**
 * Publishing to S3 behind a CDN: versitygw as the bucket, Varnish as the edge cache (honouring the
 * objects' Cache-Control), a CloudFront API stand-in that purges it. Helm 3 and Helm 4 read the
 * repository through the cache, as users do.
 */
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CdnStandIn, startCdnStandIn } from "../support/cdn-stand-in.js";
import { type CliRun, runReleaseAsync } from "../support/cli.js";
import { helmClients, repoRoot } from "../support/tools.js";
import { type S3StandIn, startVersitygw } from "../support/versitygw.js";

const BUCKET = "charts-behind-cdn";
let s3: S3StandIn;
let cdn: CdnStandIn;
let work: string;

beforeAll(async () => {
  s3 = await startVersitygw();
  await s3.createBucket(BUCKET);
  cdn = await startCdnStandIn(s3.client(), BUCKET, "");
  work = mkdtempSync(join(tmpdir(), "kube9-cdn-"));
  cpSync(join(repoRoot, "charts", "kube9-operator"), join(work, "chart"), { recursive: true });
});

afterAll(async () => {
  await cdn?.stop();
  await s3?.stop();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

function publish(version: string, ...extra: string[]): Promise<CliRun> {
  const args = [
    "chart",
    "publish",
    "chart",
    "--repo",
    `s3://${BUCKET}`,
    "--path-style",
    "--version",
    version,
    "--url",
    cdn.url,
    "--json",
    ...extra,
  ];
  return runReleaseAsync(args, {
    cwd: work,
    env: { ...s3.env, AWS_ENDPOINT_URL_CLOUDFRONT: cdn.apiEndpoint, SOURCE_DATE_EPOCH: "1700000000" },
  });
}

/** Every object of the bucket with its ETag: what "nothing was written" means. */
async function bucketSnapshot(): Promise<Record<string, string>> {
  const listed = await s3.client().send(new ListObjectsV2Command({ Bucket: BUCKET }));
  return Object.fromEntries((listed.Contents ?? []).map((object) => [object.Key ?? "", object.ETag ?? ""]));
}

const withCdn = () => ["--cdn", `cloudfront:${cdn.distributionId}`, "--wait"];

async function servedIndex(): Promise<{ text: string; cache: string | null }> {
  const response = await fetch(`${cdn.url}/index.yaml`);
  return { text: await response.text(), cache: response.headers.get("x-cache") };
}

async function helmVersions(helm: string, home: string): Promise<string[]> {
  const env = {
    ...process.env,
    HELM_CACHE_HOME: join(home, "cache"),
    HELM_CONFIG_HOME: join(home, "config"),
    HELM_DATA_HOME: join(home, "data"),
  };
  const run = async (...args: string[]) =>
    (await promisify(execFile)(helm, args, { env, encoding: "utf8" })).stdout;
  await run("repo", "add", "kube9", cdn.url, "--force-update");
  await run("repo", "update", "kube9");
  const rows = JSON.parse(
    await run("search", "repo", "kube9/kube9-operator", "--versions", "-o", "json"),
  ) as Array<{ version: string }>;
  return rows.map((row) => row.version);
}

describe("publishing behind a CDN", () => {
  it("publishes, invalidates, and verifies through the cache", async () => {
    const first = await publish("1.0.0", ...withCdn());
    expect(first.stderr).not.toMatch(/^error/m);
    expect(first.status).toBe(0);
    const result = JSON.parse(first.stdout) as {
      invalidation: { paths: string[]; completed: boolean };
      verified: { index: string };
      visibleAfterMs: number;
    };
    expect(result.invalidation).toMatchObject({ paths: ["/*"], completed: true });
    expect(result.verified.index).toBe(`${cdn.url}/index.yaml`);
    expect(result.visibleAfterMs).toBeGreaterThanOrEqual(0);
    expect(cdn.invalidations.map((invalidation) => invalidation.paths)).toEqual([["/*"]]);
  });

  it("really caches: a second read is a hit and does not reach the bucket", async () => {
    await servedIndex();
    const before = cdn.originRequests.filter((request) => request === "GET /index.yaml").length;
    const again = await servedIndex();
    expect(again.cache).toBe("HIT");
    expect(cdn.originRequests.filter((request) => request === "GET /index.yaml").length).toBe(before);
  });

  it("would serve a stale index without the invalidation", async () => {
    const quiet = await publish("1.1.0", "--no-verify");
    expect(quiet.status).toBe(0);
    const stale = await servedIndex();
    expect(stale.cache).toBe("HIT");
    expect(stale.text).not.toContain("1.1.0");
  });

  it("shows the new version to Helm 3 and Helm 4 right after a publish with invalidation", async () => {
    // The same command again: the version is already stored, so this is the retry of a run that
    // died before invalidating; it still invalidates and verifies.
    const retried = await publish("1.1.0", ...withCdn());
    expect(retried.status).toBe(0);
    expect((JSON.parse(retried.stdout) as { result: { index: string } }).result.index).toBe("unchanged");
    for (const { label, path } of helmClients()) {
      expect(await helmVersions(path, join(work, label))).toEqual(["1.1.0", "1.0.0"]);
    }
  });

  it("stops with the fix when the distribution does not exist, before writing anything", async () => {
    const before = await bucketSnapshot();
    const wrong = await publish("1.2.0", "--cdn", "cloudfront:EWRONGDISTRIBUTION", "--no-verify");
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toContain("no such distribution");
    expect(await bucketSnapshot()).toEqual(before);
  });

  it("checks the CDN before writing: a failing CloudFront API leaves the repository as it was, and the same command completes once it answers", async () => {
    const before = await bucketSnapshot();
    cdn.failApiWith(503);
    try {
      const failed = await publish("1.3.0", ...withCdn());
      expect(failed.status).toBe(1);
      expect(failed.stderr).toMatch(/checked before publishing; nothing was written/);
    } finally {
      cdn.failApiWith(0);
    }
    expect(await bucketSnapshot()).toEqual(before);
    const again = await publish("1.3.0", ...withCdn());
    expect(again.status).toBe(0);
    expect((await servedIndex()).text).toContain("version: 1.3.0");
  });
});
