/**
 * The chart installed for real into a real control plane (etcd + kube-apiserver, no kubelet):
 * install, upgrade to the next version, rollback and uninstall from a local chart repository
 * with Helm 3 and Helm 4, no --dry-run and no --disable-openapi-validation; the values the chart
 * documents reach the stored objects; the schema's and the API server's refusals reach the user.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runRelease, type ServedRepository, serveRepository } from "../support/cli.js";
import { type ControlPlane, startControlPlane } from "../support/control-plane.js";
import { type Helm, helmRunner } from "../support/helm.js";
import { helmClients, repoRoot, toolPath } from "../support/tools.js";

const FIRST = "1.0.0";
const NEXT = "1.1.0";

interface KubeObject {
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: {
    template?: {
      metadata?: { labels?: Record<string, string> };
      spec?: {
        nodeSelector?: Record<string, string>;
        containers?: Array<{ image: string; imagePullPolicy: string; resources: unknown }>;
      };
    };
  };
}

let work: string;
let served: ServedRepository;
let cluster: ControlPlane;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "kube9-cluster-chart-"));
  cpSync(join(repoRoot, "charts", "kube9-operator"), join(work, "chart"), { recursive: true });
  for (const version of [FIRST, NEXT]) {
    const run = runRelease(
      ["chart", "publish", "chart", "--repo", "repo", "--version", version, "--app-version", version],
      { cwd: work },
    );
    expect(run.stderr).not.toContain("error");
    expect(run.status).toBe(0);
  }
  served = await serveRepository("repo", work);
  cluster = await startControlPlane();
});

afterAll(async () => {
  await served?.stop();
  await cluster?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** The API paths of every object the chart renders for a release named `release`. */
function chartObjects(namespace: string, release: string): Array<[string, string]> {
  const name = `${release}-kube9-operator`;
  const core = `/api/v1/namespaces/${namespace}`;
  const rbac = "/apis/rbac.authorization.k8s.io/v1";
  return [
    ["ServiceAccount", `${core}/serviceaccounts/${name}`],
    ["Service", `${core}/services/${name}`],
    ["Deployment", `/apis/apps/v1/namespaces/${namespace}/deployments/${name}`],
    ["Role", `${rbac}/namespaces/${namespace}/roles/${name}`],
    ["RoleBinding", `${rbac}/namespaces/${namespace}/rolebindings/${name}`],
    ["ClusterRole", `${rbac}/clusterroles/${name}`],
    ["ClusterRoleBinding", `${rbac}/clusterrolebindings/${name}`],
  ];
}

async function getObject(path: string): Promise<KubeObject> {
  const response = await cluster.request<KubeObject>("GET", path);
  expect(response.status, `GET ${path}`).toBe(200);
  return response.body;
}

async function deployment(namespace: string, release: string): Promise<KubeObject> {
  return getObject(`/apis/apps/v1/namespaces/${namespace}/deployments/${release}-kube9-operator`);
}

/** Helm's own record of the release: the Secrets it stores in the release namespace. */
async function releaseRecords(namespace: string, release: string): Promise<string[]> {
  const list = await cluster.request<{ items: Array<{ metadata: { name: string } }> }>(
    "GET",
    `/api/v1/namespaces/${namespace}/secrets?labelSelector=${encodeURIComponent(`owner=helm,name=${release}`)}`,
  );
  expect(list.status).toBe(200);
  return list.body.items.map((item) => item.metadata.name).sort();
}

/** Every object of the chart is stored with this version's image, labels and Helm ownership. */
async function expectInstalled(namespace: string, release: string, version: string): Promise<void> {
  for (const [kind, path] of chartObjects(namespace, release)) {
    const object = await getObject(path);
    expect({ kind, labels: object.metadata.labels }).toMatchObject({
      kind,
      labels: {
        "helm.sh/chart": `kube9-operator-${version}`,
        "app.kubernetes.io/name": "kube9-operator",
        "app.kubernetes.io/instance": release,
        "app.kubernetes.io/version": version,
        "app.kubernetes.io/managed-by": "Helm",
      },
    });
    expect({ kind, annotations: object.metadata.annotations }).toMatchObject({
      kind,
      annotations: { "meta.helm.sh/release-name": release, "meta.helm.sh/release-namespace": namespace },
    });
  }
  const stored = await deployment(namespace, release);
  expect(stored.spec?.template?.spec?.containers?.map((container) => container.image)).toEqual([
    `ghcr.io/alto9/kube9-operator:${version}`,
  ]);
  expect(stored.spec?.template?.metadata?.labels?.["app.kubernetes.io/version"]).toBe(version);
}

