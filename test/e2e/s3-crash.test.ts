/**
 * Crash consistency of `chart publish --repo s3://...` (docs/architecture.md, the publish
 * pipeline): the publisher is SIGKILLed right after each of its storage calls in turn, and once in
 * the middle of the upload of index.yaml. After every kill the index still parses, names no missing
 * archive, real Helm (3 and 4 in turn) can add the repository, list its versions and pull the first
 * one, and running the same command again completes the publish with both versions listed.
 */
import { type ChildProcess, execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeRepositoryReader } from "../../release/src/publish/repository-reader.js";
import { verifyPublished } from "../../release/src/publish/verify.js";
import { parseIndex } from "../../release/src/repo/parse/parse-index.js";
import { S3Store } from "../../release/src/storage/s3-store.js";
import { startBucketOrigin } from "../support/cdn-stand-in.js";
import { type CliRun, startRelease } from "../support/cli.js";
import { type S3FaultProxy, startS3FaultProxy } from "../support/s3-fault-proxy.js";
import { helmClients, repoRoot } from "../support/tools.js";
import { type S3StandIn, startVersitygw } from "../support/versitygw.js";

const CHART = "kube9-operator";
const FIRST = "1.0.0";
const SECOND = "1.1.0";

let s3: S3StandIn;
let proxy: S3FaultProxy;
let work: string;
let bucketNumber = 0;
/** The objects of a bucket holding FIRST, published for real once and copied into fresh buckets. */
let seed: Array<{ key: string; body: Uint8Array; contentType?: string; cacheControl?: string }>;

function start(
  bucket: string,
  version: string,
  endpoint: string,
): { child: ChildProcess; done: Promise<CliRun> } {
  return startRelease(
    ["chart", "publish", "chart", "--repo", `s3://${bucket}/charts`, "--path-style", "--version", version],
    {
      cwd: work,
      env: { ...s3.env, AWS_ENDPOINT_URL_S3: endpoint, SOURCE_DATE_EPOCH: "1700000000" },
    },
  );
}

async function objects(bucket: string): Promise<Map<string, Uint8Array>> {
  const client = s3.client();
  const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
  const result = new Map<string, Uint8Array>();
  for (const object of listed.Contents ?? []) {
    const key = object.Key ?? "";
    const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    result.set(key, (await got.Body?.transformToByteArray()) ?? new Uint8Array());
  }
  return result;
}

/** A fresh bucket in the state right after FIRST was published. */
async function bucketWithFirstVersion(): Promise<string> {
  bucketNumber += 1;
  const bucket = `crash-${bucketNumber}`;
  await s3.createBucket(bucket);
  for (const object of seed) {
    await s3.client().send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: object.key,
        Body: object.body,
        ContentType: object.contentType,
        CacheControl: object.cacheControl,
      }),
    );
  }
  return bucket;
}

async function indexBytes(bucket: string): Promise<Uint8Array> {
  const got = await s3.client().send(new GetObjectCommand({ Bucket: bucket, Key: "charts/index.yaml" }));
  return (await got.Body?.transformToByteArray()) ?? new Uint8Array();
}

/**
 * Read straight from versitygw: the index parses strictly, and every version it lists has its
 * archive stored with the digest the index claims. Returns the listed versions.
 */
async function assertConsistent(bucket: string): Promise<string[]> {
  const store = new S3Store(s3.client(), { bucket, prefix: "charts/" });
  const index = parseIndex(await indexBytes(bucket), `s3://${bucket}/charts/index.yaml`);
  const reader = storeRepositoryReader(store);
  const listed: string[] = [];
  for (const [chart, versions] of Object.entries(index.entries)) {
    for (const entry of versions) {
      const verified = await verifyPublished(reader, {
        chart,
        version: entry.version,
        expectedDigest: entry.digest,
      });
      expect(verified.digest).toBe(entry.digest);
      listed.push(`${chart} ${entry.version}`);
    }
  }
  return listed;
}

const execFileAsync = promisify(execFile);

/**
 * What a user's Helm makes of the bucket right now, read over HTTP without a cache: `helm repo
 * add` accepts the index, `helm search repo` lists exactly `versions`, and `helm pull` of FIRST
 * downloads the bytes published for it. Async exec: the origin answers from this process.
 */
