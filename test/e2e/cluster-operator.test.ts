/**
 * The operator with the identity the chart gives it, in a real control plane: the chart is
 * installed for real, the operator (the compiled operator/dist/main.js) runs as a local process
 * with a token of the chart's ServiceAccount from the TokenRequest API and the cluster's CA, and
 * the environment the chart's Deployment sets. It must write and update its status ConfigMap and
 * report ready; the same identity must be refused everything the operator does not need.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toolSpec } from "../../scripts/tool-paths.mjs";
import { type ControlPlane, startControlPlane } from "../support/control-plane.js";
import { helmRunner } from "../support/helm.js";
import { repoRoot, toolPath } from "../support/tools.js";

const NAMESPACE = "kube9-system";
const RELEASE = "kube9-operator";
const SERVICE_ACCOUNT = `system:serviceaccount:${NAMESPACE}:${RELEASE}`;
const mainJs = join(repoRoot, "operator", "dist", "main.js");
const operatorVersion = (
  JSON.parse(readFileSync(join(repoRoot, "operator", "package.json"), "utf8")) as { version: string }
).version;

interface LogLine {
  msg: string;
  port?: number;
  outcome?: string;
  [field: string]: unknown;
}
interface Status {
  operatorVersion: string;
  kubernetesVersion: string | null;
  nodeCount: number | null;
  health: string;
  errors: string[];
  lastUpdate: string;
}

let work: string;
let cluster: ControlPlane;
let token: string;
let operator: ChildProcess;
const logs: LogLine[] = [];

/** Polls the operator's log until a line matches. */
async function logLine(what: string, match: (line: LogLine) => boolean): Promise<LogLine> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const found = logs.find(match);
    if (found !== undefined) return found;
    if (operator.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `no log line "${what}"; the log so far:\n${logs.map((line) => JSON.stringify(line)).join("\n")}`,
  );
}

/** The env the chart's stored Deployment gives the operator container, resolved as the kubelet would. */
async function deploymentEnvironment(): Promise<Record<string, string>> {
  const stored = await cluster.request<{
    spec: {
      template: {
        spec: {
          containers: Array<{
            env: Array<{ name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }>;
          }>;
        };
      };
    };
  }>("GET", `/apis/apps/v1/namespaces/${NAMESPACE}/deployments/${RELEASE}`);
  expect(stored.status).toBe(200);
  const env: Record<string, string> = {};
  for (const variable of stored.body.spec.template.spec.containers[0]?.env ?? []) {
    if (variable.value !== undefined) env[variable.name] = variable.value;
    else if (variable.valueFrom?.fieldRef?.fieldPath === "metadata.namespace") env[variable.name] = NAMESPACE;
    else throw new Error(`the test cannot resolve env ${variable.name} of the chart's Deployment`);
  }
  return env;
}

async function statusConfigMap(): Promise<Status> {
  const stored = await cluster.request<{ data: { status: string } }>(
    "GET",
    `/api/v1/namespaces/${NAMESPACE}/configmaps/kube9-operator-status`,
  );
  expect(stored.status).toBe(200);
  return JSON.parse(stored.body.data.status) as Status;
}

beforeAll(async () => {
  if (!existsSync(mainJs)) throw new Error(`${mainJs} is missing: build it with npx tsc -b operator`);
  work = mkdtempSync(join(tmpdir(), "kube9-cluster-operator-"));
  cluster = await startControlPlane();
  await cluster.createNamespace(NAMESPACE);
  const helm = helmRunner(toolPath("helm4"), join(work, "helm"), cluster.kubeconfig);
  // The shortest interval the chart's schema allows, so that the test sees an update soon.
  const installed = await helm(
    "install",
    RELEASE,
    join(repoRoot, "charts", "kube9-operator"),
    "--namespace",
    NAMESPACE,
    "--set",
    "statusIntervalSeconds=5",
  );
  expect(installed.stderr).toBe("");
  expect(installed.status).toBe(0);

  token = await cluster.serviceAccountToken(NAMESPACE, RELEASE);
  const kubeconfig = cluster.writeKubeconfig(join(work, "operator.kubeconfig"), {
    token,
    namespace: NAMESPACE,
  });
  operator = spawn(process.execPath, [mainJs], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: work,
      ...(await deploymentEnvironment()),
      KUBECONFIG: kubeconfig,
      PORT: "0",
      LISTEN_ADDRESS: "127.0.0.1",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let buffered = "";
  operator.stdout?.on("data", (chunk: Buffer) => {
    buffered += chunk.toString("utf8");
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) logs.push(JSON.parse(line) as LogLine);
  });
});

