import { readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { Agent, createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isReleaseError, ReleaseError } from "../../src/errors.js";
import { listen } from "../../src/rehearse/stand-ins/net.js";
import { contentEtag } from "../../src/serve/conditional.js";
import type { RepoSource } from "../../src/serve/directory-source.js";
import { createRepoHandler } from "../../src/serve/handler.js";
import { type RepoServer, startRepoServer } from "../../src/serve/repo-server.js";
import { objectPolicyFor } from "../../src/storage/object-policy.js";
import { ARCHIVE_BYTES, get, makeTempRepo, type TempRepo } from "./support.js";

const ARCHIVE = "kube9-operator-1.0.0.tgz";

let repo: TempRepo;
let server: RepoServer;
let lines: string[];

beforeEach(async () => {
  repo = await makeTempRepo();
  lines = [];
  server = await startRepoServer({ root: repo.root, port: 0, log: (line) => lines.push(line) });
});

afterEach(async () => {
  await server.close();
  await repo.remove();
});

async function fileBytes(name: string): Promise<Buffer> {
  return readFile(path.join(repo.root, name));
}

describe("headers from the object policy", () => {
  it("serves index.yaml as YAML, cached as the policy says, varying on Accept-Encoding", async () => {
    const reply = await get(`${server.url}/index.yaml`);
    const bytes = await fileBytes("index.yaml");
    const policy = objectPolicyFor("index.yaml");
    expect(reply.status).toBe(200);
    expect(reply.headers["content-type"]).toBe(policy.contentType);
    expect(reply.headers["cache-control"]).toBe(policy.cacheControl);
    expect(reply.headers.vary).toBe("Accept-Encoding");
    expect(reply.headers["x-content-type-options"]).toBe("nosniff");
    expect(reply.headers["accept-ranges"]).toBe("none");
    expect(reply.headers["content-encoding"]).toBeUndefined();
    expect(reply.headers["content-length"]).toBe(String(bytes.byteLength));
    expect(reply.headers.etag).toBe(contentEtag(bytes));
    expect(reply.headers["last-modified"]).toBe(
      (await stat(path.join(repo.root, "index.yaml"))).mtime.toUTCString(),
    );
    expect(reply.body.equals(bytes)).toBe(true);
  });

  it("serves an archive as application/gzip, immutable, without Vary", async () => {
    const reply = await get(`${server.url}/${ARCHIVE}`);
    const policy = objectPolicyFor(ARCHIVE);
    expect(reply.status).toBe(200);
    expect(policy.compressible).toBe(false);
    expect(reply.headers["content-type"]).toBe(policy.contentType);
    expect(reply.headers["cache-control"]).toBe(policy.cacheControl);
    expect(reply.headers.vary).toBeUndefined();
    expect(reply.headers["x-content-type-options"]).toBe("nosniff");
    expect(reply.headers["content-length"]).toBe(String(ARCHIVE_BYTES.byteLength));
    expect(reply.body.equals(ARCHIVE_BYTES)).toBe(true);
  });

  it("serves a provenance file with its own policy", async () => {
    const name = `${ARCHIVE}.prov`;
    const reply = await get(`${server.url}/${name}`);
    expect(reply.status).toBe(200);
    expect(reply.headers["content-type"]).toBe(objectPolicyFor(name).contentType);
    expect(reply.headers["cache-control"]).toBe(objectPolicyFor(name).cacheControl);
  });

  it("ignores the query string, like a CDN with a default cache policy", async () => {
    const reply = await get(`${server.url}/index.yaml?cache-buster=1`);
    expect(reply.status).toBe(200);
    expect(reply.body.equals(await fileBytes("index.yaml"))).toBe(true);
  });
});

describe("ETag", () => {
  it("is the same from two servers on the same bytes, and differs for other bytes", async () => {
    const other = await makeTempRepo();
    const second = await startRepoServer({ root: other.root, port: 0 });
    try {
      for (const name of ["index.yaml", ARCHIVE]) {
        const a = await get(`${server.url}/${name}`);
        const b = await get(`${second.url}/${name}`);
        expect(a.headers.etag).toMatch(/^"[0-9a-f]+"$/);
        expect(b.headers.etag).toBe(a.headers.etag);
      }
      await writeFile(path.join(other.root, "index.yaml"), "apiVersion: v1\nentries: {}\n");
      const changed = await get(`${second.url}/index.yaml`);
      const original = await get(`${server.url}/index.yaml`);
      expect(changed.headers.etag).not.toBe(original.headers.etag);
    } finally {
      await second.close();
      await other.remove();
    }
  });
});

describe("conditional requests", () => {
  it("answers 304 with ETag and Cache-Control and no body when If-None-Match matches", async () => {
    const first = await get(`${server.url}/index.yaml`);
    const etag = String(first.headers.etag);
    for (const ifNoneMatch of [etag, `"nope", ${etag}`, `W/${etag}`, "*"]) {
      const reply = await get(`${server.url}/index.yaml`, { headers: { "If-None-Match": ifNoneMatch } });
      expect(reply.status, ifNoneMatch).toBe(304);
      expect(reply.headers.etag).toBe(etag);
      expect(reply.headers["cache-control"]).toBe(objectPolicyFor("index.yaml").cacheControl);
      expect(reply.headers.vary).toBe("Accept-Encoding");
      expect(reply.body.byteLength).toBe(0);
    }
    const other = await get(`${server.url}/index.yaml`, { headers: { "If-None-Match": '"nope"' } });
    expect(other.status).toBe(200);
  });

  it("answers 200 with the new bytes and a new ETag once the file changed", async () => {
    const first = await get(`${server.url}/index.yaml`);
    const etag = String(first.headers.etag);
    const next = "apiVersion: v1\nentries: {}\ngenerated: '2026-02-01T00:00:00Z'\n";
    await writeFile(path.join(repo.root, "index.yaml"), next);
    const reply = await get(`${server.url}/index.yaml`, { headers: { "If-None-Match": etag } });
    expect(reply.status).toBe(200);
    expect(reply.body.toString()).toBe(next);
    expect(reply.headers.etag).not.toBe(etag);
    expect(reply.headers.etag).toBe(contentEtag(Buffer.from(next)));
  });

  it("honours If-Modified-Since only without If-None-Match", async () => {
    const first = await get(`${server.url}/${ARCHIVE}`);
    const lastModified = String(first.headers["last-modified"]);
    const since = await get(`${server.url}/${ARCHIVE}`, { headers: { "If-Modified-Since": lastModified } });
    expect(since.status).toBe(304);
    expect(since.headers.etag).toBe(first.headers.etag);
    const before = await get(`${server.url}/${ARCHIVE}`, {
      headers: { "If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT" },
    });
    expect(before.status).toBe(200);
    const both = await get(`${server.url}/${ARCHIVE}`, {
      headers: { "If-Modified-Since": lastModified, "If-None-Match": '"other"' },
    });
    expect(both.status).toBe(200);
    expect(both.body.equals(ARCHIVE_BYTES)).toBe(true);
  });
});

describe("HEAD", () => {
  it.each([
    ["index.yaml", {}],
    ["index.yaml", { "Accept-Encoding": "gzip" }],
    [ARCHIVE, {}],
  ])("answers %s with the headers of GET and no body (%j)", async (name, headers) => {
    const full = await get(`${server.url}/${name}`, { headers });
    const head = await get(`${server.url}/${name}`, { method: "HEAD", headers });
    expect(head.status).toBe(200);
    expect(head.body.byteLength).toBe(0);
    const { date: _getDate, ...getHeaders } = full.headers;
    const { date: _headDate, ...headHeaders } = head.headers;
    expect(headHeaders).toEqual(getHeaders);
    expect(head.headers["content-length"]).toBe(String(full.body.byteLength));
  });
});

describe("compression", () => {
  it("sends index.yaml gzipped when asked, with its own ETag", async () => {
    const bytes = await fileBytes("index.yaml");
    const reply = await get(`${server.url}/index.yaml`, {
      headers: { "Accept-Encoding": "gzip, deflate, br" },
    });
    expect(reply.status).toBe(200);
    expect(reply.headers["content-encoding"]).toBe("gzip");
    expect(reply.headers.vary).toBe("Accept-Encoding");
    expect(reply.headers["content-type"]).toBe(objectPolicyFor("index.yaml").contentType);
    expect(reply.headers["content-length"]).toBe(String(reply.body.byteLength));
    expect(reply.body.byteLength).toBeLessThan(bytes.byteLength);
    expect(gunzipSync(reply.body).equals(bytes)).toBe(true);
    expect(reply.headers.etag).toBe(contentEtag(bytes, "gzip"));
    expect(reply.headers.etag).not.toBe(contentEtag(bytes));
  });

  it("matches If-None-Match against the representation it would send", async () => {
    const bytes = await fileBytes("index.yaml");
    const gzipTag = contentEtag(bytes, "gzip");
    const gzipped = await get(`${server.url}/index.yaml`, {
      headers: { "Accept-Encoding": "gzip", "If-None-Match": gzipTag },
    });
    expect(gzipped.status).toBe(304);
    expect(gzipped.headers.etag).toBe(gzipTag);
    const identity = await get(`${server.url}/index.yaml`, { headers: { "If-None-Match": gzipTag } });
    expect(identity.status).toBe(200);
    expect(identity.headers["content-encoding"]).toBeUndefined();
  });

  it.each([[undefined], ["gzip;q=0"], ["identity"], ["br"], ["gzip;q=0.5, identity"], ["*;q=0"]])(
    "sends index.yaml uncompressed for Accept-Encoding %j",
    async (acceptEncoding) => {
      const headers: Record<string, string> =
        acceptEncoding === undefined ? {} : { "Accept-Encoding": acceptEncoding };
      const reply = await get(`${server.url}/index.yaml`, { headers });
      expect(reply.status).toBe(200);
      expect(reply.headers["content-encoding"]).toBeUndefined();
      expect(reply.body.equals(await fileBytes("index.yaml"))).toBe(true);
      expect(reply.headers.vary).toBe("Accept-Encoding");
    },
  );

  it.each([["gzip"], ["gzip, deflate, br"], ["*"], ["x-gzip;q=1"]])(
    "never compresses an archive (Accept-Encoding %j): bytes identical to the file",
    async (acceptEncoding) => {
      const reply = await get(`${server.url}/${ARCHIVE}`, { headers: { "Accept-Encoding": acceptEncoding } });
      expect(reply.status).toBe(200);
      expect(reply.headers["content-encoding"]).toBeUndefined();
      expect(reply.headers["content-type"]).toBe(objectPolicyFor(ARCHIVE).contentType);
      expect(reply.body.equals(ARCHIVE_BYTES)).toBe(true);
      expect(reply.headers.etag).toBe(contentEtag(ARCHIVE_BYTES));
    },
  );
});

describe("fresh reads", () => {
  it("shows a file published while serving, and forgets a removed one", async () => {
    const name = "kube9-operator-1.1.0.tgz";
    expect((await get(`${server.url}/${name}`)).status).toBe(404);
    // Published the way a store does it: a temp dotfile, then a rename.
    const temp = path.join(repo.root, `.${name}.tmp-1`);
    await writeFile(temp, "new archive");
    expect((await get(`${server.url}/.${name}.tmp-1`)).status).toBe(404);
    await rename(temp, path.join(repo.root, name));
    const published = await get(`${server.url}/${name}`);
    expect(published.status).toBe(200);
    expect(published.body.toString()).toBe("new archive");
    await rm(path.join(repo.root, name));
    expect((await get(`${server.url}/${name}`)).status).toBe(404);
  });
});

describe("routing", () => {
  it.each([["POST"], ["PUT"], ["DELETE"], ["PATCH"], ["OPTIONS"]])(
    "answers %s with 405 and Allow: GET, HEAD",
    async (method) => {
      const reply = await get(`${server.url}/index.yaml`, { method });
      expect(reply.status).toBe(405);
      expect(reply.headers.allow).toBe("GET, HEAD");
    },
  );

  it("answers a missing file with 404 and a short text body", async () => {
    const reply = await get(`${server.url}/kube9-operator-9.9.9.tgz`);
    expect(reply.status).toBe(404);
    expect(reply.headers["content-type"]).toMatch(/^text\/plain/);
    expect(reply.headers["cache-control"]).toBe("no-store");
    expect(reply.body.toString()).toBe("not found\n");
  });

  it("answers / with a plain-text list of the root's files, without dotfiles", async () => {
    await writeFile(path.join(repo.root, ".index.yaml.lock"), "");
    const reply = await get(`${server.url}/`);
    expect(reply.status).toBe(200);
    expect(reply.headers["content-type"]).toBe("text/plain; charset=utf-8");
    const text = reply.body.toString();
    expect(text).toContain(`helm repo add <name> ${server.url}`);
    expect(text).toContain(`\nindex.yaml\n${ARCHIVE}\n${ARCHIVE}.prov\n`);
    expect(text).not.toContain(".lock");
  });

  it("logs one line per request with method, path, status, bytes and time", async () => {
    await get(`${server.url}/${ARCHIVE}`);
    await get(`${server.url}/missing.tgz`, { method: "HEAD" });
    await expect.poll(() => lines.length).toBe(2);
    expect(lines[0]).toMatch(
      new RegExp(`^GET /${ARCHIVE.replaceAll(".", "\\.")} 200 ${ARCHIVE_BYTES.byteLength}B [\\d.]+ms$`),
    );
    expect(lines[1]).toMatch(/^HEAD \/missing\.tgz 404 0B [\d.]+ms$/);
  });
});

describe("read failures", () => {
  let failing: Server;
  let port: number;
  const logged: string[] = [];

  beforeAll(async () => {
    const source: RepoSource = {
      location: "broken",
      read: () => Promise.reject(new Error("EIO: i/o error, read")),
      listRoot: () => Promise.resolve([]),
    };
    failing = createServer(createRepoHandler({ source, log: (line) => logged.push(line) }));
    port = await listen(failing);
  });

  afterAll(async () => {
    await new Promise((resolve) => failing.close(resolve));
  });

  it("answer 500 and are logged", async () => {
    const reply = await get(`http://127.0.0.1:${port}/index.yaml`);
    expect(reply.status).toBe(500);
    expect(reply.body.toString()).not.toContain("EIO");
    await expect.poll(() => logged.length).toBe(2);
    expect(logged).toContain("error serving /index.yaml: EIO: i/o error, read");
    expect(logged.some((line) => line.startsWith("GET /index.yaml 500 "))).toBe(true);
  });
});

describe("binding", () => {
  it("binds 127.0.0.1 by default", () => {
    const address = server.server.address() as AddressInfo;
    expect(address.address).toBe("127.0.0.1");
    expect(address.family).toBe("IPv4");
    expect(server.host).toBe("127.0.0.1");
    expect(server.port).toBe(address.port);
    expect(server.url).toBe(`http://127.0.0.1:${address.port}`);
  });

  it("rejects a port in use with a ReleaseError that suggests --port", async () => {
    const error = await startRepoServer({ root: repo.root, port: server.port }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReleaseError);
    expect(isReleaseError(error, "SERVE_FAILED")).toBe(true);
    expect((error as ReleaseError).message).toMatch(new RegExp(`port ${server.port} is in use`));
    expect((error as ReleaseError).message).toContain("--port");
    expect((error as ReleaseError).fix).toContain("--port");
  });

  it.each([[-1], [65536], [1.5], [Number.NaN]])("rejects port %s up front", async (port) => {
    const error = await startRepoServer({ root: repo.root, port }).catch((e: unknown) => e);
    expect(isReleaseError(error, "USAGE")).toBe(true);
    expect((error as ReleaseError).field).toBe("port");
  });

  it("rejects a repository directory that does not exist", async () => {
    const missing = path.join(repo.outer, "nope");
    const error = await startRepoServer({ root: missing, port: 0 }).catch((e: unknown) => e);
    expect(isReleaseError(error, "USAGE")).toBe(true);
    expect((error as ReleaseError).file).toBe(missing);
  });

  it("rejects a root that is a file", async () => {
    const error = await startRepoServer({ root: path.join(repo.root, "index.yaml"), port: 0 }).catch(
      (e: unknown) => e,
    );
    expect(isReleaseError(error, "USAGE")).toBe(true);
  });

  it("closes with keep-alive connections open, and close can be called twice", async () => {
    const agent = new Agent({ keepAlive: true });
    try {
      const reply = await get(`${server.url}/index.yaml`, { agent });
      expect(reply.status).toBe(200);
      await server.close();
      await server.close();
      await expect(get(`${server.url}/index.yaml`)).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      agent.destroy();
    }
  });
});
