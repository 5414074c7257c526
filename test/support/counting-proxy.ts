/**
 * A proxy that forwards every request unchanged (Host included, so SigV4 still verifies upstream)
 * and records it: method, path, status, request body bytes (up) and response bytes (down). The
 * S3 bench counts the requests and bytes of a publish with it.
 */
import { createServer, request as httpRequest } from "node:http";
import { closeServer, listen } from "./net.js";

export interface CountedRequest {
  method: string;
  path: string;
  status: number;
  up: number;
  down: number;
}

export interface CountingProxy {
  url: string;
  requests: CountedRequest[];
  stop(): Promise<void>;
}

export async function startCountingProxy(upstreamUrl: string): Promise<CountingProxy> {
  const upstream = new URL(upstreamUrl);
  const requests: CountedRequest[] = [];
  const server = createServer((incoming, response) => {
    const record = { method: incoming.method ?? "", path: incoming.url ?? "", status: 0, up: 0, down: 0 };
    requests.push(record);
    const outgoing = httpRequest({
      host: upstream.hostname,
      port: upstream.port,
      method: incoming.method,
      path: incoming.url,
      headers: incoming.headers,
      setHost: false,
    });
    incoming.on("data", (chunk: Buffer) => {
      record.up += chunk.length;
    });
    outgoing.on("response", (answer) => {
      record.status = answer.statusCode ?? 0;
      answer.on("data", (chunk: Buffer) => {
        record.down += chunk.length;
      });
      response.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.rawHeaders);
      answer.pipe(response);
    });
    outgoing.on("error", () => response.destroy());
    incoming.pipe(outgoing);
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, requests, stop: () => closeServer(server) };
}
