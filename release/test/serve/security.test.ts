/**
 * Hostile request targets sent byte for byte over a raw socket (fetch and node:http normalise
 * `..` before sending, so they cannot test this).
 */
import { execFileSync } from "node:child_process";
import { mkdir, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RepoServer, startRepoServer } from "../../src/serve/repo-server.js";
import { ARCHIVE_BYTES, makeTempRepo, rawRequest, type TempRepo } from "./support.js";

const SECRET = "outside-the-root-secret";

let repo: TempRepo;
let server: RepoServer;
const lines: string[] = [];

beforeAll(async () => {
  repo = await makeTempRepo();
  const { outer, root } = repo;
  await writeFile(path.join(outer, "secret.txt"), SECRET);
  await mkdir(path.join(outer, "x"));
  await writeFile(path.join(outer, "x", "index.yaml"), SECRET);
  await writeFile(path.join(outer, "x.tgz"), SECRET);
  await mkdir(path.join(root, "charts"));
  await writeFile(path.join(root, "charts", "kube9-operator-2.0.0.tgz"), ARCHIVE_BYTES);
  await writeFile(path.join(root, "charts", ".hidden"), SECRET);
  await writeFile(path.join(root, ".index.yaml.tmp-4242"), SECRET);
  await writeFile(path.join(root, ".lock"), SECRET);
  await symlink(path.join(outer, "secret.txt"), path.join(root, "escape.tgz"));
  await symlink("../secret.txt", path.join(root, "escape-relative.yaml"));
  await symlink(outer, path.join(root, "outside"));
  await symlink(".lock", path.join(root, "lock.tgz"));
  await symlink("kube9-operator-1.0.0.tgz", path.join(root, "latest.tgz"));
  // Node has no mkfifo of its own; coreutils does.
  execFileSync("mkfifo", [path.join(root, "pipe.tgz")]);
  server = await startRepoServer({ root, port: 0, log: (line) => lines.push(line) });
});

afterAll(async () => {
  await server?.close();
  await repo?.remove();
});

describe("path traversal", () => {
  it.each([
    "/../etc/passwd",
    "/../secret.txt",
    "/..",
    "/%2e%2e/secret.txt",
    "/%2E%2E/secret.txt",
    "/.%2e/secret.txt",
    "/%2e./secret.txt",
    "/..%2fsecret.txt",
    "/..%2Fsecret.txt",
    "/charts/..%2f..%2fsecret.txt",
    "/a/../../secret.txt",
    "/a/../../x/index.yaml",
    "/charts/../../x.tgz",
    "/./../secret.txt",
    "/..\\secret.txt",
    "/..%5csecret.txt",
    "/charts\\..\\..\\secret.txt",
    "/%00",
    "/index.yaml%00.tgz",
    "/..%00/secret.txt",
    "//etc/passwd",
    "/%2fetc%2fpasswd",
    "/%c0%ae%c0%ae/secret.txt",
    "/%",
    "http://127.0.0.1/../secret.txt",
    "../secret.txt",
  ])("refuses %j", async (target) => {
    const reply = await rawRequest(server.port, target);
    expect([400, 404]).toContain(reply.status);
    expect(reply.body).not.toContain(SECRET);
    expect(reply.body).not.toContain("root:");
  });

  it("refuses a raw NUL byte in the target", async () => {
    const reply = await rawRequest(server.port, "/index.yaml\0.tgz");
    expect([400, 404]).toContain(reply.status);
  });

  it("still serves a file the same socket client names plainly", async () => {
    const reply = await rawRequest(server.port, "/charts/kube9-operator-2.0.0.tgz");
    expect(reply.status).toBe(200);
    expect(reply.head).toMatch(/\r\ncontent-type: application\/gzip\r\n/i);
    expect(Buffer.from(reply.body, "latin1").equals(ARCHIVE_BYTES)).toBe(true);
  });
});

describe("symlinks", () => {
  it.each([
    "/escape.tgz",
    "/escape-relative.yaml",
    "/outside/secret.txt",
    "/outside/x/index.yaml",
    "/lock.tgz",
  ])("does not follow %j out of the root or to a dotfile", async (target) => {
    const reply = await rawRequest(server.port, target);
    expect(reply.status).toBe(404);
    expect(reply.body).not.toContain(SECRET);
  });

  it("follows a symlink that stays inside the root", async () => {
    const reply = await rawRequest(server.port, "/latest.tgz");
    expect(reply.status).toBe(200);
    expect(Buffer.from(reply.body, "latin1").equals(ARCHIVE_BYTES)).toBe(true);
  });
});

describe("hidden and special files", () => {
  it.each(["/.index.yaml.tmp-4242", "/.lock", "/charts/.hidden", "/%2elock", "/.git/config"])(
    "answers dotfile %j with 404",
    async (target) => {
      const reply = await rawRequest(server.port, target);
      expect(reply.status).toBe(404);
      expect(reply.body).not.toContain(SECRET);
    },
  );

  it.each(["/charts", "/charts/", "/outside/"])("lists no subdirectory: %j is 404", async (target) => {
    const reply = await rawRequest(server.port, target);
    expect(reply.status).toBe(404);
    expect(reply.body).not.toContain("kube9-operator-2.0.0.tgz");
  });

  it("answers a FIFO in the root with 404 instead of hanging", async () => {
    const reply = await rawRequest(server.port, "/pipe.tgz");
    expect(reply.status).toBe(404);
  });

  it("does not list dotfiles or subdirectories on the root page", async () => {
    const reply = await rawRequest(server.port, "/");
    expect(reply.status).toBe(200);
    expect(reply.body).not.toContain(".lock");
    expect(reply.body).not.toContain(".index.yaml.tmp");
    expect(reply.body).not.toContain("charts\n");
    expect(reply.body).toContain("kube9-operator-1.0.0.tgz\n");
  });
});

describe("logging hostile targets", () => {
  it("logs encoded control characters as sent, and refuses them", async () => {
    lines.length = 0;
    const reply = await rawRequest(server.port, "/x%0d%0aGET%20/forged");
    expect(reply.status).toBe(400);
    await expect.poll(() => lines.length).toBe(1);
    expect(lines[0]).toMatch(/^GET \/x%0d%0aGET%20\/forged 400 \d+B [\d.]+ms$/);
  });

  it("answers and logs a target the HTTP parser refuses, without echoing it", async () => {
    lines.length = 0;
    const reply = await rawRequest(server.port, "/\x1b[31mred\rforged");
    expect(reply.status).toBe(400);
    await expect.poll(() => lines.length).toBe(1);
    expect(lines[0]).toMatch(/^- - 400 0B rejected by the HTTP parser \(HPE_[A-Z_]+\)$/);
  });
});
