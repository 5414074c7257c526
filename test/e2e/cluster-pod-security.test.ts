/**
 * The chart against Pod Security admission at the `restricted` level, in a real control plane.
 * Pod Security judges Pods, not Deployments, so kube-controller-manager runs too: the Deployment
 * makes a ReplicaSet and the ReplicaSet creates the Pods, which admission then admits or refuses,
 * exactly as in a cluster (docs/architecture.md, "The test control plane", says why this rather than a dry-run of each template).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { load } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ControlPlane, startControlPlane } from "../support/control-plane.js";
import { helmRunner } from "../support/helm.js";
import { helmClients, repoRoot } from "../support/tools.js";

const RESTRICTED = {
  "pod-security.kubernetes.io/enforce": "restricted",
  "pod-security.kubernetes.io/enforce-version": "latest",
  "pod-security.kubernetes.io/warn": "restricted",
  "pod-security.kubernetes.io/warn-version": "latest",
};

interface Pod {
  metadata: { name: string };
  spec: { containers: Array<{ image: string }> };
}
interface ReplicaSet {
  status?: { conditions?: Array<{ type: string; status: string; message: string }> };
}

const appVersion = (
  load(readFileSync(join(repoRoot, "charts", "kube9-operator", "Chart.yaml"), "utf8")) as {
    appVersion: string;
  }
).appVersion;

let work: string;
let cluster: ControlPlane;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "kube9-pod-security-"));
  cpSync(join(repoRoot, "charts", "kube9-operator"), join(work, "chart"), { recursive: true });
  // Values that break the restricted standard in the two ways users most often do: root, and
  // privilege escalation allowed.
  writeFileSync(
    join(work, "root.yaml"),
    [
      "podSecurityContext:",
      "  runAsNonRoot: false",
      "  runAsUser: 0",
      "securityContext:",
      "  runAsNonRoot: false",
      "  allowPrivilegeEscalation: true",
      "",
    ].join("\n"),
  );
  cluster = await startControlPlane({ controllerManager: true });
});

afterAll(async () => {
  await cluster?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Polls `check` until it returns a value (the controllers work asynchronously). */
async function eventually<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out after 60 s waiting for ${what}`);
}

async function podsOf(namespace: string, release: string): Promise<Pod[]> {
  const list = await cluster.request<{ items: Pod[] }>(
    "GET",
    `/api/v1/namespaces/${namespace}/pods?labelSelector=${encodeURIComponent(`app.kubernetes.io/instance=${release}`)}`,
  );
  expect(list.status).toBe(200);
  return list.body.items;
}

describe.each(helmClients())("$label into a namespace that enforces restricted", ({ label, path }) => {
  const namespace = `restricted-${label}`;
  // Release names differ per client: the chart's ClusterRole names are cluster-wide.
  const defaults = `defaults-${label}`;
  const asRoot = `as-root-${label}`;
  const helm = () => helmRunner(path, join(work, label), cluster.kubeconfig);

  beforeAll(async () => {
    await cluster.createNamespace(namespace, RESTRICTED);
  });

  it("admits the chart's pod with the default values, without a warning", async () => {
    const installed = await helm()("install", defaults, join(work, "chart"), "--namespace", namespace);
    expect(installed.stderr).toBe("");
    expect(installed.status).toBe(0);
    const pods = await eventually("the operator pod", async () => {
      const found = await podsOf(namespace, defaults);
      return found.length > 0 ? found : undefined;
    });
    expect(pods.map((pod) => pod.spec.containers.map((container) => container.image))).toEqual([
      [`ghcr.io/alto9/kube9-operator:${appVersion}`],
    ]);
  });

  it("refuses the pod of values that run as root, and the user sees why", async () => {
    const installed = await helm()(
      "install",
      asRoot,
      join(work, "chart"),
      "--namespace",
      namespace,
      "--values",
      join(work, "root.yaml"),
    );
    // Helm prints the API server's warning at install time (the `warn` label)...
    expect(installed.status).toBe(0);
    // (as a klog line that escapes the quotes)
    expect(installed.stderr).toContain("Warning: would violate PodSecurity");
    expect(installed.stderr).toContain("restricted:latest");
    expect(installed.stderr).toContain("runAsNonRoot != true");
    expect(installed.stderr).toContain("allowPrivilegeEscalation != false");
    // ...and enforcement refuses the Pod, which the ReplicaSet reports (kubectl describe shows it).
    const failure = await eventually("the ReplicaSet's ReplicaFailure condition", async () => {
      const list = await cluster.request<{ items: ReplicaSet[] }>(
        "GET",
        `/apis/apps/v1/namespaces/${namespace}/replicasets?labelSelector=${encodeURIComponent(`app.kubernetes.io/instance=${asRoot}`)}`,
      );
      return list.body.items
        .flatMap((replicaSet) => replicaSet.status?.conditions ?? [])
        .find((condition) => condition.type === "ReplicaFailure" && condition.status === "True");
    });
    expect(failure.message).toContain('violates PodSecurity "restricted:latest"');
    expect(failure.message).toContain("runAsUser=0");
    expect(await podsOf(namespace, asRoot)).toEqual([]);
  });
});
