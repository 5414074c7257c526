/** The S3 store against versitygw: the same contract as the directory store, over real S3 calls. */
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isReleaseError, type ReleaseError } from "../../release/src/errors.js";
import { ARCHIVE_POLICY, INDEX_POLICY } from "../../release/src/storage/object-policy.js";
import { S3Store } from "../../release/src/storage/s3-store.js";
import { type S3StandIn, startVersitygw } from "../support/versitygw.js";

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (body: Uint8Array | undefined) => new TextDecoder().decode(body);
const INDEX = { contentType: INDEX_POLICY.contentType, cacheControl: INDEX_POLICY.cacheControl };
const ARCHIVE = { contentType: ARCHIVE_POLICY.contentType, cacheControl: ARCHIVE_POLICY.cacheControl };

let s3: S3StandIn;
let bucketNumber = 0;

async function freshStore(prefix = ""): Promise<S3Store> {
  bucketNumber += 1;
  const bucket = `store-test-${bucketNumber}`;
  await s3.createBucket(bucket);
  return new S3Store(s3.client(), { bucket, prefix });
}

async function errorOf(promise: Promise<unknown>): Promise<ReleaseError> {
  try {
    await promise;
  } catch (error) {
    if (isReleaseError(error)) return error;
    throw error;
  }
  throw new Error("expected a rejection");
}

beforeAll(async () => {
  s3 = await startVersitygw();
});

afterAll(async () => {
  await s3?.stop();
});

describe("S3Store on versitygw", () => {
  it("answers undefined for a missing key, and lists an empty bucket", async () => {
    const store = await freshStore();
    expect(await store.get("index.yaml")).toBeUndefined();
    expect(await store.list()).toEqual([]);
  });

  it("creates only once, keeping the first bytes", async () => {
    const store = await freshStore();
    await store.putIfAbsent("a.tgz", bytes("one"), ARCHIVE);
    const error = await errorOf(store.putIfAbsent("a.tgz", bytes("two"), ARCHIVE));
    expect(error.code).toBe("PRECONDITION_FAILED");
    expect(text((await store.get("a.tgz"))?.body)).toBe("one");
  });

  it("replaces only when the ETag still matches", async () => {
    const store = await freshStore();
    const { etag } = await store.putIfAbsent("index.yaml", bytes("v1"), INDEX);
    const read = await store.get("index.yaml");
    expect(read?.etag).toBe(etag);
    await store.putIfMatch("index.yaml", bytes("v2"), etag, INDEX);
    const stale = await errorOf(store.putIfMatch("index.yaml", bytes("v3"), etag, INDEX));
    expect(stale.code).toBe("PRECONDITION_FAILED");
    expect(text((await store.get("index.yaml"))?.body)).toBe("v2");
  });

  it("stores Content-Type and Cache-Control, and no Content-Encoding", async () => {
    const store = await freshStore("charts/");
    await store.putIfAbsent("kube9-operator-1.0.0.tgz", bytes("archive"), ARCHIVE);
    await store.putIfAbsent("index.yaml", bytes("apiVersion: v1"), INDEX);
    const head = (key: string) =>
      s3.client().send(new HeadObjectCommand({ Bucket: `store-test-${bucketNumber}`, Key: key }));
    const archive = await head("charts/kube9-operator-1.0.0.tgz");
    expect([archive.ContentType, archive.CacheControl, archive.ContentEncoding]).toEqual([
      "application/gzip",
      "public, max-age=31536000, immutable",
      undefined,
    ]);
    const index = await head("charts/index.yaml");
    expect([index.ContentType, index.CacheControl]).toEqual(["application/yaml", "public, max-age=300"]);
    expect((await store.list()).map((object) => object.key)).toEqual([
      "index.yaml",
      "kube9-operator-1.0.0.tgz",
    ]);
  });

  it("loses no update when many writers compare-and-swap at once", async () => {
    const store = await freshStore();
    await store.putIfAbsent("index.yaml", bytes(""), INDEX);
    await Promise.all(
      Array.from({ length: 15 }, async (_, writer) => {
        for (;;) {
          const current = await store.get("index.yaml");
          if (current === undefined) throw new Error("index vanished");
          try {
            await store.putIfMatch(
              "index.yaml",
              bytes(`${text(current.body)}writer-${writer}\n`),
              current.etag,
              INDEX,
            );
            return;
          } catch (error) {
            if (!isReleaseError(error, "PRECONDITION_FAILED")) throw error;
          }
        }
      }),
    );
    const lines = text((await store.get("index.yaml"))?.body)
      .trim()
      .split("\n")
      .sort();
    expect(lines).toEqual(Array.from({ length: 15 }, (_, writer) => `writer-${writer}`).sort());
  });

  it("stops on a missing bucket with the fix", async () => {
    const store = new S3Store(s3.client(), { bucket: "no-such-bucket-here", prefix: "" });
    const error = await errorOf(store.get("index.yaml"));
    expect(error.code).toBe("STORAGE_FAILED");
    expect(error.message).toContain("NoSuchBucket");
    expect(error.fix).toContain("bucket does not exist");
  });

  it("stops on bad credentials with the fix, never answering 'missing'", async () => {
    const store = new S3Store(s3.client({ secretAccessKey: "wrong-secret-key-000000000" }), {
      bucket: `store-test-${bucketNumber}`,
      prefix: "",
    });
    const error = await errorOf(store.get("index.yaml"));
    expect(error.code).toBe("STORAGE_FAILED");
    expect(error.fix).toMatch(/credentials/);
  });
});