async function assertHelmUses(bucket: string, helm: { label: string; path: string }, versions: string[]) {
  const origin = await startBucketOrigin(s3.client(), bucket, "charts/");
  const home = mkdtempSync(join(work, `${helm.label}-`));
  try {
    const env = {
      ...process.env,
      HELM_CACHE_HOME: join(home, "cache"),
      HELM_CONFIG_HOME: join(home, "config"),
      HELM_DATA_HOME: join(home, "data"),
    };
    const run = async (...args: string[]) =>
      (await execFileAsync(helm.path, args, { env, encoding: "utf8" })).stdout;
    await run("repo", "add", "kube9", origin.url);
    const rows = JSON.parse(
      await run("search", "repo", `kube9/${CHART}`, "--versions", "--devel", "-o", "json"),
    ) as Array<{ version: string }>;
    expect(
      rows.map((row) => row.version),
      `${helm.label} search repo`,
    ).toEqual(versions);
    // Helm writes into the destination but does not create it.
    mkdirSync(join(home, "pulled"));
    await run("pull", `kube9/${CHART}`, "--version", FIRST, "--destination", join(home, "pulled"));
    const pulled = readFileSync(join(home, "pulled", `${CHART}-${FIRST}.tgz`));
    const published = seed.find((object) => object.key === `charts/${CHART}-${FIRST}.tgz`)?.body;
    expect(published).toBeDefined();
    expect(pulled.equals(Buffer.from(published ?? new Uint8Array())), `${helm.label} pull`).toBe(true);
    // Helm really went through the bucket: the index and the archive were read from it.
    expect(origin.requests).toContain("GET /index.yaml");
    expect(origin.requests).toContain(`GET /${CHART}-${FIRST}.tgz`);
  } finally {
    await origin.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

/** The versions of CHART among assertConsistent's "chart version" lines, in index order. */
const versionsOf = (listed: string[]) =>
  listed.filter((line) => line.startsWith(`${CHART} `)).map((line) => line.slice(CHART.length + 1));

beforeAll(async () => {
  s3 = await startVersitygw();
  proxy = await startS3FaultProxy(s3.endpoint);
  work = mkdtempSync(join(tmpdir(), "kube9-s3-crash-"));
  cpSync(join(repoRoot, "charts", "kube9-operator"), join(work, "chart"), { recursive: true });
  bucketNumber += 1;
  const template = `crash-${bucketNumber}`;
  await s3.createBucket(template);
  const first = await start(template, FIRST, s3.endpoint).done;
  expect(first.stderr).not.toMatch(/^error/m);
  expect(first.status).toBe(0);
  const client = s3.client();
  const listed = await client.send(new ListObjectsV2Command({ Bucket: template }));
  seed = [];
  for (const object of listed.Contents ?? []) {
    const got = await client.send(new GetObjectCommand({ Bucket: template, Key: object.Key }));
    seed.push({
      key: object.Key ?? "",
      body: (await got.Body?.transformToByteArray()) ?? new Uint8Array(),
      contentType: got.ContentType,
      cacheControl: got.CacheControl,
    });
  }
  expect(seed.map((object) => object.key).sort()).toEqual(
    [`charts/${CHART}-${FIRST}.tgz`, "charts/index.yaml"].sort(),
  );
});

afterAll(async () => {
  await proxy?.stop();
  await s3?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe("a publisher killed at any point", () => {
  it("leaves a consistent repository after each storage call, and a rerun completes", async () => {
    // Learn the storage calls of an uninterrupted publish of SECOND on a bucket holding FIRST.
    const learnBucket = await bucketWithFirstVersion();
    proxy.reset();
    const learned = await start(learnBucket, SECOND, proxy.endpoint).done;
    expect(learned.stderr).not.toMatch(/^error/m);
    expect(learned.status).toBe(0);
    const calls = proxy.log();
    expect(proxy.requests.every((request) => request.outcome === "forwarded")).toBe(true);
    // At least: the plan's read of the index, the archive upload, the index write.
    expect(calls.length).toBeGreaterThanOrEqual(3);
    const indexRead = calls.indexOf("GET charts/index.yaml");
    const archivePut = calls.indexOf(`PUT charts/${CHART}-${SECOND}.tgz`);
    const indexPut = calls.indexOf("PUT charts/index.yaml");
    expect(indexRead).toBeGreaterThanOrEqual(0);
    expect(archivePut).toBeGreaterThan(indexRead);
    expect(indexPut).toBeGreaterThan(archivePut);
    expect(await assertConsistent(learnBucket)).toEqual([`${CHART} ${SECOND}`, `${CHART} ${FIRST}`]);

    const helms = helmClients();
    const helmSaw = new Set<string>();
    const iterated: string[] = [];
    for (let i = 0; i < calls.length; i += 1) {
      const bucket = await bucketWithFirstVersion();
      proxy.reset();
      const run = start(bucket, SECOND, proxy.endpoint);
      proxy.onDelivered((request) => {
        if (request.n !== i) return;
        // Nothing after call i may reach the store, whatever the child manages to send meanwhile.
        proxy.halt();
        run.child.kill("SIGKILL");
      });
      const killed = await run.done;
      const seen = proxy.log();
      // The same calls as the uninterrupted run, up to the kill.
      expect(seen.slice(0, i + 1)).toEqual(calls.slice(0, i + 1));
      expect(proxy.requests.slice(i + 1).every((request) => request.outcome === "dropped")).toBe(true);
      if (i < calls.length - 1) expect(killed.signal).toBe("SIGKILL");
      else expect(killed.signal === "SIGKILL" || killed.status === 0).toBe(true);
      iterated.push(calls[i] ?? "");

      const listed = await assertConsistent(bucket);
      expect(listed).toContain(`${CHART} ${FIRST}`);
      // The index names SECOND only once the index write has gone through.
      expect(listed.includes(`${CHART} ${SECOND}`)).toBe(i >= indexPut);
      // One Helm per kill, alternating, keeps the run short and still covers both after a kill
      // before and after the index write.
      const helm = helms[i % helms.length];
      if (helm === undefined) throw new Error("no Helm client");
      await assertHelmUses(bucket, helm, versionsOf(listed));
      helmSaw.add(`${helm.label} ${versionsOf(listed).join(",")}`);

      proxy.reset();
      const again = await start(bucket, SECOND, proxy.endpoint).done;
      expect(again.stderr).not.toMatch(/^error/m);
      expect(again.status).toBe(0);
      expect(await assertConsistent(bucket)).toEqual([`${CHART} ${SECOND}`, `${CHART} ${FIRST}`]);
    }
    expect(iterated).toEqual(calls);
    // The alternation covered each Helm on the repository both before and after the index write.
    expect([...helmSaw].sort()).toEqual(
      helms.flatMap(({ label }) => [`${label} ${FIRST}`, `${label} ${SECOND},${FIRST}`]).sort(),
    );
    expect(iterated.length).toBeGreaterThanOrEqual(3);
  });

  it("keeps the old index when killed in the middle of uploading index.yaml", async () => {
    const bucket = await bucketWithFirstVersion();
    const before = await indexBytes(bucket);
    const archivesBefore = [...(await objects(bucket)).keys()].sort();
    proxy.reset();
    const run = start(bucket, SECOND, proxy.endpoint);
    let forwardedBytes = -1;
    let bodyLength = -1;
    proxy.truncate({
      match: (request) => request.method === "PUT" && request.key === "charts/index.yaml",
      bytes: (length) => {
        bodyLength = length;
        forwardedBytes = Math.floor(length / 2);
        return forwardedBytes;
      },
      afterPartialBody: () => {
        proxy.halt();
        run.child.kill("SIGKILL");
      },
    });
    const killed = await run.done;
    expect(killed.signal).toBe("SIGKILL");
    expect(proxy.requests.find((request) => request.outcome === "truncated")?.key).toBe("charts/index.yaml");
    expect(forwardedBytes).toBeGreaterThan(0);
    expect(forwardedBytes).toBeLessThan(bodyLength);

    expect(Buffer.from(await indexBytes(bucket)).equals(Buffer.from(before))).toBe(true);
    expect(await assertConsistent(bucket)).toEqual([`${CHART} ${FIRST}`]);
    for (const helm of helmClients()) await assertHelmUses(bucket, helm, [FIRST]);
    // The archive was uploaded before the index write began; nothing else appeared.
    expect([...(await objects(bucket)).keys()].sort()).toEqual(
      [...archivesBefore, `charts/${CHART}-${SECOND}.tgz`].sort(),
    );

    proxy.reset();
    const again = await start(bucket, SECOND, proxy.endpoint).done;
    expect(again.stderr).not.toMatch(/^error/m);
    expect(again.status).toBe(0);
    expect(await assertConsistent(bucket)).toEqual([`${CHART} ${SECOND}`, `${CHART} ${FIRST}`]);
  });
});
