/**
 * The probe and metrics endpoints: /healthz answers 200 while the process serves requests (the
 * liveness probe must not restart the pod because the API server is down), /readyz answers 200
 * only while status writes succeed, /metrics exposes the Prometheus metrics.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { METRICS_CONTENT_TYPE } from "./metrics.js";

export interface Endpoints {
  /** undefined when ready, otherwise the reason. */
  notReadyReason(): string | undefined;
  metrics(): string;
}

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

export async function startHealthServer(
  endpoints: Endpoints,
  port: number,
  host?: string,
): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { Allow: "GET, HEAD", "Content-Type": "text/plain" }).end("method not allowed\n");
      return;
    }
    if (path === "/healthz") {
      res.writeHead(200, { "Content-Type": "text/plain" }).end("ok\n");
    } else if (path === "/readyz") {
      const reason = endpoints.notReadyReason();
      if (reason === undefined) res.writeHead(200, { "Content-Type": "text/plain" }).end("ok\n");
      else res.writeHead(503, { "Content-Type": "text/plain" }).end(`not ready: ${reason}\n`);
    } else if (path === "/metrics") {
      res.writeHead(200, { "Content-Type": METRICS_CONTENT_TYPE }).end(endpoints.metrics());
    } else {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not found\n");
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Probes and scrapers keep connections alive; do not let them hold the shutdown.
        server.closeAllConnections();
      }),
  };
}
