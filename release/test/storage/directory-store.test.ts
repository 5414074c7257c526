import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isReleaseError } from "../../src/errors.js";
import { DirectoryStore } from "../../src/storage/directory-store.js";
import { withFileLock } from "../../src/storage/file-lock.js";
import { anyRejectionOf } from "../support/refusal.js";
import { describeStoreContract } from "../support/store-contract.js";

const OPTIONS = { contentType: "application/yaml", cacheControl: "public, max-age=300" };
const bytes = (text: string) => new TextEncoder().encode(text);
const text = (body: Uint8Array) => new TextDecoder().decode(body);

// The repository directory does not exist yet: an empty store is a missing directory.
describeStoreContract(
  "DirectoryStore",
  async () => {
    const parent = mkdtempSync(join(tmpdir(), "kube9-dirstore-"));
    return {
      store: new DirectoryStore(join(parent, "repo")),
      cleanup: async () => rmSync(parent, { recursive: true, force: true }),
    };
  },
  { concurrentWriters: 25 },
);

let root: string;
let store: DirectoryStore;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "kube9-dirstore-"));
  store = new DirectoryStore(join(root, "repo"));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe("DirectoryStore", () => {
  it("throws, rather than answering 'missing', when an object cannot be read", async () => {
    mkdirSync(join(root, "repo", "index.yaml"), { recursive: true });
    const error = await anyRejectionOf(store.get("index.yaml"));
    expect(isReleaseError(error, "STORAGE_FAILED")).toBe(true);
    expect((error as Error).message).toContain("EISDIR");
  });

  it("makes the same bytes written again a new version, so the ETag before it goes stale", async () => {
    const { etag } = await store.putIfAbsent("index.yaml", bytes("v1"), OPTIONS);
    const second = await store.putIfMatch("index.yaml", bytes("v2"), etag, OPTIONS);
    // S3 differs here: its ETag is the bytes' MD5, so rewriting the same bytes keeps it.
    const third = await store.putIfMatch("index.yaml", bytes("v2"), second.etag, OPTIONS);
    expect(third.etag).not.toBe(second.etag);
    const stale = await anyRejectionOf(store.putIfMatch("index.yaml", bytes("v3"), second.etag, OPTIONS));
    expect(isReleaseError(stale, "PRECONDITION_FAILED")).toBe(true);
    expect(text((await store.get("index.yaml"))?.body ?? bytes(""))).toBe("v2");
  });

  it("leaves no temporary or lock files behind, and lists only visible files", async () => {
    const { etag } = await store.putIfAbsent("index.yaml", bytes("v1"), OPTIONS);
    await store.putIfMatch("index.yaml", bytes("v2"), etag, OPTIONS);
    await anyRejectionOf(store.putIfAbsent("index.yaml", bytes("v3"), OPTIONS));
    await store.putIfAbsent("kube9-operator-1.0.0.tgz", bytes("archive"), OPTIONS);
    expect(readdirSync(join(root, "repo")).sort()).toEqual(["index.yaml", "kube9-operator-1.0.0.tgz"]);
    writeFileSync(join(root, "repo", ".hidden"), "x");
    expect((await store.list()).map((object) => [object.key, object.size])).toEqual([
      ["index.yaml", 2],
      ["kube9-operator-1.0.0.tgz", 7],
    ]);
  });

  it.each(["../escape.yaml", "/etc/passwd", "a/../../b", ".index.yaml.lock", ""])(
    "refuses the key %j",
    async (key) => {
      const error = await anyRejectionOf(store.get(key));
      expect(isReleaseError(error, "STORAGE_FAILED")).toBe(true);
    },
  );

  it("reports a write into a path under a file with the reason and a fix", async () => {
    writeFileSync(join(root, "file"), "x");
    const blocked = new DirectoryStore(join(root, "file", "repo"));
    const error = await anyRejectionOf(blocked.putIfAbsent("index.yaml", bytes("x"), OPTIONS));
    expect(isReleaseError(error, "STORAGE_FAILED")).toBe(true);
    expect((error as Error).message).toContain("ENOTDIR");
  });
});

describe("withFileLock", () => {
  it("takes over a lock whose owner died", async () => {
    const lock = join(root, "dead.lock");
    const child = spawn(process.execPath, ["-e", ""]);
    const deadPid = await new Promise<number>((resolve) => child.once("exit", () => resolve(child.pid ?? 0)));
    writeFileSync(lock, `${deadPid}\n`);
    const result = await withFileLock(lock, async () => readFileSync(lock, "utf8"), { timeoutMs: 5_000 });
    expect(result).toBe(`${process.pid}\n`);
  });

  it("waits for a live owner and then times out with a fix", async () => {
    const lock = join(root, "live.lock");
    writeFileSync(lock, `${process.pid}\n`);
    const error = await anyRejectionOf(withFileLock(lock, async () => "never", { timeoutMs: 300 }));
    expect(isReleaseError(error, "STORAGE_FAILED")).toBe(true);
    expect((error as { fix?: string }).fix).toContain("delete the lock file");
  });
});
