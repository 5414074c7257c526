/**
 * One status report: read the cluster's version and node count, then write them into the
 * ConfigMap `kube9-operator-status`. The write is a JSON merge patch (one request in the steady
 * state, allowed by the chart's Role through resourceNames); a 404 means the ConfigMap does not
 * exist yet and it is created. A failing read only degrades the report; a failing write fails it.
 */
import { KubeApiError, type KubeClient } from "./kube-client.js";

export const STATUS_CONFIGMAP = "kube9-operator-status";

export interface OperatorStatus {
  operatorVersion: string;
  kubernetesVersion: string | null;
  nodeCount: number | null;
  health: "healthy" | "degraded";
  /** Why the report is degraded; empty when healthy. */
  errors: string[];
  lastUpdate: string;
}

interface VersionInfo {
  gitVersion?: string;
}

interface NodeList {
  items?: unknown[];
  metadata?: { continue?: string };
}

export async function collectStatus(
  client: KubeClient,
  operatorVersion: string,
  now: () => number,
): Promise<OperatorStatus> {
  const errors: string[] = [];
  let kubernetesVersion: string | null = null;
  let nodeCount: number | null = null;
  try {
    const version = await client.request<VersionInfo>("GET", "/version");
    kubernetesVersion = version?.gitVersion ?? null;
  } catch (error) {
    errors.push(describe(error));
  }
  try {
    nodeCount = await countNodes(client);
  } catch (error) {
    errors.push(describe(error));
  }
  return {
    operatorVersion,
    kubernetesVersion,
    nodeCount,
    health: errors.length === 0 ? "healthy" : "degraded",
    errors,
    lastUpdate: new Date(now()).toISOString(),
  };
}

/** Pages through the node list so that large clusters are not fetched in one response. */
async function countNodes(client: KubeClient): Promise<number> {
  let count = 0;
  let token: string | undefined;
  do {
    const query = `limit=500${token ? `&continue=${encodeURIComponent(token)}` : ""}`;
    const page = await client.request<NodeList>("GET", `/api/v1/nodes?${query}`);
    count += page?.items?.length ?? 0;
    token = page?.metadata?.continue || undefined;
  } while (token !== undefined);
  return count;
}

export type WriteOutcome = "patched" | "created";

export async function writeStatus(
  client: KubeClient,
  namespace: string,
  status: OperatorStatus,
): Promise<WriteOutcome> {
  const collection = `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps`;
  const data = { status: JSON.stringify(status) };
  const patch = () =>
    client.request("PATCH", `${collection}/${STATUS_CONFIGMAP}`, { data }, "application/merge-patch+json");
  try {
    await patch();
    return "patched";
  } catch (error) {
    if (!(error instanceof KubeApiError && error.status === 404)) throw error;
  }
  const configMap = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: STATUS_CONFIGMAP,
      namespace,
      labels: { "app.kubernetes.io/name": "kube9-operator", "app.kubernetes.io/component": "status" },
    },
    data,
  };
  try {
    await client.request("POST", collection, configMap);
    return "created";
  } catch (error) {
    // Someone created it between our patch and create (a second replica, a restart): patch it.
    if (error instanceof KubeApiError && error.status === 409) {
      await patch();
      return "patched";
    }
    throw error;
  }
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