afterAll(async () => {
  if (operator !== undefined && operator.exitCode === null) {
    operator.kill("SIGKILL");
    await once(operator, "exit");
  }
  await cluster?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("the operator as the chart's ServiceAccount", () => {
  it("creates its status ConfigMap with the cluster's real version, and reports ready", async () => {
    const started = await logLine("operator started", (line) => line.msg === "operator started");
    expect(started).toMatchObject({ namespace: NAMESPACE, intervalSeconds: 5, cluster: "kubeconfig" });
    await logLine(
      "status written (created)",
      (line) => line.msg === "status written" && line.outcome === "created",
    );
    const status = await statusConfigMap();
    expect(status).toMatchObject({
      operatorVersion,
      // The version the pinned kube-apiserver was built to report (its ldflags in scripts/tools.json).
      kubernetesVersion: toolSpec("kube-apiserver").version,
      nodeCount: 0,
      health: "healthy",
      errors: [],
    });
    const ready = await fetch(`http://127.0.0.1:${started.port}/readyz`);
    expect([ready.status, await ready.text()]).toEqual([200, "ok\n"]);
  });

  it("updates the ConfigMap at the next interval", async () => {
    const before = (await statusConfigMap()).lastUpdate;
    await logLine(
      "status written (patched)",
      (line) => line.msg === "status written" && line.outcome === "patched",
    );
    const after = await statusConfigMap();
    expect(Date.parse(after.lastUpdate)).toBeGreaterThan(Date.parse(before));
    expect(logs.filter((line) => line.msg === "status write failed")).toEqual([]);
  });

  it("stops cleanly on SIGTERM", async () => {
    operator.kill("SIGTERM");
    // "close": the exit code, and every line the operator wrote before it.
    const [code] = await once(operator, "close");
    expect(code).toBe(0);
    expect(logs.at(-1)?.msg).toBe("operator stopped");
  });
});

describe("the chart's ServiceAccount is refused what the operator does not need", () => {
  const core = `/api/v1/namespaces/${NAMESPACE}`;
  const configMap = (namespace: string, name: string) => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace },
    data: { key: "value" },
  });

  beforeAll(async () => {
    // A neighbour in the operator's own namespace, and one in another namespace.
    for (const namespace of [NAMESPACE, "default"]) {
      const created = await cluster.request("POST", `/api/v1/namespaces/${namespace}/configmaps`, {
        body: configMap(namespace, "neighbour"),
      });
      expect(created.status).toBe(201);
    }
  });

  it.each([
    ["GET", "/version", undefined],
    ["GET", "/api/v1/nodes", undefined],
    ["GET", "/api/v1/namespaces", undefined],
    ["GET", `${core}/configmaps`, undefined],
    ["GET", `${core}/configmaps/neighbour`, undefined],
  ] as const)("allowed: %s %s (what the operator reads)", async (method, path, body) => {
    const response = await cluster.request(method, path, { token, ...(body === undefined ? {} : { body }) });
    expect(response.status).toBe(200);
  });

  it.each([
    ["GET", "/api/v1/namespaces/default/configmaps", undefined],
    ["GET", "/api/v1/namespaces/default/configmaps/neighbour", undefined],
    ["POST", "/api/v1/namespaces/default/configmaps", configMap("default", "intruder")],
    ["PATCH", `${core}/configmaps/neighbour`, { data: { key: "changed" } }],
    ["DELETE", `${core}/configmaps/kube9-operator-status`, undefined],
    ["GET", `${core}/secrets`, undefined],
    ["GET", "/api/v1/secrets", undefined],
    ["GET", `${core}/pods`, undefined],
    [
      "POST",
      `${core}/pods`,
      {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "x" },
        spec: { containers: [{ name: "x", image: "x" }] },
      },
    ],
    ["GET", `/apis/apps/v1/namespaces/${NAMESPACE}/deployments`, undefined],
    [
      "POST",
      `${core}/serviceaccounts/${RELEASE}/token`,
      { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: {} },
    ],
    ["POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "intruder" } }],
    ["PATCH", `/api/v1/namespaces/${NAMESPACE}`, { metadata: { labels: { changed: "true" } } }],
    ["POST", "/api/v1/nodes", { apiVersion: "v1", kind: "Node", metadata: { name: "intruder" } }],
    [
      "POST",
      "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRoleBinding",
        metadata: { name: "intruder" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
        subjects: [{ kind: "ServiceAccount", name: RELEASE, namespace: NAMESPACE }],
      },
    ],
    [
      "PATCH",
      `/apis/rbac.authorization.k8s.io/v1/namespaces/${NAMESPACE}/roles/${RELEASE}`,
      { rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }] },
    ],
  ] as const)("refused: %s %s", async (method, path, body) => {
    const response = await cluster.request<{ reason?: string; message?: string }>(method, path, {
      token,
      ...(body === undefined ? {} : { body }),
      ...(method === "PATCH" ? { contentType: "application/merge-patch+json" } : {}),
    });
    expect(response.status).toBe(403);
    expect(response.body.reason).toBe("Forbidden");
    expect(response.body.message).toContain(`User "${SERVICE_ACCOUNT}" cannot`);
  });
});

