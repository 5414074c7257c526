/**
 * A Kubernetes API server stand-in for client tests: discovery for the kinds the chart renders,
 * and "not found" for every object, i.e. an empty cluster. Helm 3's `install --dry-run=client`
 * still checks that a cluster is reachable and looks up every object it would create; this is
 * the smallest cluster that lets it do so. It binds 127.0.0.1 only.
 */
import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { listen } from "./net.js";

/** group -> resources as [plural, kind, namespaced]; "" is the core group. */
const RESOURCES: Record<string, Array<[string, string, boolean]>> = {
  "": [
    ["configmaps", "ConfigMap", true],
    ["namespaces", "Namespace", false],
    ["nodes", "Node", false],
    ["pods", "Pod", true],
    ["secrets", "Secret", true],
    ["serviceaccounts", "ServiceAccount", true],
    ["services", "Service", true],
  ],
  apps: [["deployments", "Deployment", true]],
  "rbac.authorization.k8s.io": [
    ["clusterrolebindings", "ClusterRoleBinding", false],
    ["clusterroles", "ClusterRole", false],
    ["rolebindings", "RoleBinding", true],
    ["roles", "Role", true],
  ],
};

export interface KubeApiStandIn {
  url: string;
  /** Every request seen, as "METHOD path". */
  requests: string[];
  /** Writes a kubeconfig pointing at this server and returns its path. */
  writeKubeconfig(path: string, namespace: string): string;
  close(): Promise<void>;
}

function resourceList(group: string): unknown {
  return {
    kind: "APIResourceList",
    groupVersion: group === "" ? "v1" : `${group}/v1`,
    resources: (RESOURCES[group] ?? []).map(([name, kind, namespaced]) => ({
      name,
      singularName: "",
      namespaced,
      kind,
      verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
    })),
  };
}

function respond(method: string, path: string): { status: number; body: unknown } {
  if (path === "/version") return { status: 200, body: { major: "1", minor: "30", gitVersion: "v1.30.0" } };
  if (path === "/api") return { status: 200, body: { kind: "APIVersions", versions: ["v1"] } };
  if (path === "/apis") {
    const groups = Object.keys(RESOURCES)
      .filter((group) => group !== "")
      .map((name) => ({
        name,
        versions: [{ groupVersion: `${name}/v1`, version: "v1" }],
        preferredVersion: { groupVersion: `${name}/v1`, version: "v1" },
      }));
    return { status: 200, body: { kind: "APIGroupList", apiVersion: "v1", groups } };
  }
  if (path === "/api/v1") return { status: 200, body: resourceList("") };
  const group = /^\/apis\/([^/]+)\/v1$/.exec(path)?.[1];
  if (group !== undefined && RESOURCES[group] !== undefined)
    return { status: 200, body: resourceList(group) };
  // Helm's release storage lists its Secrets: an empty cluster has none.
  if (method === "GET" && /^\/api\/v1\/namespaces\/[^/]+\/secrets$/.test(path)) {
    return { status: 200, body: { kind: "SecretList", apiVersion: "v1", metadata: {}, items: [] } };
  }
  return {
    status: 404,
    body: {
      kind: "Status",
      apiVersion: "v1",
      status: "Failure",
      reason: "NotFound",
      code: 404,
      message: `${path} not found`,
    },
  };
}

export async function startKubeApiStandIn(): Promise<KubeApiStandIn> {
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://stand-in").pathname;
    requests.push(`${request.method} ${path}`);
    const { status, body } = respond(request.method ?? "GET", path);
    response.writeHead(status, { "Content-Type": "application/json" });
    response.end(JSON.stringify(body));
  });
  const url = `http://127.0.0.1:${await listen(server)}`;
  return {
    url,
    requests,
    writeKubeconfig(path, namespace) {
      writeFileSync(
        path,
        [
          "apiVersion: v1",
          "kind: Config",
          "clusters:",
          `- name: stand-in\n  cluster:\n    server: ${url}`,
          "contexts:",
          `- name: stand-in\n  context:\n    cluster: stand-in\n    namespace: ${namespace}\n    user: anonymous`,
          "current-context: stand-in",
          "users:",
          "- name: anonymous\n  user: {}",
          "",
        ].join("\n"),
        { mode: 0o600 },
      );
      return path;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
