/**
 * A fault-injecting HTTP proxy in front of an S3 endpoint (versitygw), on 127.0.0.1. Clients are
 * pointed at the proxy (AWS_ENDPOINT_URL_S3), so the Host header they sign is the proxy's, and the
 * proxy forwards method, path, query, headers and body unchanged: SigV4 still verifies upstream.
 *
 * A test can: read the requests seen ("METHOD key"), run a hook once the upstream response of a
 * request has been fully handed to the client, answer chosen requests itself with S3 XML errors
 * (the first K matches, then forward), forward only part of a request body, stall chosen requests
 * (accept them and never answer, with or without forwarding them to the store first), and halt
 * (every later request is dropped without reaching the store).
 */
import { Buffer } from "node:buffer";
import { randomBytes } from "node:crypto";
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from "node:http";
import { listen } from "./net.js";

export interface ProxiedRequest {
  /** 0-based position among all requests the proxy received since the last reset. */
  n: number;
  method: string;
  bucket: string;
  /** Object key (path-style addressing), "" for bucket-level requests. */
  key: string;
  /** Raw query string without "?", "" when none. */
  query: string;
  /** The request's headers as received (lower-case names), e.g. to check conditional writes. */
  headers: IncomingHttpHeaders;
  /** How the request ended: forwarded, answered by an injected fault, truncated, stalled, or dropped. */
  outcome: "forwarded" | "injected" | "truncated" | "stalled" | "dropped";
  /** Status the store answered a stalled-after-forwarding request with (never sent to the client). */
  upstreamStatus?: number;
  /** Status sent to the client (undefined when none was sent). */
  status?: number;
}

/** S3 errors the proxy can answer with, as AWS sends them. */
export const S3_FAULTS = {
  InternalError: { status: 500, message: "We encountered an internal error. Please try again." },
  SlowDown: { status: 503, message: "Please reduce your request rate." },
  AccessDenied: { status: 403, message: "Access Denied" },
  PreconditionFailed: {
    status: 412,
    message: "At least one of the pre-conditions you specified did not hold",
  },
  NoSuchBucket: { status: 404, message: "The specified bucket does not exist" },
} as const;

export type S3FaultCode = keyof typeof S3_FAULTS;

export interface FaultRule {
  match: (request: ProxiedRequest) => boolean;
  fault: S3FaultCode;
  /** How many matching requests get the fault before later ones are forwarded. Default: all. */
  times?: number;
  /** Runs before the fault is sent (e.g. another publisher writes meanwhile). */
  before?: (request: ProxiedRequest) => Promise<void>;
}

export interface TruncateRule {
  match: (request: ProxiedRequest) => boolean;
  /** Bytes of the body forwarded upstream before the hook runs and the upstream request is cut. */
  bytes: (bodyLength: number) => number;
  /** Runs after the partial body has been written upstream, before the upstream request is cut. */
  afterPartialBody: (request: ProxiedRequest) => void | Promise<void>;
}

export interface StallRule {
  match: (request: ProxiedRequest) => boolean;
  /**
   * true: forward the request and let the store act on it, then withhold the answer (the write
   * lands, the client never learns it); false: the request never reaches the store.
   */
  forward: boolean;
  /** How many matching requests stall before later ones are forwarded. Default: all. */
  times?: number;
}

export interface S3FaultProxy {
  endpoint: string;
  /** Every request received since the last reset, in arrival order. */
  readonly requests: readonly ProxiedRequest[];
  /** "METHOD key" (or "METHOD ?query" for bucket-level requests) of every request. */
  log(): string[];
  inject(rule: FaultRule): void;
  truncate(rule: TruncateRule): void;
  /** Accept matching requests and never answer; the connection stays open until the client leaves. */
  stall(rule: StallRule): void;
  /** Called after the response to a request has been fully handed to the client socket. */
  onDelivered(hook: ((request: ProxiedRequest) => void) | undefined): void;
  /** Drop every later request: its connection is closed without forwarding anything. */
  halt(): void;
  /** Forget requests, rules, hooks and the halt. */
  reset(): void;
  stop(): Promise<void>;
}

function describe(method: string, bucket: string, key: string, query: string): ProxiedRequest {
  return { n: -1, method, bucket, key, query, headers: {}, outcome: "forwarded" };
}

function parseTarget(method: string, url: string): ProxiedRequest {
  const [path = "/", query = ""] = url.split("?", 2);
  const segments = path.replace(/^\//, "").split("/");
  const bucket = decodeURIComponent(segments[0] ?? "");
  const key = segments.slice(1).map(decodeURIComponent).join("/");
  return describe(method, bucket, key, query);
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.once("end", () => resolve(Buffer.concat(chunks)));
    request.once("error", reject);
  });
}