/** Helm's history of the release: [revision, status, chart] per revision, oldest first. */
async function history(
  helm: Helm,
  namespace: string,
  release: string,
): Promise<Array<[number, string, string]>> {
  const listed = await helm("history", release, "--namespace", namespace, "-o", "json");
  expect(listed.stderr).toBe("");
  const revisions = JSON.parse(listed.stdout) as Array<{ revision: number; status: string; chart: string }>;
  return revisions.map((entry) => [entry.revision, entry.status, entry.chart]);
}

describe.each(helmClients())(
  "$label: install, upgrade, rollback and uninstall for real",
  ({ label, path }) => {
    const namespace = `lifecycle-${label}`;
    const release = `life-${label}`;
    let helm: Helm;

    beforeAll(async () => {
      helm = helmRunner(path, join(work, label), cluster.kubeconfig);
      await cluster.createNamespace(namespace);
      const added = await helm("repo", "add", "kube9", served.url);
      expect(added.stdout + added.stderr).toContain('"kube9" has been added');
    });

    it(`installs ${FIRST} from the repository`, async () => {
      const installed = await helm(
        "install",
        release,
        "kube9/kube9-operator",
        "--version",
        FIRST,
        "--namespace",
        namespace,
      );
      expect(installed.stderr).toBe("");
      expect(installed.status).toBe(0);
      expect(installed.stdout).toContain("STATUS: deployed");
      await expectInstalled(namespace, release, FIRST);
      expect(await history(helm, namespace, release)).toEqual([[1, "deployed", `kube9-operator-${FIRST}`]]);
    });

    it(`upgrades to ${NEXT}`, async () => {
      const upgraded = await helm(
        "upgrade",
        release,
        "kube9/kube9-operator",
        "--version",
        NEXT,
        "--namespace",
        namespace,
      );
      expect(upgraded.stderr).toBe("");
      expect(upgraded.status).toBe(0);
      await expectInstalled(namespace, release, NEXT);
      expect(await history(helm, namespace, release)).toEqual([
        [1, "superseded", `kube9-operator-${FIRST}`],
        [2, "deployed", `kube9-operator-${NEXT}`],
      ]);
    });

    it(`rolls back to ${FIRST}`, async () => {
      const rolledBack = await helm("rollback", release, "1", "--namespace", namespace);
      expect(rolledBack.stderr).toBe("");
      expect(rolledBack.status).toBe(0);
      await expectInstalled(namespace, release, FIRST);
      expect(await history(helm, namespace, release)).toEqual([
        [1, "superseded", `kube9-operator-${FIRST}`],
        [2, "superseded", `kube9-operator-${NEXT}`],
        [3, "deployed", `kube9-operator-${FIRST}`],
      ]);
    });

    it("uninstalls: every object and Helm's release record are gone", async () => {
      expect(await releaseRecords(namespace, release)).toHaveLength(3);
      const uninstalled = await helm("uninstall", release, "--namespace", namespace);
      expect(uninstalled.status).toBe(0);
      expect(uninstalled.stdout).toContain(`release "${release}" uninstalled`);
      for (const [kind, objectPath] of chartObjects(namespace, release)) {
        const gone = await cluster.request("GET", objectPath);
        expect({ kind, status: gone.status }).toEqual({ kind, status: 404 });
      }
      expect(await releaseRecords(namespace, release)).toEqual([]);
    });
  },
);

