/**
 * Where the Kubernetes API is and how to authenticate: in a pod, the ServiceAccount files and the
 * KUBERNETES_SERVICE_* variables; outside, a kubeconfig (KUBECONFIG or ~/.kube/config) with a
 * bearer token, a client certificate, or no credentials. File access goes through `readFile` so
 * tests use plain objects instead of touching /var/run/secrets.
 */
import { join } from "node:path";
import { parseYaml, type YamlValue } from "./mini-yaml.js";

export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

export interface ClusterConfig {
  /** Base URL of the API server, without a trailing slash. */
  server: string;
  ca?: Buffer;
  insecureSkipTlsVerify: boolean;
  clientCert?: Buffer;
  clientKey?: Buffer;
  /**
   * The bearer token, read on every call: projected ServiceAccount tokens are rotated by the
   * kubelet (about hourly), so a token read once at start would expire under a long-running pod.
   */
  token: () => string | undefined;
  /** Namespace from the ServiceAccount or the kubeconfig context, when known. */
  namespace?: string;
  source: "in-cluster" | "kubeconfig";
}

export interface ConfigSources {
  env: Record<string, string | undefined>;
  /** Returns the file's content, or undefined when it does not exist. */
  readFile: (path: string) => Buffer | undefined;
  homeDir: string;
}

export function loadClusterConfig(sources: ConfigSources): ClusterConfig {
  const { env, readFile } = sources;
  const host = env.KUBERNETES_SERVICE_HOST;
  const tokenPath = join(SERVICE_ACCOUNT_DIR, "token");
  if (host && env.KUBECONFIG === undefined && readFile(tokenPath) !== undefined) {
    const port = env.KUBERNETES_SERVICE_PORT || "443";
    const hostPart = host.includes(":") ? `[${host}]` : host;
    const config: ClusterConfig = {
      server: `https://${hostPart}:${port}`,
      insecureSkipTlsVerify: false,
      token: () => readFile(tokenPath)?.toString("utf8").trim(),
      source: "in-cluster",
    };
    const ca = readFile(join(SERVICE_ACCOUNT_DIR, "ca.crt"));
    if (ca !== undefined) config.ca = ca;
    const namespace = readFile(join(SERVICE_ACCOUNT_DIR, "namespace"))?.toString("utf8").trim();
    if (namespace) config.namespace = namespace;
    return config;
  }
  // KUBECONFIG may list several files; like kubectl, the first one that exists wins here (no merging).
  const candidates = (env.KUBECONFIG || join(sources.homeDir, ".kube", "config")).split(":").filter(Boolean);
  for (const path of candidates) {
    const content = readFile(path);
    if (content !== undefined) return fromKubeconfig(parseYaml(content.toString("utf8")), path, readFile);
  }
  throw new Error(
    `no Kubernetes configuration: not in a pod (no ${tokenPath}) and no kubeconfig at ${candidates.join(", ")}`,
  );
}

type YamlMap = { [key: string]: YamlValue };

function asMap(value: YamlValue | undefined): YamlMap | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? value : undefined;
}

function asString(value: YamlValue | undefined): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function named(document: YamlMap, list: string, name: string, field: string, path: string): YamlMap {
  const entries = Array.isArray(document[list]) ? (document[list] as YamlValue[]) : [];
  for (const entry of entries) {
    const map = asMap(entry);
    if (map && map.name === name) return asMap(map[field]) ?? {};
  }
  throw new Error(`${path}: no ${list} entry named ${JSON.stringify(name)}`);
}

function fromKubeconfig(
  parsed: YamlValue,
  path: string,
  readFile: (path: string) => Buffer | undefined,
): ClusterConfig {
  const document = asMap(parsed);
  const contextName = asString(document?.["current-context"]);
  if (document === undefined || contextName === undefined) throw new Error(`${path}: no current-context`);
  const context = named(document, "contexts", contextName, "context", path);
  const cluster = named(document, "clusters", asString(context.cluster) ?? "", "cluster", path);
  const userName = asString(context.user);
  const user = userName === undefined ? {} : named(document, "users", userName, "user", path);
  const server = asString(cluster.server);
  if (server === undefined) throw new Error(`${path}: cluster of context ${contextName} has no server`);

  const inlineOrFile = (map: YamlMap, dataKey: string, fileKey: string): Buffer | undefined => {
    const data = asString(map[dataKey]);
    if (data !== undefined) return Buffer.from(data, "base64");
    const file = asString(map[fileKey]);
    if (file === undefined) return undefined;
    const content = readFile(file);
    if (content === undefined) throw new Error(`${path}: ${fileKey} ${file} does not exist`);
    return content;
  };

  const token = asString(user.token);
  const tokenFile = asString(user.tokenFile);
  const config: ClusterConfig = {
    server: server.replace(/\/+$/, ""),
    insecureSkipTlsVerify: cluster["insecure-skip-tls-verify"] === true,
    token: () => token ?? (tokenFile ? readFile(tokenFile)?.toString("utf8").trim() : undefined),
    source: "kubeconfig",
  };
  const ca = inlineOrFile(cluster, "certificate-authority-data", "certificate-authority");
  if (ca !== undefined) config.ca = ca;
  const cert = inlineOrFile(user, "client-certificate-data", "client-certificate");
  if (cert !== undefined) config.clientCert = cert;
  const key = inlineOrFile(user, "client-key-data", "client-key");
  if (key !== undefined) config.clientKey = key;
  const namespace = asString(context.namespace);
  if (namespace !== undefined) config.namespace = namespace;
  return config;
}
