/**
 * The request handler of the local chart repository server: routing, CDN-like headers,
 * conditional requests and compression. The server around it (binding, closing) is in
 * repo-server.ts; where bytes come from is a RepoSource.
 *
 * Routes:
 * - `GET|HEAD /`: a short plain-text page naming the files in the root (not cached).
 * - `GET|HEAD /<key>`: the object, with the headers objectPolicyFor(key) gives it.
 * - anything else: 405 (other methods), 400 (unsafe paths), 404 (absent, dotfiles, directories).
 */
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { SECURITY_HEADERS } from "../policy/repository-policy.js";
import { objectPolicyFor } from "../storage/object-policy.js";
import { contentEtag, isNotModified } from "./conditional.js";
import type { RepoSource } from "./directory-source.js";
import { acceptsGzip } from "./encoding.js";
import { keyFromRequestTarget } from "./safe-path.js";

const gzipAsync = promisify(gzip);

const ALLOWED_METHODS = "GET, HEAD";
/** Error answers and the root page are not objects: nothing should keep them. */
const UNCACHED = "no-store";
const TEXT = "text/plain; charset=utf-8";

export interface RepoHandlerOptions {
  source: RepoSource;
  /** Receives one line per request, and one per failure. */
  log: (line: string) => void;
  /** The URL the root page tells users to `helm repo add`. */
  baseUrl?: () => string;
}

export function createRepoHandler(options: RepoHandlerOptions): RequestListener {
  return (request, response) => {
    const started = performance.now();
    const exchange: Exchange = { request, response, bytes: 0 };
    // On every answer, errors and 304 included, as the CDN's response headers policy does.
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
    response.once("close", () => {
      const ms = (performance.now() - started).toFixed(1);
      options.log(
        `${request.method ?? "-"} ${printable(request.url ?? "")} ${response.statusCode} ${exchange.bytes}B ${ms}ms`,
      );
    });
    route(exchange, options).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      options.log(`error serving ${printable(request.url ?? "")}: ${message}`);
      if (response.headersSent) {
        response.destroy();
      } else {
        sendText(exchange, 500, "internal error reading the repository\n");
      }
    });
  };
}

interface Exchange {
  request: IncomingMessage;
  response: ServerResponse;
  /** Body bytes sent, for the log line. */
  bytes: number;
}

async function route(exchange: Exchange, options: RepoHandlerOptions): Promise<void> {
  const { request } = exchange;
  if (request.method !== "GET" && request.method !== "HEAD") {
    sendText(exchange, 405, "method not allowed: use GET or HEAD\n", { Allow: ALLOWED_METHODS });
    return;
  }
  const decision = keyFromRequestTarget(request.url ?? "");
  if (!decision.ok) {
    sendText(exchange, decision.status, decision.status === 400 ? "bad request path\n" : "not found\n");
    return;
  }
  if (decision.key === "") {
    await sendRootPage(exchange, options);
    return;
  }
  await sendObject(exchange, options.source, decision.key);
}

async function sendObject(exchange: Exchange, source: RepoSource, key: string): Promise<void> {
  const { request, response } = exchange;
  const file = await source.read(key);
  if (file === undefined) {
    sendText(exchange, 404, "not found\n");
    return;
  }
  const policy = objectPolicyFor(key);
  const compress = policy.compressible && acceptsGzip(request.headers["accept-encoding"]);
  const etag = contentEtag(file.bytes, compress ? "gzip" : "identity");

  // Headers a 304 must repeat (RFC 9110 15.4.5), then the ones only a full answer carries.
  response.setHeader("ETag", etag);
  response.setHeader("Cache-Control", policy.cacheControl);
  if (policy.compressible) response.setHeader("Vary", "Accept-Encoding");

  const conditional = {
    ifNoneMatch: request.headers["if-none-match"],
    ifModifiedSince: request.headers["if-modified-since"],
  };
  if (isNotModified(conditional, { etag, lastModified: file.lastModified })) {
    response.writeHead(304);
    response.end();
    return;
  }

  const body = compress ? await gzipAsync(file.bytes) : file.bytes;
  response.setHeader("Content-Type", policy.contentType);
  response.setHeader("Content-Length", body.byteLength);
  response.setHeader("Last-Modified", file.lastModified.toUTCString());
  response.setHeader("Accept-Ranges", "none");
  if (compress) response.setHeader("Content-Encoding", "gzip");
  response.writeHead(200);
  sendBody(exchange, body);
}

async function sendRootPage(exchange: Exchange, options: RepoHandlerOptions): Promise<void> {
  const names = await options.source.listRoot();
  const url = options.baseUrl?.() ?? "<this server's URL>";
  const lines = [
    "Helm chart repository (kube9-release repo serve)",
    `Add it with: helm repo add <name> ${url}`,
    "",
    ...(names.length === 0 ? ["(empty: no index.yaml yet)"] : names),
    "",
  ];
  sendText(exchange, 200, lines.join("\n"));
}

function sendText(
  exchange: Exchange,
  status: number,
  text: string,
  extra: Record<string, string> = {},
): void {
  const body = Buffer.from(text, "utf8");
  exchange.response.writeHead(status, {
    "Content-Type": TEXT,
    "Content-Length": body.byteLength,
    "Cache-Control": UNCACHED,
    ...extra,
  });
  sendBody(exchange, body);
}

function sendBody(exchange: Exchange, body: Uint8Array): void {
  if (exchange.request.method === "HEAD") {
    exchange.response.end();
    return;
  }
  exchange.bytes = body.byteLength;
  exchange.response.end(body);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is escaped.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/g;
const LOGGED_TARGET_MAX = 200;

/**
 * The request target as it may appear in a log line: no control characters, bounded length. Node's
 * parser already refuses raw control bytes in a target; this holds even if it did not.
 */
function printable(target: string): string {
  const escaped = target.replace(
    CONTROL_CHARACTERS,
    (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
  return escaped.length > LOGGED_TARGET_MAX ? `${escaped.slice(0, LOGGED_TARGET_MAX)}...` : escaped;
}
