/**
 * The Store contract (release/src/storage/store.ts) as one suite that every backend runs: the
 * directory store in release/test/storage, the S3 store against versitygw in test/e2e. A backend's
 * own file keeps only what is particular to it (file modes and names on disk, S3 headers and errors).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isReleaseError } from "../../src/errors.js";
import { objectPolicyFor } from "../../src/storage/object-policy.js";
import type { Store, WriteOptions } from "../../src/storage/store.js";
import { anyRejectionOf } from "./refusal.js";

export interface StoreUnderTest {
  store: Store;
  /** Removes what makeStore created; called after every test. */
  cleanup(): Promise<void>;
}

export interface StoreContractOptions {
  /** How many writers race in the compare-and-swap test. Default 25. */
  concurrentWriters?: number;
}

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (body: Uint8Array | undefined) => new TextDecoder().decode(body);

/** What the publisher writes with each key: the one rule in storage/object-policy.ts. */
function optionsFor(key: string): WriteOptions {
  const { contentType, cacheControl } = objectPolicyFor(key);
  return { contentType, cacheControl };
}

/** Registers the contract tests for one backend; makeStore gives each test a new, empty store. */
export function describeStoreContract(
  name: string,
  makeStore: () => Promise<StoreUnderTest>,
  options: StoreContractOptions = {},
): void {
  const concurrentWriters = options.concurrentWriters ?? 25;

  describe(`${name}: the Store contract`, () => {
    let subject: StoreUnderTest | undefined;
    let store: Store;

    beforeEach(async () => {
      subject = await makeStore();
      store = subject.store;
    });

    afterEach(async () => {
      await subject?.cleanup();
      subject = undefined;
    });

    it("answers undefined for a missing key, and lists an empty store", async () => {
      expect(await store.get("index.yaml")).toBeUndefined();
      expect(await store.list()).toEqual([]);
    });

    it("creates only once: a second create-only write fails and keeps the first bytes", async () => {
      const first = await store.putIfAbsent("a.tgz", bytes("one"), optionsFor("a.tgz"));
      expect(first.etag).toBe((await store.get("a.tgz"))?.etag);
      const error = await anyRejectionOf(store.putIfAbsent("a.tgz", bytes("two"), optionsFor("a.tgz")));
      expect(isReleaseError(error, "PRECONDITION_FAILED")).toBe(true);
      expect(text((await store.get("a.tgz"))?.body)).toBe("one");
    });

    it("replaces only when the ETag still matches", async () => {
      const index = optionsFor("index.yaml");
      const { etag } = await store.putIfAbsent("index.yaml", bytes("v1"), index);
      expect((await store.get("index.yaml"))?.etag).toBe(etag);
      const second = await store.putIfMatch("index.yaml", bytes("v2"), etag, index);
      expect(second.etag).not.toBe(etag);
      expect((await store.get("index.yaml"))?.etag).toBe(second.etag);
      const stale = await anyRejectionOf(store.putIfMatch("index.yaml", bytes("v3"), etag, index));
      expect(isReleaseError(stale, "PRECONDITION_FAILED")).toBe(true);
      expect(text((await store.get("index.yaml"))?.body)).toBe("v2");
    });

    it("refuses to replace a missing object, as it refuses a changed one", async () => {
      const { etag } = await store.putIfAbsent("index.yaml", bytes("v1"), optionsFor("index.yaml"));
      const missing = await anyRejectionOf(
        store.putIfMatch("other.yaml", bytes("x"), etag, optionsFor("other.yaml")),
      );
      expect(isReleaseError(missing, "PRECONDITION_FAILED")).toBe(true);
      expect(await store.get("other.yaml")).toBeUndefined();
    });

    it("lists its objects sorted by key, with their sizes", async () => {
      await store.putIfAbsent(
        "kube9-operator-1.0.0.tgz",
        bytes("archive"),
        optionsFor("kube9-operator-1.0.0.tgz"),
      );
      const { etag } = await store.putIfAbsent("index.yaml", bytes("v1 longer"), optionsFor("index.yaml"));
      await store.putIfMatch("index.yaml", bytes("v2"), etag, optionsFor("index.yaml"));
      const objects = await store.list();
      expect(objects.map((object) => [object.key, object.size])).toEqual([
        ["index.yaml", 2],
        ["kube9-operator-1.0.0.tgz", 7],
      ]);
      expect(objects.every((object) => object.lastModified instanceof Date)).toBe(true);
    });

    it("loses no update when many writers compare-and-swap at once", async () => {
      const index = optionsFor("index.yaml");
      await store.putIfAbsent("index.yaml", bytes(""), index);
      const writers = Array.from({ length: concurrentWriters }, (_, writer) => async () => {
        for (;;) {
          const current = await store.get("index.yaml");
          if (current === undefined) throw new Error("index vanished");
          try {
            await store.putIfMatch(
              "index.yaml",
              bytes(`${text(current.body)}writer-${writer}\n`),
              current.etag,
              index,
            );
            return;
          } catch (error) {
            if (!isReleaseError(error, "PRECONDITION_FAILED")) throw error;
          }
        }
      });
      await Promise.all(writers.map((write) => write()));
      const lines = text((await store.get("index.yaml"))?.body)
        .trim()
        .split("\n")
        .sort();
      expect(lines).toEqual(
        Array.from({ length: concurrentWriters }, (_, writer) => `writer-${writer}`).sort(),
      );
    });
  });
}
