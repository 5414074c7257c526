/** The S3 store against versitygw: the Store contract over real S3 calls, then what only S3 has. */
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARCHIVE_POLICY, INDEX_POLICY } from "../../release/src/storage/object-policy.js";
import { S3Store } from "../../release/src/storage/s3-store.js";
import { rejectionOf } from "../../release/test/support/refusal.js";
import { describeStoreContract } from "../../release/test/support/store-contract.js";
import { type S3StandIn, startVersitygw } from "../support/versitygw.js";

const bytes = (text: string) => new TextEncoder().encode(text);
const INDEX = { contentType: INDEX_POLICY.contentType, cacheControl: INDEX_POLICY.cacheControl };
const ARCHIVE = { contentType: ARCHIVE_POLICY.contentType, cacheControl: ARCHIVE_POLICY.cacheControl };

let s3: S3StandIn;
let bucketNumber = 0;

async function freshBucket(): Promise<string> {
  bucketNumber += 1;
  const bucket = `store-test-${bucketNumber}`;
  await s3.createBucket(bucket);
  return bucket;
}

beforeAll(async () => {
  s3 = await startVersitygw();
});

afterAll(async () => {
  await s3?.stop();
});

// Each test gets its own bucket; versitygw's directory, buckets included, goes in afterAll.
const noCleanup = async () => undefined;

// Each attempt is an HTTP round trip: fewer racing writers than on disk keep the test quick.
describeStoreContract(
  "S3Store on versitygw",
  async () => ({
    store: new S3Store(s3.client(), { bucket: await freshBucket(), prefix: "" }),
    cleanup: noCleanup,
  }),
  { concurrentWriters: 15 },
);

describeStoreContract(
  "S3Store on versitygw under a prefix",
  async () => ({
    store: new S3Store(s3.client(), { bucket: await freshBucket(), prefix: "charts/" }),
    cleanup: noCleanup,
  }),
  { concurrentWriters: 15 },
);

describe("S3Store on versitygw", () => {
  it("stores Content-Type and Cache-Control, and no Content-Encoding", async () => {
    const bucket = await freshBucket();
    const store = new S3Store(s3.client(), { bucket, prefix: "charts/" });
    await store.putIfAbsent("kube9-operator-1.0.0.tgz", bytes("archive"), ARCHIVE);
    await store.putIfAbsent("index.yaml", bytes("apiVersion: v1"), INDEX);
    const head = (key: string) => s3.client().send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    const archive = await head("charts/kube9-operator-1.0.0.tgz");
    expect([archive.ContentType, archive.CacheControl, archive.ContentEncoding]).toEqual([
      ARCHIVE_POLICY.contentType,
      ARCHIVE_POLICY.cacheControl,
      undefined,
    ]);
    const index = await head("charts/index.yaml");
    expect([index.ContentType, index.CacheControl]).toEqual([
      INDEX_POLICY.contentType,
      INDEX_POLICY.cacheControl,
    ]);
    expect((await store.list()).map((object) => object.key)).toEqual([
      "index.yaml",
      "kube9-operator-1.0.0.tgz",
    ]);
  });

  it("stops on a missing bucket with the fix", async () => {
    const store = new S3Store(s3.client(), { bucket: "no-such-bucket-here", prefix: "" });
    const error = await rejectionOf(store.get("index.yaml"));
    expect(error.code).toBe("STORAGE_FAILED");
    expect(error.message).toContain("NoSuchBucket");
    expect(error.fix).toContain("bucket does not exist");
  });

  it("stops on bad credentials with the fix, never answering 'missing'", async () => {
    const store = new S3Store(s3.client({ secretAccessKey: "wrong-secret-key-000000000" }), {
      bucket: await freshBucket(),
      prefix: "",
    });
    const error = await rejectionOf(store.get("index.yaml"));
    expect(error.code).toBe("STORAGE_FAILED");
    expect(error.fix).toMatch(/credentials/);
  });
});
