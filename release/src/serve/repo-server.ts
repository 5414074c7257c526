/**
 * `kube9-release repo serve`: a local chart repository server that answers like the CDN in front
 * of the bucket (same Content-Type, Cache-Control, ETag and compression rules), so `helm repo add`
 * and the tests see what users see. Files are read fresh on every request.
 */
import { createServer, type Server, STATUS_CODES } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { ReleaseError } from "../errors.js";
import { openDirectorySource } from "./directory-source.js";
import { createRepoHandler } from "./handler.js";

/** Only this machine can connect unless asked otherwise. */
export const DEFAULT_SERVE_HOST = "127.0.0.1";
/** The port `helm serve` used in Helm 2, familiar to chart authors. */
export const DEFAULT_SERVE_PORT = 8879;

export interface RepoServerOptions {
  /** The repository directory (the one holding index.yaml). Must exist. */
  root: string;
  /** Address to bind. Default "127.0.0.1" (loopback only). */
  host?: string;
  /** TCP port. Default 8879; 0 picks any free port (see `port` in the result). */
  port?: number;
  /** Receives one line per request (`METHOD target status bytesB msms`) and per failure. Default: dropped. */
  log?: (line: string) => void;
}

export interface RepoServer {
  /** Base URL of the repository, e.g. `http://127.0.0.1:8879`; Helm fetches `<url>/index.yaml`. */
  readonly url: string;
  /** The address actually bound. */
  readonly host: string;
  /** The port actually bound (the chosen one when 0 was asked). */
  readonly port: number;
  /** The underlying Node server, for callers that need its events or address. */
  readonly server: Server;
  /** Stops listening and drops open connections. Safe to call more than once. */
  close(): Promise<void>;
}

export async function startRepoServer(options: RepoServerOptions): Promise<RepoServer> {
  const host = options.host ?? DEFAULT_SERVE_HOST;
  const port = options.port ?? DEFAULT_SERVE_PORT;
  const log = options.log ?? (() => {});
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ReleaseError("USAGE", `port must be an integer from 0 to 65535, got ${port}`, {
      field: "port",
      fix: "pass --port N (0 picks a free port)",
    });
  }
  if (host.trim() === "") {
    throw new ReleaseError("USAGE", "host must not be empty", {
      field: "host",
      fix: "pass --host 127.0.0.1",
    });
  }
  const source = await openDirectorySource(options.root);

  let url = "";
  const server = createServer(createRepoHandler({ source, log, baseUrl: () => url }));
  server.on("clientError", (error: NodeJS.ErrnoException, socket) => answerUnparsable(error, socket, log));
  await listen(server, host, port);
  server.on("error", (error) => log(`server error: ${error.message}`));

  const address = server.address() as AddressInfo;
  url = `http://${urlHost(address.address)}:${address.port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    host: address.address,
    port: address.port,
    server,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/**
 * A request Node's HTTP parser refused (control characters in the target, oversized headers, a
 * timeout) never reaches the handler: answer it the way Node would, and log it like any request.
 */
function answerUnparsable(error: NodeJS.ErrnoException, socket: Duplex, log: (line: string) => void): void {
  if (error.code === "ECONNRESET" || !socket.writable) return;
  const status =
    error.code === "HPE_HEADER_OVERFLOW" ? 431 : error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
  log(`- - ${status} 0B rejected by the HTTP parser (${error.code ?? error.message})`);
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off("listening", onListening);
      reject(listenError(error, host, port));
    };
    const onListening = () => {
      server.off("error", onError);
      resolve();
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen({ host, port });
  });
}

function listenError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  const where = `${urlHost(host)}:${port}`;
  switch (error.code) {
    case "EADDRINUSE":
      return new ReleaseError(
        "SERVE_FAILED",
        `port ${port} is in use on ${host}; choose another with --port N (0 picks a free port)`,
        {
          field: "port",
          fix: "pass another port with --port N, or --port 0 to pick a free one",
          cause: error,
        },
      );
    case "EACCES":
      return new ReleaseError("SERVE_FAILED", `not allowed to listen on ${where}`, {
        field: "port",
        fix: "pass a port above 1023 with --port N",
        cause: error,
      });
    case "EADDRNOTAVAIL":
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return new ReleaseError("SERVE_FAILED", `cannot listen on ${where}: no such local address`, {
        field: "host",
        fix: "pass an address of this machine with --host, e.g. 127.0.0.1",
        cause: error,
      });
    default:
      return error;
  }
}

/** How `address` appears in a URL: IPv6 in brackets; a wildcard bind is reached via loopback. */
function urlHost(address: string): string {
  if (address === "0.0.0.0") return "127.0.0.1";
  if (address === "::") return "[::1]";
  return address.includes(":") ? `[${address}]` : address;
}