describe("the chart's ServiceAccount has exactly the operator's permissions", () => {
  interface RulesReview {
    status: {
      resourceRules: Array<{
        verbs: string[];
        apiGroups?: string[];
        resources?: string[];
        resourceNames?: string[];
      }>;
    };
  }

  /** Every (group, resource, name, verb) the token may use in the namespace, as sorted strings. */
  async function permissions(subjectToken: string): Promise<string[]> {
    const review = await cluster.request<RulesReview>(
      "POST",
      "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
      {
        token: subjectToken,
        body: {
          apiVersion: "authorization.k8s.io/v1",
          kind: "SelfSubjectRulesReview",
          spec: { namespace: NAMESPACE },
        },
      },
    );
    expect(review.status).toBe(201);
    const granted = new Set<string>();
    for (const rule of review.body.status.resourceRules) {
      for (const group of rule.apiGroups ?? [""])
        for (const resource of rule.resources ?? [])
          for (const name of rule.resourceNames ?? ["*"])
            for (const verb of rule.verbs) granted.add(`${group || "core"}/${resource}/${name}: ${verb}`);
    }
    return [...granted].sort();
  }

  it("its namespace rules, beyond what every authenticated identity has, are the chart's documented ones", async () => {
    // A ServiceAccount with no binding shows what Kubernetes grants everyone (self reviews...).
    const created = await cluster.request("POST", `/api/v1/namespaces/${NAMESPACE}/serviceaccounts`, {
      body: { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "nobody" } },
    });
    expect(created.status).toBe(201);
    const everyone = new Set(await permissions(await cluster.serviceAccountToken(NAMESPACE, "nobody")));
    const extra = (await permissions(token)).filter((permission) => !everyone.has(permission));
    // docs/operator.md, "RBAC it needs".
    expect(extra).toEqual(
      [
        ...["get", "list", "watch"].flatMap((verb) => [
          `core/nodes/*: ${verb}`,
          `core/namespaces/*: ${verb}`,
        ]),
        ...["get", "list", "watch", "create"].map((verb) => `core/configmaps/*: ${verb}`),
        ...["update", "patch"].map((verb) => `core/configmaps/kube9-operator-status: ${verb}`),
      ].sort(),
    );
  });
});
