/**
 * Every answer of the local repository server carries the security headers the CDN adds
 * (infrastructure/lib/distribution.ts): objects, the root page, 304, and every error.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RepoServer, startRepoServer } from "../../src/serve/repo-server.js";
import { get, makeTempRepo, type TempRepo } from "./support.js";

let repo: TempRepo;
let server: RepoServer;

beforeAll(async () => {
  repo = await makeTempRepo();
  server = await startRepoServer({ root: repo.root, port: 0, log: () => undefined });
});

afterAll(async () => {
  await server?.close();
  await repo?.remove();
});

describe("security headers of repo serve", () => {
  const cases: Array<[string, () => Promise<{ status: number; headers: Record<string, unknown> }>, number]> =
    [
      ["index.yaml", () => get(`${server.url}/index.yaml`), 200],
      ["an archive", () => get(`${server.url}/kube9-operator-1.0.0.tgz`), 200],
      ["the root page", () => get(`${server.url}/`), 200],
      ["HEAD of index.yaml", () => get(`${server.url}/index.yaml`, { method: "HEAD" }), 200],
      [
        "a 304",
        async () => {
          const first = await get(`${server.url}/index.yaml`);
          return get(`${server.url}/index.yaml`, {
            headers: { "If-None-Match": String(first.headers.etag) },
          });
        },
        304,
      ],
      ["a 404", () => get(`${server.url}/missing.tgz`), 404],
      ["a 405", () => get(`${server.url}/index.yaml`, { method: "POST" }), 405],
    ];

  it.each(cases)("on %s: CSP allowing nothing, no framing, nosniff", async (_label, request, status) => {
    const reply = await request();
    expect(reply.status).toBe(status);
    expect(reply.headers["content-security-policy"]).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(reply.headers["x-frame-options"]).toBe("DENY");
    expect(reply.headers["x-content-type-options"]).toBe("nosniff");
  });
});
