/**
 * The few Kubernetes API calls the operator makes, over plain HTTP(S) + JSON: no client library,
 * so the image carries nothing but the compiled operator. Every non-2xx answer becomes a
 * KubeApiError carrying the HTTP status and the API server's Status message.
 */
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest, type RequestOptions } from "node:https";
import type { ClusterConfig } from "./cluster-config.js";

export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    message: string,
  ) {
    super(`${method} ${path}: ${status === 0 ? "" : `HTTP ${status}: `}${message}`);
  }
}

export interface KubeClient {
  request<T>(method: string, path: string, body?: unknown, contentType?: string): Promise<T>;
}

/**
 * `signal` aborts every request in flight, so that stopping the operator never waits for a slow
 * or unreachable API server.
 */
export function createKubeClient(
  config: ClusterConfig,
  timeoutMs = 10_000,
  signal?: AbortSignal,
): KubeClient {
  const base = new URL(config.server);
  const secure = base.protocol === "https:";
  const basePath = base.pathname.replace(/\/+$/, "");
  return {
    request<T>(method: string, path: string, body?: unknown, contentType = "application/json") {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const headers: Record<string, string | number> = { Accept: "application/json" };
      const token = config.token();
      if (token) headers.Authorization = `Bearer ${token}`;
      if (payload !== undefined) {
        headers["Content-Type"] = contentType;
        headers["Content-Length"] = payload.length;
      }
      const options: RequestOptions = {
        method,
        host: base.hostname.replace(/^\[|\]$/g, ""),
        port: base.port || (secure ? 443 : 80),
        path: basePath + path,
        headers,
        timeout: timeoutMs,
      };
      if (signal !== undefined) options.signal = signal;
      if (secure) {
        if (config.ca !== undefined) options.ca = config.ca;
        if (config.clientCert !== undefined) options.cert = config.clientCert;
        if (config.clientKey !== undefined) options.key = config.clientKey;
        options.rejectUnauthorized = !config.insecureSkipTlsVerify;
      }
      return new Promise<T>((resolve, reject) => {
        const onResponse = (response: IncomingMessage) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("error", reject);
          response.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            const status = response.statusCode ?? 0;
            if (status >= 200 && status < 300) {
              try {
                resolve((text === "" ? undefined : JSON.parse(text)) as T);
              } catch {
                reject(new KubeApiError(status, method, path, "response is not JSON"));
              }
              return;
            }
            reject(new KubeApiError(status, method, path, statusMessage(text)));
          });
        };
        const req = secure ? httpsRequest(options, onResponse) : httpRequest(options, onResponse);
        req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
        req.on("error", (error) => reject(new KubeApiError(0, method, path, error.message)));
        req.end(payload);
      });
    },
  };
}

/** The API server explains refusals in a Status object; fall back to the raw text. */
function statusMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (typeof parsed.message === "string") return parsed.message;
  } catch {
    // not JSON: use the text itself
  }
  return text.slice(0, 200) || "no response body";
}
