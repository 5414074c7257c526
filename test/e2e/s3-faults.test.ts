/**
 * Faults of S3 during `chart publish --repo s3://...` (docs/architecture.md, the S3 store),
 * injected by a proxy in front of versitygw: 500s and throttling are retried and the publish
 * succeeds; AccessDenied and a missing bucket stop at once naming the permission or setting, with
 * nothing written; a lost compare-and-swap on index.yaml makes the publisher re-read and merge; a
 * store that accepts the connection and never answers is given up on after --request-timeout,
 * retried, and, if it never answers, fails the run with the index complete.
 */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { storeRepositoryReader } from "../../release/src/publish/repository-reader.js";
import { verifyPublished } from "../../release/src/publish/verify.js";
import { parseIndex } from "../../release/src/repo/parse/parse-index.js";
import { S3Store } from "../../release/src/storage/s3-store.js";
import { type CliRun, runReleaseAsync } from "../support/cli.js";
import { type ProxiedRequest, type S3FaultProxy, startS3FaultProxy } from "../support/s3-fault-proxy.js";
import { repoRoot } from "../support/tools.js";
import { type S3StandIn, startVersitygw, TEST_ACCESS_KEY, TEST_REGION } from "../support/versitygw.js";

const CHART = "kube9-operator";
const INDEX = "charts/index.yaml";
const archive = (version: string) => `charts/${CHART}-${version}.tgz`;

let s3: S3StandIn;
let proxy: S3FaultProxy;
let work: string;
let bucketNumber = 0;

function publish(bucket: string, version: string, endpoint: string, ...extra: string[]): Promise<CliRun> {
  return runReleaseAsync(
    [
      "chart",
      "publish",
      "chart",
      "--repo",
      `s3://${bucket}/charts`,
      "--path-style",
      "--version",
      version,
      ...extra,
    ],
    {
      cwd: work,
      env: { ...s3.env, AWS_ENDPOINT_URL_S3: endpoint, SOURCE_DATE_EPOCH: "1700000000" },
    },
  );
}

/** A fresh bucket holding 1.0.0, published for real straight to versitygw. */
async function bucketWithFirstVersion(): Promise<string> {
  bucketNumber += 1;
  const bucket = `faults-${bucketNumber}`;
  await s3.createBucket(bucket);
  const first = await publish(bucket, "1.0.0", s3.endpoint);
  expect(first.stderr).not.toMatch(/^error/m);
  expect(first.status).toBe(0);
  return bucket;
}

/** Every object of the bucket: key -> ETag and bytes, read straight from versitygw. */
async function contents(bucket: string): Promise<Record<string, string>> {
  const client = s3.client();
  const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
  const result: Record<string, string> = {};
  for (const object of listed.Contents ?? []) {
    const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key }));
    result[object.Key ?? ""] =
      `${got.ETag} ${Buffer.from((await got.Body?.transformToByteArray()) ?? []).toString("base64")}`;
  }
  return result;
}

/** The index parses strictly and every listed archive is stored with its digest; the versions. */
async function publishedVersions(bucket: string): Promise<string[]> {
  const got = await s3.client().send(new GetObjectCommand({ Bucket: bucket, Key: INDEX }));
  const index = parseIndex(
    (await got.Body?.transformToByteArray()) ?? new Uint8Array(),
    `s3://${bucket}/${INDEX}`,
  );
  const reader = storeRepositoryReader(new S3Store(s3.client(), { bucket, prefix: "charts/" }));
  const versions: string[] = [];
  for (const entry of index.entries[CHART] ?? []) {
    await verifyPublished(reader, { chart: CHART, version: entry.version, expectedDigest: entry.digest });
    versions.push(entry.version);
  }
  return versions;
}

const is =
  (method: string, key: string) =>
  (request: ProxiedRequest): boolean =>
    request.method === method && request.key === key;

const count = (line: string) => proxy.log().filter((seen) => seen === line).length;

