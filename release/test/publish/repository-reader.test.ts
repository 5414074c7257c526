import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { httpRepositoryReader, storeRepositoryReader } from "../../src/publish/repository-reader.js";
import { DirectoryStore } from "../../src/storage/directory-store.js";
import { rejectionOf } from "../support/refusal.js";

/** A fetch answering from a table of URL -> [status, body], recording what was asked. */
function fakeFetch(answers: Record<string, [number, string]>, asked: string[]): typeof fetch {
  return (async (input: string | URL | Request) => {
    const url = String(input);
    asked.push(url);
    const [status, body] = answers[url] ?? [404, "not found"];
    return new Response(body, { status });
  }) as typeof fetch;
}

describe("reading a .prov where Helm looks for it", () => {
  it("through the public URL: next to the archive, relative or absolute; 404 and 403 mean none", async () => {
    const asked: string[] = [];
    const reader = httpRepositoryReader("https://charts.example.test/sub", {
      fetch: fakeFetch(
        {
          "https://charts.example.test/sub/a-1.0.0.tgz.prov": [200, "signed a"],
          "https://other.example.test/b-1.0.0.tgz.prov": [403, "AccessDenied"],
        },
        asked,
      ),
    });
    expect(await reader.readProvenance("a-1.0.0.tgz")).toEqual({
      text: "signed a",
      location: "https://charts.example.test/sub/a-1.0.0.tgz.prov",
    });
    expect(await reader.readProvenance("https://other.example.test/b-1.0.0.tgz")).toBeUndefined();
    expect(await reader.readProvenance("c-1.0.0.tgz")).toBeUndefined();
    expect(asked).toEqual([
      "https://charts.example.test/sub/a-1.0.0.tgz.prov",
      "https://other.example.test/b-1.0.0.tgz.prov",
      "https://charts.example.test/sub/c-1.0.0.tgz.prov",
    ]);
  });

  it("through the public URL: a server error or no answer is a failed verification, not a missing .prov", async () => {
    const failing = httpRepositoryReader("https://charts.example.test", {
      fetch: fakeFetch({ "https://charts.example.test/a-1.0.0.tgz.prov": [500, "oops"] }, []),
    });
    const error = await rejectionOf(failing.readProvenance("a-1.0.0.tgz"), "VERIFY_FAILED");
    expect(error.message).toBe("HTTP 500 ");
    expect(error.file).toBe("https://charts.example.test/a-1.0.0.tgz.prov");
    const down = httpRepositoryReader("https://charts.example.test", {
      fetch: (async () => {
        throw new Error("connect ECONNREFUSED");
      }) as typeof fetch,
    });
    const refused = await rejectionOf(down.readProvenance("a-1.0.0.tgz"), "VERIFY_FAILED");
    expect(refused.message).toBe("cannot download: connect ECONNREFUSED");
  });

  it("from the store: under the archive's file name, undefined when absent", async () => {
    const dir = mkdtempSync(join(tmpdir(), "repository-reader-"));
    try {
      const store = new DirectoryStore(dir);
      await store.putIfAbsent("a-1.0.0.tgz.prov", new TextEncoder().encode("signed a"), {
        contentType: "application/pgp-signature",
        cacheControl: "public, max-age=60",
      });
      const reader = storeRepositoryReader(store, "https://charts.example.test");
      expect(await reader.readProvenance("https://charts.example.test/a-1.0.0.tgz")).toEqual({
        text: "signed a",
        location: `${store.location}/a-1.0.0.tgz.prov`,
      });
      expect(await reader.readProvenance("b-1.0.0.tgz")).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
