import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cacheControlOf, INDEX } from "../../src/policy/repository-policy.js";
import { putRepositoryMetadata } from "../../src/publish/repository-metadata.js";
import { DirectoryStore } from "../../src/storage/directory-store.js";
import { objectPolicyFor } from "../../src/storage/object-policy.js";
import type { Store, WriteOptions } from "../../src/storage/store.js";
import { rejectionOf } from "../support/refusal.js";

const FIRST = new TextEncoder().encode("owners: []\n");
const SECOND = new TextEncoder().encode("repositoryID: 0c5e1bd2-6f3a-4b4e-9d8e-5f2b1c3d4e5f\n");
const THIRD = new TextEncoder().encode("ignore: []\n");

let root: string;
let store: DirectoryStore;
let lines: string[];
const log = (line: string) => lines.push(line);
const stored = () => readFileSync(join(root, "artifacthub-repo.yml"), "utf8");

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "kube9-ahub-repo-"));
  store = new DirectoryStore(root);
  lines = [];
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe("artifacthub-repo.yml put next to index.yaml", () => {
  it("creates it, leaves the same bytes alone, replaces other bytes", async () => {
    expect(await putRepositoryMetadata(store, FIRST, log)).toBe("created");
    expect(await putRepositoryMetadata(store, FIRST, log)).toBe("unchanged");
    expect(stored()).toBe("owners: []\n");
    expect(await putRepositoryMetadata(store, SECOND, log)).toBe("updated");
    expect(stored()).toMatch(/^repositoryID/);
    expect(lines).toEqual([
      "artifacthub-repo.yml: created",
      "artifacthub-repo.yml: already up to date",
      "artifacthub-repo.yml: updated",
    ]);
  });

  it("writes conditionally with the object policy's headers, and reads again after a lost race", async () => {
    const writes: { how: string; options: WriteOptions }[] = [];
    let raced = false;
    const racing: Store = {
      location: store.location,
      get: (key) => store.get(key),
      list: () => store.list(),
      putIfAbsent: async (key, body, options) => {
        writes.push({ how: "absent", options });
        if (!raced) {
          raced = true; // another publisher creates it between our read and our write
          await store.putIfAbsent(key, THIRD, options);
        }
        return store.putIfAbsent(key, body, options);
      },
      putIfMatch: async (key, body, etag, options) => {
        writes.push({ how: "match", options });
        return store.putIfMatch(key, body, etag, options);
      },
    };
    expect(await putRepositoryMetadata(racing, FIRST, log)).toBe("updated");
    expect(stored()).toBe("owners: []\n");
    expect(writes.map((w) => w.how)).toEqual(["absent", "match"]);
    const policy = objectPolicyFor("artifacthub-repo.yml");
    for (const { options } of writes)
      expect(options).toEqual({ contentType: policy.contentType, cacheControl: policy.cacheControl });
    expect(lines).toContain("artifacthub-repo.yml: changed by another writer meanwhile; reading it again");
  });

  it("gives up, naming the file, when it keeps changing", async () => {
    const busy: Store = {
      location: store.location,
      get: async () => ({ body: THIRD, etag: String(Math.random()) }),
      list: () => store.list(),
      putIfAbsent: () => store.putIfAbsent("x", FIRST, { contentType: "a", cacheControl: "b" }),
      putIfMatch: (key, body, etag, options) => store.putIfMatch(key, body, etag, options),
    };
    const error = await rejectionOf(putRepositoryMetadata(busy, FIRST, log), "PRECONDITION_FAILED");
    expect(error.file).toBe(`${store.location}/artifacthub-repo.yml`);
    expect(error.fix).toMatch(/re-run/);
  });
});

describe("how artifacthub-repo.yml is served (storage/object-policy.ts)", () => {
  it.each(["artifacthub-repo.yml", "charts/artifacthub-repo.yml"])(
    "%s: YAML, cached like index.yaml, compressible",
    (key) => {
      expect(objectPolicyFor(key)).toEqual({
        contentType: "application/yaml",
        cacheControl: cacheControlOf(INDEX.cache),
        compressible: true,
      });
      expect(objectPolicyFor(key).cacheControl).toBe(objectPolicyFor("index.yaml").cacheControl);
    },
  );

  it("is matched by its exact name only", () => {
    expect(objectPolicyFor("my-artifacthub-repo.yml").contentType).toBe("application/octet-stream");
  });
});
