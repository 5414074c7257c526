/**
 * Test support for the repository server: a tiny repository on disk and two clients that show
 * exactly what goes over the wire. node:http sends no Accept-Encoding and never decompresses (unlike
 * fetch); the raw socket client sends the request target byte for byte (fetch and node:http
 * would normalise `..`).
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export function get(
  url: string,
  options: { method?: string; headers?: Record<string, string>; agent?: import("node:http").Agent } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: options.method ?? "GET", headers: options.headers ?? {}, agent: options.agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end();
  });
}

export interface RawReply {
  status: number;
  head: string;
  body: string;
}

/** Sends `METHOD target HTTP/1.1` exactly as given and reads until the server closes. */
export function rawRequest(port: number, target: string, method = "GET"): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    const chunks: Buffer[] = [];
    socket.on("connect", () => {
      socket.write(`${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`, "latin1");
    });
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("latin1");
      const split = text.indexOf("\r\n\r\n");
      const head = split === -1 ? text : text.slice(0, split);
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
      resolve({ status, head, body: split === -1 ? "" : text.slice(split + 4) });
    });
  });
}

/** An index.yaml big enough that gzip shrinks it, like a real one. */
export function sampleIndex(versions = 40): string {
  const lines = ["apiVersion: v1", "entries:", "  kube9-operator:"];
  for (let minor = versions - 1; minor >= 0; minor -= 1) {
    lines.push(
      "  - apiVersion: v2",
      `    appVersion: 1.${minor}.0`,
      "    created: '2026-01-01T00:00:00Z'",
      "    description: Kubernetes operator for kube9",
      `    digest: ${"ab".repeat(32)}`,
      "    name: kube9-operator",
      "    type: application",
      "    urls:",
      `    - kube9-operator-1.${minor}.0.tgz`,
      `    version: 1.${minor}.0`,
    );
  }
  lines.push("generated: '2026-01-01T00:00:00Z'", "");
  return lines.join("\n");
}

/** A gzip-compressed archive body: what matters is that it is gzip, like a real chart. */
export const ARCHIVE_BYTES = gzipSync(Buffer.from("kube9-operator/Chart.yaml\0apiVersion: v2\n".repeat(20)));

export interface TempRepo {
  /** Parent folder, for files that must lie outside the repository. */
  outer: string;
  /** The repository root. */
  root: string;
  remove(): Promise<void>;
}

/** A repository with index.yaml, one archive and its provenance file, inside a private temp folder. */
export async function makeTempRepo(): Promise<TempRepo> {
  const outer = await mkdtemp(path.join(tmpdir(), "kube9-serve-"));
  const root = path.join(outer, "repo");
  await mkdir(root);
  await writeFile(path.join(root, "index.yaml"), sampleIndex());
  await writeFile(path.join(root, "kube9-operator-1.0.0.tgz"), ARCHIVE_BYTES);
  await writeFile(path.join(root, "kube9-operator-1.0.0.tgz.prov"), "-----BEGIN PGP SIGNED MESSAGE-----\n");
  return { outer, root, remove: () => rm(outer, { recursive: true, force: true }) };
}