beforeAll(async () => {
  s3 = await startVersitygw();
  proxy = await startS3FaultProxy(s3.endpoint);
  work = mkdtempSync(join(tmpdir(), "kube9-s3-faults-"));
  cpSync(join(repoRoot, "charts", "kube9-operator"), join(work, "chart"), { recursive: true });
});

beforeEach(() => proxy.reset());

afterAll(async () => {
  await proxy?.stop();
  await s3?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe("the fault proxy", () => {
  it("forwards signed requests unchanged, and the store still checks the signature", async () => {
    bucketNumber += 1;
    const bucket = `faults-${bucketNumber}`;
    await s3.createBucket(bucket);
    const { S3Client } = await import("@aws-sdk/client-s3");
    const through = (secretAccessKey: string) =>
      new S3Client({
        endpoint: proxy.endpoint,
        region: TEST_REGION,
        forcePathStyle: true,
        credentials: { accessKeyId: TEST_ACCESS_KEY, secretAccessKey },
      });
    const good = through(s3.env.AWS_SECRET_ACCESS_KEY ?? "");
    const body = new TextEncoder().encode("signed through the proxy\n");
    await good.send(
      new PutObjectCommand({ Bucket: bucket, Key: "a/b c.txt", Body: body, ContentType: "text/plain" }),
    );
    const read = await good.send(new GetObjectCommand({ Bucket: bucket, Key: "a/b c.txt" }));
    expect(await read.Body?.transformToString()).toBe("signed through the proxy\n");
    expect(read.ContentType).toBe("text/plain");
    // Stored as sent: read straight from versitygw too.
    expect(Object.keys(await contents(bucket))).toEqual(["a/b c.txt"]);

    const bad = through("not-the-secret-000000000");
    await expect(bad.send(new GetObjectCommand({ Bucket: bucket, Key: "a/b c.txt" }))).rejects.toMatchObject({
      name: "SignatureDoesNotMatch",
    });
    expect(proxy.log()).toEqual(["PUT a/b c.txt", "GET a/b c.txt", "GET a/b c.txt"]);
    expect(proxy.requests.map((request) => request.status)).toEqual([200, 200, 403]);
  });
});

describe("chart publish to S3 under faults", () => {
  it("retries 500 InternalError and 503 SlowDown on reads and writes, and publishes", async () => {
    const bucket = await bucketWithFirstVersion();
    proxy.inject({ match: is("GET", INDEX), fault: "InternalError", times: 2 });
    proxy.inject({ match: is("PUT", archive("1.1.0")), fault: "SlowDown", times: 2 });
    proxy.inject({ match: is("PUT", INDEX), fault: "InternalError", times: 1 });
    proxy.inject({ match: is("GET", archive("1.1.0")), fault: "SlowDown", times: 1 });
    const run = await publish(bucket, "1.1.0", proxy.endpoint);
    expect(run.stderr).not.toMatch(/^error/m);
    expect(run.status).toBe(0);

    const injected = proxy.requests.filter((request) => request.outcome === "injected");
    expect(injected.map((request) => `${request.status} ${request.method} ${request.key}`)).toEqual([
      `500 GET ${INDEX}`,
      `500 GET ${INDEX}`,
      `503 PUT ${archive("1.1.0")}`,
      `503 PUT ${archive("1.1.0")}`,
      `500 PUT ${INDEX}`,
      `503 GET ${archive("1.1.0")}`,
    ]);
    // Each faulted call was retried until it reached the store: plan read (2 faults + 1) and the
    // verification read of the index, archive upload (2 + 1), index write (1 + 1), archive read (1 + 1).
    expect(count(`GET ${INDEX}`)).toBe(4);
    expect(count(`PUT ${archive("1.1.0")}`)).toBe(3);
    expect(count(`PUT ${INDEX}`)).toBe(2);
    expect(count(`GET ${archive("1.1.0")}`)).toBe(2);
    expect(await publishedVersions(bucket)).toEqual(["1.1.0", "1.0.0"]);
  });

  it("stops at once on AccessDenied reading the index, naming s3:GetObject, and writes nothing", async () => {
    const bucket = await bucketWithFirstVersion();
    const before = await contents(bucket);
    proxy.inject({ match: is("GET", INDEX), fault: "AccessDenied" });
    const run = await publish(bucket, "1.1.0", proxy.endpoint);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("s3:GetObject");
    expect(run.stderr).toContain("AccessDenied");
    // No retry of a permission error, and nothing after it.
    expect(proxy.log()).toEqual([`GET ${INDEX}`]);
    expect(await contents(bucket)).toEqual(before);
  });

  it("stops at once on AccessDenied writing, naming s3:PutObject, and the index is untouched", async () => {
    const bucket = await bucketWithFirstVersion();
    const before = await contents(bucket);
    proxy.inject({ match: (request) => request.method === "PUT", fault: "AccessDenied" });
    const run = await publish(bucket, "1.1.0", proxy.endpoint);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("s3:PutObject");
    expect(proxy.log()).toEqual([`GET ${INDEX}`, `PUT ${archive("1.1.0")}`]);
    expect(await contents(bucket)).toEqual(before);
    expect(await publishedVersions(bucket)).toEqual(["1.0.0"]);
  });

  it("names the bucket setting when the bucket does not exist", async () => {
    const run = await publish("kube9-no-such-bucket", "1.1.0", proxy.endpoint);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("NoSuchBucket");
    expect(run.stderr).toContain("the bucket does not exist");
    expect(run.stderr).toContain("--repo");
    expect(proxy.requests.every((request) => request.method === "GET")).toBe(true);
    expect(proxy.requests.every((request) => request.status === 404)).toBe(true);
  });

  it("re-reads and merges when the index write loses a compare-and-swap (412)", async () => {
    const bucket = await bucketWithFirstVersion();
    proxy.inject({
      match: is("PUT", INDEX),
      fault: "PreconditionFailed",
      times: 1,
      // Another publisher really adds 1.1.0 meanwhile, so the ETag the first write used is stale.
      before: async () => {
        const other = await publish(bucket, "1.1.0", s3.endpoint);
        expect(other.status).toBe(0);
      },
    });
    const run = await publish(bucket, "1.2.0", proxy.endpoint);
    expect(run.stderr).not.toMatch(/^error/m);
    expect(run.status).toBe(0);
    expect(run.stderr).toContain("changed by another publisher");
    expect(count(`PUT ${INDEX}`)).toBe(2);
    expect(
      proxy.requests.filter((request) => request.key === INDEX).map((r) => `${r.method} ${r.status}`),
    ).toEqual(["GET 200", "PUT 412", "GET 200", "PUT 200", "GET 200"]);
    expect(await publishedVersions(bucket)).toEqual(["1.2.0", "1.1.0", "1.0.0"]);
  });
});

describe("chart publish to S3 when the store stops answering", () => {
  // Short enough for the test (the default is 60 s), long enough for any real request to a local
  // versitygw, even on a loaded 2-core machine.
  const TIMEOUT = ["--request-timeout", "2s"];
  const indexTraffic = () =>
    proxy.requests
      .filter((request) => request.key === INDEX)
      .map((request) => `${request.method} ${request.outcome === "stalled" ? "stalled" : request.status}`);

  it("gives up on an unanswered index read after --request-timeout, retries it, and publishes", async () => {
    const bucket = await bucketWithFirstVersion();
    proxy.stall({ match: is("GET", INDEX), forward: false, times: 1 });
    const started = Date.now();
    const run = await publish(bucket, "1.1.0", proxy.endpoint, ...TIMEOUT);
    expect(run.stderr).not.toMatch(/^error/m);
    expect(run.status).toBe(0);
    // The stalled attempt really waited for the timeout before the retry.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
    expect(indexTraffic()).toEqual(["GET stalled", "GET 200", "PUT 200", "GET 200"]);
    expect(await publishedVersions(bucket)).toEqual(["1.1.0", "1.0.0"]);
  });

  it("fails naming the timeout when the index read never answers, and writes nothing", async () => {
    const bucket = await bucketWithFirstVersion();
    const before = await contents(bucket);
    proxy.stall({ match: is("GET", INDEX), forward: false });
    const run = await publish(bucket, "1.1.0", proxy.endpoint, ...TIMEOUT);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^error/m);
    expect(run.stderr).toContain("cannot read");
    expect(run.stderr).toContain("TimeoutError");
    expect(run.stderr).toContain("2000 ms requestTimeout");
    // Retried with a bound (a never-answering store is treated like a 5xx), then stopped: a
    // failed read is never taken for an empty index, so nothing was written.
    const reads = count(`GET ${INDEX}`);
    expect(reads).toBeGreaterThan(1);
    expect(reads).toBeLessThanOrEqual(10);
    expect(proxy.requests.every((request) => request.method === "GET")).toBe(true);
    expect(await contents(bucket)).toEqual(before);
  });

  it("fails naming the timeout when index writes never reach the store; the index keeps every version", async () => {
    const bucket = await bucketWithFirstVersion();
    const before = await contents(bucket);
    proxy.stall({ match: is("PUT", INDEX), forward: false });
    const run = await publish(bucket, "1.1.0", proxy.endpoint, ...TIMEOUT);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("cannot write");
    expect(run.stderr).toContain(`s3://${bucket}/${INDEX}`);
    expect(run.stderr).toContain("TimeoutError");
    expect(run.stderr).toContain("2000 ms requestTimeout");
    const writes = count(`PUT ${INDEX}`);
    expect(writes).toBeGreaterThan(1);
    expect(writes).toBeLessThanOrEqual(10);
    // index.yaml is the very object that was there before, byte for byte and ETag; the new
    // archive is stored but not listed, which is the state a rerun goes on from.
    const after = await contents(bucket);
    expect(after[INDEX]).toBe(before[INDEX]);
    expect(Object.keys(after).sort()).toEqual([...Object.keys(before), archive("1.1.0")].sort());
    expect(await publishedVersions(bucket)).toEqual(["1.0.0"]);

    proxy.reset();
    const again = await publish(bucket, "1.1.0", proxy.endpoint, ...TIMEOUT);
    expect(again.stderr).not.toMatch(/^error/m);
    expect(again.status).toBe(0);
    expect(again.stderr).toContain("already stored with the same bytes");
    expect(await publishedVersions(bucket)).toEqual(["1.1.0", "1.0.0"]);
  });

  it("survives an index write that lands but whose answer never comes: the retry finds its own write", async () => {
    const bucket = await bucketWithFirstVersion();
    proxy.stall({ match: is("PUT", INDEX), forward: true, times: 1 });
    const run = await publish(bucket, "1.1.0", proxy.endpoint, ...TIMEOUT);
    expect(run.stderr).not.toMatch(/^error/m);
    expect(run.status).toBe(0);
    // The store took the first write; the SDK's retry of the same If-Match write then lost the
    // compare-and-swap (412) to it, so the publisher re-read the index and found 1.1.0 listed with
    // its digest: nothing written twice, nothing lost.
    expect(proxy.requests.find((request) => request.outcome === "stalled")?.upstreamStatus).toBe(200);
    expect(indexTraffic()).toEqual(["GET 200", "PUT stalled", "PUT 412", "GET 200", "GET 200"]);
    expect(run.stderr).toContain("changed by another publisher");
    expect(run.stderr).toContain("already listed with this digest");
    expect(await publishedVersions(bucket)).toEqual(["1.1.0", "1.0.0"]);
  });
});
