/**
 * A Kubernetes API server stand-in for the operator's tests: /version, a paginated node list and
 * ConfigMaps in memory, with switches for the failures the operator must survive (refused
 * writes, a stopped server). It can be stopped and started again on the same port, as an API
 * server restart looks to a client. It binds 127.0.0.1 only.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeKubeApiOptions {
  nodes: number;
  /** The server pages the node list by this many items, whatever limit the client asks for. */
  pageSize: number;
  gitVersion: string;
  /** When set, requests without `Authorization: Bearer <token>` answer 401. */
  token?: string;
}

export interface StoredConfigMap {
  metadata: { name: string; namespace: string; resourceVersion: string };
  data: Record<string, string>;
}

export class FakeKubeApi {
  readonly requests: string[] = [];
  readonly configMaps = new Map<string, StoredConfigMap>();
  /** HTTP status for every ConfigMap write (PATCH/POST/PUT) while set, e.g. 403. */
  failConfigMapWrites: number | undefined;
  /** HTTP status for the node list while set, e.g. 403 when the ClusterRole is missing. */
  failNodeList: number | undefined;
  private server: Server | undefined;
  private port = 0;
  private revision = 0;

  constructor(private readonly options: FakeKubeApiOptions) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => this.handle(req, Buffer.concat(chunks).toString("utf8"), res));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** Counts requests whose "METHOD path" starts with the prefix. */
  count(prefix: string): number {
    return this.requests.filter((line) => line.startsWith(prefix)).length;
  }

  private handle(req: IncomingMessage, body: string, res: ServerResponse): void {
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", "http://fake");
    this.requests.push(`${method} ${url.pathname}${url.search}`);
    const send = (status: number, value: unknown) => {
      res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(value));
    };
    const fail = (status: number, reason: string, message: string) =>
      send(status, { kind: "Status", apiVersion: "v1", status: "Failure", reason, message, code: status });

    if (this.options.token !== undefined && req.headers.authorization !== `Bearer ${this.options.token}`) {
      fail(401, "Unauthorized", "Unauthorized");
      return;
    }
    if (method === "GET" && url.pathname === "/version") {
      send(200, { major: "1", minor: "30", gitVersion: this.options.gitVersion, platform: "linux/amd64" });
      return;
    }
    if (method === "GET" && url.pathname === "/api/v1/nodes") {
      if (this.failNodeList !== undefined) {
        fail(this.failNodeList, "Forbidden", 'nodes is forbidden: cannot list resource "nodes"');
        return;
      }
      const start = Number(url.searchParams.get("continue") ?? "0");
      const end = Math.min(start + this.options.pageSize, this.options.nodes);
      const items = Array.from({ length: end - start }, (_, i) => ({
        metadata: { name: `node-${start + i}` },
      }));
      send(200, {
        kind: "NodeList",
        items,
        metadata: end < this.options.nodes ? { continue: String(end) } : {},
      });
      return;
    }
    const match = /^\/api\/v1\/namespaces\/([^/]+)\/configmaps(?:\/([^/]+))?$/.exec(url.pathname);
    if (match === null) {
      fail(404, "NotFound", `the server could not find the requested resource ${url.pathname}`);
      return;
    }
    const namespace = match[1] as string;
    const name = match[2];
    if (method !== "GET" && this.failConfigMapWrites !== undefined) {
      fail(
        this.failConfigMapWrites,
        "Forbidden",
        `configmaps "${name ?? ""}" is forbidden: User "system:serviceaccount:${namespace}:kube9-operator" cannot ${method.toLowerCase()} resource "configmaps"`,
      );
      return;
    }
    const key = `${namespace}/${name ?? ""}`;
    if (method === "PATCH" && name !== undefined) {
      if (req.headers["content-type"] !== "application/merge-patch+json") {
        fail(415, "UnsupportedMediaType", `unsupported patch type ${req.headers["content-type"]}`);
        return;
      }
      const existing = this.configMaps.get(key);
      if (existing === undefined) {
        fail(404, "NotFound", `configmaps "${name}" not found`);
        return;
      }
      const patch = JSON.parse(body) as { data?: Record<string, string> };
      existing.data = { ...existing.data, ...patch.data };
      existing.metadata.resourceVersion = String(++this.revision);
      send(200, existing);
      return;
    }
    if (method === "POST" && name === undefined) {
      const created = JSON.parse(body) as StoredConfigMap;
      const createdKey = `${namespace}/${created.metadata.name}`;
      if (this.configMaps.has(createdKey)) {
        fail(409, "AlreadyExists", `configmaps "${created.metadata.name}" already exists`);
        return;
      }
      created.metadata = { ...created.metadata, namespace, resourceVersion: String(++this.revision) };
      this.configMaps.set(createdKey, created);
      send(201, created);
      return;
    }
    if (method === "GET" && name !== undefined) {
      const existing = this.configMaps.get(key);
      if (existing === undefined) fail(404, "NotFound", `configmaps "${name}" not found`);
      else send(200, existing);
      return;
    }
    fail(405, "MethodNotAllowed", `${method} is not supported by the fake`);
  }
}