describe("the documented values reach the stored objects", () => {
  const namespace = "values";
  const release = "custom";
  let helm: Helm;

  beforeAll(async () => {
    helm = helmRunner(toolPath("helm4"), join(work, "values-helm4"), cluster.kubeconfig);
    await cluster.createNamespace(namespace);
    writeFileSync(
      join(work, "custom-values.yaml"),
      [
        "image:",
        "  repository: registry.example.test/mirror/kube9-operator",
        "  tag: 9.9.9-custom",
        "  pullPolicy: Always",
        "resources:",
        "  requests:",
        "    cpu: 120m",
        "    memory: 96Mi",
        "  limits:",
        "    memory: 320Mi",
        "nodeSelector:",
        "  kubernetes.io/os: linux",
        "  node-pool: operators",
        "podLabels:",
        "  team: platform",
        '  cost-center: "4711"',
        "",
      ].join("\n"),
    );
  });

  it("image repository and tag, pullPolicy, resources, node selector and extra pod labels", async () => {
    const installed = await helm(
      "install",
      release,
      join(work, "chart"),
      "--namespace",
      namespace,
      "--values",
      join(work, "custom-values.yaml"),
    );
    expect(installed.stderr).toBe("");
    expect(installed.status).toBe(0);
    const stored = await deployment(namespace, release);
    const container = stored.spec?.template?.spec?.containers?.[0];
    expect(container?.image).toBe("registry.example.test/mirror/kube9-operator:9.9.9-custom");
    expect(container?.imagePullPolicy).toBe("Always");
    // The defaults' keys that the file does not name (limits.cpu) stay absent: maps are merged key by key.
    expect(container?.resources).toEqual({
      requests: { cpu: "120m", memory: "96Mi" },
      limits: { memory: "320Mi" },
    });
    expect(stored.spec?.template?.spec?.nodeSelector).toEqual({
      "kubernetes.io/os": "linux",
      "node-pool": "operators",
    });
    expect(stored.spec?.template?.metadata?.labels).toMatchObject({
      team: "platform",
      "cost-center": "4711",
      "app.kubernetes.io/version": "9.9.9-custom",
    });
    // Extra pod labels go on the pods only, never into the immutable selector or the Service's.
    expect(stored.metadata.labels?.team).toBeUndefined();
    const service = await getObject(`/api/v1/namespaces/${namespace}/services/${release}-kube9-operator`);
    expect(JSON.stringify(service)).not.toContain("platform");
  });

  it("an image digest replaces the tag", async () => {
    const digest = `sha256:${"0123456789abcdef".repeat(4)}`;
    const upgraded = await helm(
      "upgrade",
      release,
      join(work, "chart"),
      "--namespace",
      namespace,
      "--reuse-values",
      "--set",
      `image.digest=${digest}`,
    );
    expect(upgraded.stderr).toBe("");
    expect(upgraded.status).toBe(0);
    const container = (await deployment(namespace, release)).spec?.template?.spec?.containers?.[0];
    expect(container?.image).toBe(`registry.example.test/mirror/kube9-operator@${digest}`);
  });
});

describe.each(helmClients())("$label: refusals reach the user", ({ label, path }) => {
  const namespace = `refusals-${label}`;
  let helm: Helm;

  beforeAll(async () => {
    helm = helmRunner(path, join(work, `refusals-${label}`), cluster.kubeconfig);
    await cluster.createNamespace(namespace);
  });

  const install = (release: string, ...set: string[]) =>
    helm(
      "install",
      release,
      join(work, "chart"),
      "--namespace",
      namespace,
      ...set.flatMap((value) => ["--set", value]),
    );

  it("the values schema refuses a value outside its enum, naming the field; nothing is stored", async () => {
    const refused = await install("bad-enum", "image.pullPolicy=Sometimes");
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain("values don't meet the specifications of the schema");
    expect(refused.stderr).toContain(
      "at '/image/pullPolicy': value must be one of 'Always', 'IfNotPresent', 'Never'",
    );
    expect(await releaseRecords(namespace, "bad-enum")).toEqual([]);
    expect((await cluster.request("GET", chartObjects(namespace, "bad-enum")[0]?.[1] ?? "")).status).toBe(
      404,
    );
  });

  it("the values schema refuses a misspelled key, naming it", async () => {
    const refused = await install("bad-key", "replicas=2");
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain("values don't meet the specifications of the schema");
    expect(refused.stderr).toContain("additional properties 'replicas' not allowed");
    expect(await releaseRecords(namespace, "bad-key")).toEqual([]);
  });

  it("the API server refuses a label value the schema cannot judge, naming the field and the value", async () => {
    const refused = await install("bad-label", "podLabels.team=platform team");
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('spec.template.labels: Invalid value: "platform team"');
    expect(refused.stderr).toContain("a valid label must be");
    // Helm records the failed release; the user removes it as usual.
    const uninstalled = await helm("uninstall", "bad-label", "--namespace", namespace);
    expect(uninstalled.status).toBe(0);
  });

  it("the API server refuses a resource quantity it cannot parse", async () => {
    const refused = await install("bad-quantity", "resources.limits.memory=lots");
    expect(refused.status).toBe(1);
    // The message is the API server's decoder's: it names the kind, not the field.
    expect(refused.stderr).toMatch(/Deployment.*: quantities must match the regular expression/);
    const uninstalled = await helm("uninstall", "bad-quantity", "--namespace", namespace);
    expect(uninstalled.status).toBe(0);
  });
});
