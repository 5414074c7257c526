/**
 * Cluster configuration: in-cluster ServiceAccount files and kubeconfig files as kubectl writes
 * them, read through an injected file map; and the environment variables of the chart.
 */
import { describe, expect, it } from "vitest";
import { loadClusterConfig, SERVICE_ACCOUNT_DIR } from "../src/cluster-config.js";
import { parseYaml } from "../src/mini-yaml.js";
import { readSettings } from "../src/settings.js";

const files = (entries: Record<string, string>) => (path: string) =>
  entries[path] === undefined ? undefined : Buffer.from(entries[path] as string);

const KUBECONFIG = `apiVersion: v1
kind: Config
# two clusters; the current context picks the second one
clusters:
- cluster:
    server: https://old.example:6443
  name: old
- cluster:
    certificate-authority-data: ${Buffer.from("CA PEM").toString("base64")}
    server: "https://127.0.0.1:6443/"
  name: kind-kube9
contexts:
- context:
    cluster: old
    user: old
  name: old
- context:
    cluster: kind-kube9
    namespace: kube9-system
    user: 'kind-kube9'
  name: kind-kube9
current-context: kind-kube9
preferences: {}
users:
- name: old
  user:
    token: old-token
- name: kind-kube9
  user:
    client-certificate-data: ${Buffer.from("CERT PEM").toString("base64")}
    client-key-data: ${Buffer.from("KEY PEM").toString("base64")}
    token: abc.def
`;

describe("kubeconfig", () => {
  it("uses the current context's cluster, user and namespace", () => {
    const config = loadClusterConfig({
      env: { KUBECONFIG: "/missing:/home/me/kind.yaml" },
      readFile: files({ "/home/me/kind.yaml": KUBECONFIG }),
      homeDir: "/home/me",
    });
    expect(config.source).toBe("kubeconfig");
    expect(config.server).toBe("https://127.0.0.1:6443");
    expect(config.ca?.toString()).toBe("CA PEM");
    expect(config.clientCert?.toString()).toBe("CERT PEM");
    expect(config.clientKey?.toString()).toBe("KEY PEM");
    expect(config.token()).toBe("abc.def");
    expect(config.namespace).toBe("kube9-system");
    expect(config.insecureSkipTlsVerify).toBe(false);
  });

  it("reads ~/.kube/config without KUBECONFIG, supports no credentials and insecure-skip-tls-verify", () => {
    const kubeconfig = [
      "current-context: local",
      "contexts:",
      "  - name: local",
      "    context:",
      "      cluster: local",
      "clusters:",
      "  - name: local",
      "    cluster:",
      "      server: http://127.0.0.1:8001",
      "      insecure-skip-tls-verify: true",
    ].join("\n");
    const config = loadClusterConfig({
      env: {},
      readFile: files({ "/home/me/.kube/config": kubeconfig }),
      homeDir: "/home/me",
    });
    expect(config.server).toBe("http://127.0.0.1:8001");
    expect(config.token()).toBeUndefined();
    expect(config.insecureSkipTlsVerify).toBe(true);
    expect(config.namespace).toBeUndefined();
  });

  it("accepts a JSON kubeconfig and reads certificate-authority and tokenFile from files", () => {
    const kubeconfig = JSON.stringify({
      "current-context": "c",
      contexts: [{ name: "c", context: { cluster: "k", user: "u" } }],
      clusters: [{ name: "k", cluster: { server: "https://k:443", "certificate-authority": "/ca.pem" } }],
      users: [{ name: "u", user: { tokenFile: "/token" } }],
    });
    const entries: Record<string, string> = {
      "/kc.json": kubeconfig,
      "/ca.pem": "FILE CA",
      "/token": "t1\n",
    };
    const config = loadClusterConfig({
      env: { KUBECONFIG: "/kc.json" },
      readFile: files(entries),
      homeDir: "/",
    });
    expect(config.ca?.toString()).toBe("FILE CA");
    expect(config.token()).toBe("t1");
  });

  it("explains a missing configuration, a dangling context and unsupported YAML", () => {
    expect(() => loadClusterConfig({ env: {}, readFile: files({}), homeDir: "/home/me" })).toThrow(
      /no Kubernetes configuration.*\/home\/me\/\.kube\/config/,
    );
    expect(() =>
      loadClusterConfig({
        env: { KUBECONFIG: "/kc" },
        readFile: files({ "/kc": "current-context: gone\ncontexts: []\n" }),
        homeDir: "/",
      }),
    ).toThrow(/no contexts entry named "gone"/);
    expect(() => parseYaml("a: &anchor x\n")).toThrow(/line 1: unsupported value &anchor x/);
    expect(() => parseYaml("a:\n  b: 1\n c: 2\n")).toThrow(/line 3/);
  });
});

describe("in-cluster configuration", () => {
  const serviceAccount = (token: string) => ({
    [`${SERVICE_ACCOUNT_DIR}/token`]: token,
    [`${SERVICE_ACCOUNT_DIR}/ca.crt`]: "CLUSTER CA",
    [`${SERVICE_ACCOUNT_DIR}/namespace`]: "kube9-system\n",
  });

  it("uses the ServiceAccount files and KUBERNETES_SERVICE_HOST/PORT, re-reading the token", () => {
    const entries = serviceAccount("token-1");
    const config = loadClusterConfig({
      env: { KUBERNETES_SERVICE_HOST: "10.96.0.1", KUBERNETES_SERVICE_PORT: "443" },
      readFile: files(entries),
      homeDir: "/nonexistent",
    });
    expect(config.source).toBe("in-cluster");
    expect(config.server).toBe("https://10.96.0.1:443");
    expect(config.ca?.toString()).toBe("CLUSTER CA");
    expect(config.namespace).toBe("kube9-system");
    expect(config.token()).toBe("token-1");
    entries[`${SERVICE_ACCOUNT_DIR}/token`] = "token-2";
    expect(config.token()).toBe("token-2");
  });

  it("brackets an IPv6 service host", () => {
    const config = loadClusterConfig({
      env: { KUBERNETES_SERVICE_HOST: "fd00:10:96::1", KUBERNETES_SERVICE_PORT: "6443" },
      readFile: files(serviceAccount("t")),
      homeDir: "/",
    });
    expect(config.server).toBe("https://[fd00:10:96::1]:6443");
  });
});

describe("settings", () => {
  it("defaults to a 60 s interval on port 8080 and takes POD_NAMESPACE", () => {
    expect(readSettings({})).toEqual({
      namespace: undefined,
      intervalMs: 60_000,
      port: 8080,
      host: undefined,
    });
    expect(
      readSettings({
        POD_NAMESPACE: "ns",
        STATUS_INTERVAL_SECONDS: "15",
        PORT: "9090",
        LISTEN_ADDRESS: "127.0.0.1",
      }),
    ).toEqual({
      namespace: "ns",
      intervalMs: 15_000,
      port: 9090,
      host: "127.0.0.1",
    });
  });

  it("refuses values that are not numbers or out of range", () => {
    expect(() => readSettings({ STATUS_INTERVAL_SECONDS: "60s" })).toThrow(/STATUS_INTERVAL_SECONDS/);
    expect(() => readSettings({ STATUS_INTERVAL_SECONDS: "0" })).toThrow(/STATUS_INTERVAL_SECONDS/);
    expect(() => readSettings({ PORT: "http" })).toThrow(/PORT/);
    expect(() => readSettings({ PORT: "70000" })).toThrow(/PORT/);
    expect(() => readSettings({ LISTEN_ADDRESS: "localhost; rm" })).toThrow(/LISTEN_ADDRESS/);
  });
});