function errorXml(code: S3FaultCode, resource: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${S3_FAULTS[code].message}</Message><Resource>${resource}</Resource><RequestId>${randomBytes(8).toString("hex").toUpperCase()}</RequestId></Error>`;
}

export async function startS3FaultProxy(upstreamEndpoint: string): Promise<S3FaultProxy> {
  const upstream = new URL(upstreamEndpoint);
  const requests: ProxiedRequest[] = [];
  let faults: Array<FaultRule & { used: number }> = [];
  let truncations: TruncateRule[] = [];
  let stalls: Array<StallRule & { used: number }> = [];
  let delivered: ((request: ProxiedRequest) => void) | undefined;
  let halted = false;

  /** The same request to the store, headers as received, Host included: the signature covers them. */
  const toUpstream = (incoming: IncomingMessage) =>
    httpRequest({
      host: upstream.hostname,
      port: upstream.port,
      method: incoming.method,
      path: incoming.url,
      headers: incoming.headers as OutgoingHttpHeaders,
      setHost: false,
    });

  const forward = (
    info: ProxiedRequest,
    incoming: IncomingMessage,
    body: Buffer,
    response: ServerResponse,
    truncation: TruncateRule | undefined,
  ) => {
    const outgoing = toUpstream(incoming);
    outgoing.on("response", (answer) => {
      info.status = answer.statusCode;
      response.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.rawHeaders);
      answer.pipe(response);
    });
    outgoing.on("error", () => {
      if (!response.headersSent && !response.destroyed && truncation === undefined) {
        response.writeHead(502).end();
      } else {
        response.destroy();
      }
    });
    if (truncation === undefined) {
      outgoing.end(body);
      return;
    }
    info.outcome = "truncated";
    const part = Math.max(0, Math.min(body.length - 1, truncation.bytes(body.length)));
    outgoing.write(body.subarray(0, part), () => {
      void Promise.resolve(truncation.afterPartialBody(info)).finally(() => {
        outgoing.destroy();
        response.destroy();
      });
    });
  };

  /** Sends the request to the store and keeps the answer: the client is never told. */
  const forwardSilently = (info: ProxiedRequest, incoming: IncomingMessage, body: Buffer) => {
    const outgoing = toUpstream(incoming);
    outgoing.on("response", (answer) => {
      info.upstreamStatus = answer.statusCode;
      answer.resume();
    });
    outgoing.on("error", () => undefined);
    outgoing.end(body);
  };

  const server = createServer((incoming, response) => {
    const info = parseTarget(incoming.method ?? "GET", incoming.url ?? "/");
    info.headers = incoming.headers;
    info.n = requests.length;
    requests.push(info);
    if (halted) {
      info.outcome = "dropped";
      incoming.socket.destroy();
      return;
    }
    response.once("finish", () => {
      if (!halted) delivered?.(info);
    });
    void readBody(incoming).then(
      async (body) => {
        const stall = stalls.find(
          (rule) => rule.used < (rule.times ?? Number.POSITIVE_INFINITY) && rule.match(info),
        );
        if (stall !== undefined) {
          stall.used += 1;
          info.outcome = "stalled";
          if (stall.forward) forwardSilently(info, incoming, body);
          // No response is ever written: the client's own timeout is what ends this request.
          return;
        }
        const truncation = truncations.find((rule) => rule.match(info));
        if (truncation !== undefined) {
          truncations = truncations.filter((rule) => rule !== truncation);
          forward(info, incoming, body, response, truncation);
          return;
        }
        const fault = faults.find(
          (rule) => rule.used < (rule.times ?? Number.POSITIVE_INFINITY) && rule.match(info),
        );
        if (fault === undefined) {
          forward(info, incoming, body, response, undefined);
          return;
        }
        fault.used += 1;
        info.outcome = "injected";
        await fault.before?.(info);
        const xml = errorXml(fault.fault, incoming.url ?? "/");
        info.status = S3_FAULTS[fault.fault].status;
        response.writeHead(info.status, {
          "Content-Type": "application/xml",
          "Content-Length": Buffer.byteLength(xml),
          "x-amz-request-id": randomBytes(8).toString("hex").toUpperCase(),
        });
        response.end(xml);
      },
      () => response.destroy(),
    );
  });
  const port = await listen(server);

  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    log: () =>
      requests.map((request) =>
        request.key === "" ? `${request.method} ?${request.query}` : `${request.method} ${request.key}`,
      ),
    inject(rule) {
      faults.push({ ...rule, used: 0 });
    },
    truncate(rule) {
      truncations.push(rule);
    },
    stall(rule) {
      stalls.push({ ...rule, used: 0 });
    },
    onDelivered(hook) {
      delivered = hook;
    },
    halt() {
      halted = true;
    },
    reset() {
      requests.length = 0;
      faults = [];
      truncations = [];
      stalls = [];
      delivered = undefined;
      halted = false;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
