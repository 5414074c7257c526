/**
 * The kube9-operator chart under Helm 3 and Helm 4: `helm lint --strict`, the rendered manifests
 * (image reference, RBAC, security settings, the `helm test` hook) and values.schema.json.
 * Assertions are made on the parsed objects, never on the rendered text.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { load, loadAll } from "js-yaml";
import { afterAll, describe, expect, it } from "vitest";
import { helmClients, repoRoot } from "../support/tools.js";

const chartDir = join(repoRoot, "charts", "kube9-operator");
const release = "kube9-operator";
const namespace = "kube9-system";
const statusConfigMap = "kube9-operator-status";

/**
 * The Kubernetes version the manifests are rendered for. Helm built with plain `go install` (no
 * ldflags) assumes Kubernetes v1.20.0 when no cluster is reachable, which the chart's
 * kubeVersion (>=1.26.0-0) rightly refuses; a real cluster reports its own version.
 */
const kubeVersion = "v1.30.0";

interface ChartMetadata {
  name: string;
  version: string;
  appVersion: unknown;
}

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  // biome-ignore lint/suspicious/noExplicitAny: rendered manifests are checked field by field below
  [field: string]: any;
}

interface HelmResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

const chart = load(readFileSync(join(chartDir, "Chart.yaml"), "utf8")) as ChartMetadata;

// Keep Helm's cache, config and data out of the user's home.
const helmHome = mkdtempSync(join(tmpdir(), "kube9-chart-lint-"));
const helmEnv = {
  ...process.env,
  HELM_CACHE_HOME: join(helmHome, "cache"),
  HELM_CONFIG_HOME: join(helmHome, "config"),
  HELM_DATA_HOME: join(helmHome, "data"),
};

afterAll(() => {
  rmSync(helmHome, { recursive: true, force: true });
});

function runHelm(helm: string, args: string[]): HelmResult {
  const result = spawnSync(helm, args, { encoding: "utf8", env: helmEnv, timeout: 60_000 });
  if (result.error !== undefined) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function template(helm: string, extraArgs: string[] = []): HelmResult {
  return runHelm(helm, [
    "template",
    release,
    chartDir,
    "--namespace",
    namespace,
    "--kube-version",
    kubeVersion,
    ...extraArgs,
  ]);
}

/** Renders the chart and parses every document; fails with Helm's own message if rendering fails. */
function render(helm: string, extraArgs: string[] = []): K8sObject[] {
  const result = template(helm, extraArgs);
  expect(result.status, result.stderr).toBe(0);
  return loadAll(result.stdout).filter((doc): doc is K8sObject => doc !== null && typeof doc === "object");
}

function only(objects: K8sObject[], kind: string, predicate: (o: K8sObject) => boolean = () => true) {
  const found = objects.filter((o) => o.kind === kind && predicate(o));
  expect(found.map((o) => `${o.kind}/${o.metadata.name}`)).toHaveLength(1);
  return found[0] as K8sObject;
}

function operatorContainer(objects: K8sObject[]) {
  const deployment = only(objects, "Deployment");
  const containers = deployment.spec.template.spec.containers as K8sObject[];
  expect(containers).toHaveLength(1);
  return { deployment, container: containers[0] as K8sObject };
}

for (const client of helmClients()) {
  describe(`kube9-operator chart with ${client.label}`, () => {
    const helm = client.path;

    it("passes helm lint --strict with no warnings or errors", () => {
      const result = runHelm(helm, ["lint", "--strict", chartDir]);
      const output = `${result.stdout}\n${result.stderr}`;
      expect(result.status, output).toBe(0);
      expect(output).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
      const findings = output.split("\n").filter((line) => /^\[[A-Z]+\]/.test(line));
      // Only informational findings (Helm's "icon is recommended") are acceptable.
      for (const finding of findings) expect(finding).toMatch(/^\[INFO\] /);
    });

    it("declares appVersion as a string equal to the chart version", () => {
      expect(typeof chart.appVersion).toBe("string");
      expect(chart.appVersion).toMatch(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
      expect(chart.appVersion).toBe(chart.version);
    });

    it("renders the image ghcr.io/alto9/kube9-operator:<appVersion> by default", () => {
      const { container } = operatorContainer(render(helm));
      expect(container.image).toBe(`ghcr.io/alto9/kube9-operator:${String(chart.appVersion)}`);
      expect(container.imagePullPolicy).toBe("IfNotPresent");
    });

    it("uses image.tag when it is set", () => {
      const { container } = operatorContainer(render(helm, ["--set", "image.tag=9.9.9"]));
      expect(container.image).toBe("ghcr.io/alto9/kube9-operator:9.9.9");
    });

    it("pulls by digest when image.digest is set", () => {
      const digest = `sha256:${"ab".repeat(32)}`;
      const { container } = operatorContainer(render(helm, ["--set", `image.digest=${digest}`]));
      expect(container.image).toBe(`ghcr.io/alto9/kube9-operator@${digest}`);
    });

    it("refuses a cluster older than the chart's kubeVersion", () => {
      const result = runHelm(helm, ["template", release, chartDir, "--kube-version", "v1.25.0"]);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toMatch(/kubeVersion/);
    });

    it("gives the cluster-wide role read-only verbs only", () => {
      const clusterRole = only(render(helm), "ClusterRole");
      const rules = clusterRole.rules as K8sObject[];
      expect(rules.length).toBeGreaterThan(0);
      const verbs = new Set(rules.flatMap((rule) => rule.verbs as string[]));
      expect([...verbs].sort()).toEqual(["get", "list", "watch"]);
      const resources = rules.flatMap((rule) => (rule.resources ?? []) as string[]);
      expect(resources).not.toContain("*");
      expect(resources.sort()).toEqual(["namespaces", "nodes"]);
      const urls = rules.flatMap((rule) => (rule.nonResourceURLs ?? []) as string[]);
      expect(urls).toEqual(["/version"]);
    });

    it("binds the roles to the operator's ServiceAccount", () => {
      const objects = render(helm);
      const serviceAccount = only(objects, "ServiceAccount");
      const { deployment } = operatorContainer(objects);
      expect(deployment.spec.template.spec.serviceAccountName).toBe(serviceAccount.metadata.name);
      expect(deployment.spec.template.spec.automountServiceAccountToken).toBe(true);
      for (const kind of ["ClusterRoleBinding", "RoleBinding"]) {
        const binding = only(objects, kind);
        expect(binding.roleRef.kind).toBe(kind.replace("Binding", ""));
        expect(binding.subjects).toEqual([
          { kind: "ServiceAccount", name: serviceAccount.metadata.name, namespace },
        ]);
      }
    });

    it("limits update and patch in the release namespace to the status ConfigMap", () => {
      const role = only(render(helm), "Role");
      expect(role.metadata.namespace).toBe(namespace);
      const rules = role.rules as K8sObject[];
      const writeRules = rules.filter((rule) =>
        (rule.verbs as string[]).some((verb) => verb === "update" || verb === "patch"),
      );
      expect(writeRules.length).toBeGreaterThan(0);
      for (const rule of writeRules) {
        expect(rule.resources).toEqual(["configmaps"]);
        expect(rule.resourceNames).toEqual([statusConfigMap]);
      }
      for (const rule of rules) {
        expect(rule.resources).toEqual(["configmaps"]);
        expect(rule.verbs).not.toContain("delete");
        expect(rule.verbs).not.toContain("*");
      }
      const unrestricted = rules.filter((rule) => rule.resourceNames === undefined);
      expect(unrestricted.flatMap((rule) => rule.verbs as string[]).sort()).toEqual([
        "create",
        "get",
        "list",
        "watch",
      ]);
    });

    it("runs non-root with a read-only root filesystem and a writable /tmp emptyDir", () => {
      const { deployment, container } = operatorContainer(render(helm));
      const podSpec = deployment.spec.template.spec;
      expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
      expect(container.securityContext.runAsNonRoot).toBe(true);
      expect(container.securityContext.allowPrivilegeEscalation).toBe(false);
      expect(container.securityContext.capabilities.drop).toEqual(["ALL"]);
      expect(podSpec.securityContext.runAsNonRoot).toBe(true);
      expect(podSpec.securityContext.runAsUser).toBe(65532);
      expect(podSpec.securityContext.seccompProfile).toEqual({ type: "RuntimeDefault" });

      const tmpMounts = (container.volumeMounts as K8sObject[]).filter((m) => m.mountPath === "/tmp");
      expect(tmpMounts).toHaveLength(1);
      const tmpMount = tmpMounts[0] as K8sObject;
      expect(tmpMount.readOnly).not.toBe(true);
      const volume = (podSpec.volumes as K8sObject[]).find((v) => v.name === tmpMount.name);
      expect(volume?.emptyDir).toBeDefined();
    });

    it("tells the operator its namespace and exposes health, readiness and metrics on 8080", () => {
      const objects = render(helm);
      const { container } = operatorContainer(objects);
      const env = container.env as K8sObject[];
      expect(env.find((e) => e.name === "POD_NAMESPACE")?.valueFrom).toEqual({
        fieldRef: { fieldPath: "metadata.namespace" },
      });
      expect(container.ports).toEqual([{ name: "http", containerPort: 8080, protocol: "TCP" }]);
      expect(container.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
      expect(container.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "http" });
      const service = only(objects, "Service");
      expect(service.spec.type).toBe("ClusterIP");
      expect(service.spec.ports).toEqual([{ name: "http", port: 8080, targetPort: "http", protocol: "TCP" }]);
    });

    it("renders the helm test hook Pod that checks /healthz through the Service", () => {
      const objects = render(helm);
      const service = only(objects, "Service");
      const pod = only(objects, "Pod");
      expect(pod.metadata.annotations?.["helm.sh/hook"]).toBe("test");
      expect(pod.metadata.annotations?.["helm.sh/hook-delete-policy"]).toBe(
        "before-hook-creation,hook-succeeded",
      );
      expect(pod.spec.restartPolicy).toBe("Never");
      expect(pod.spec.securityContext.runAsNonRoot).toBe(true);
      const containers = pod.spec.containers as K8sObject[];
      expect(containers).toHaveLength(1);
      const container = containers[0] as K8sObject;
      expect(container.image).toBe("busybox:1.36.1");
      expect((container.command as string[]).join(" ")).toContain(
        `http://${service.metadata.name}:8080/healthz`,
      );
      // The Service must not select the test Pod.
      const selector = service.spec.selector as Record<string, string>;
      const podLabels = pod.metadata.labels ?? {};
      expect(Object.entries(selector).every(([key, value]) => podLabels[key] === value)).toBe(false);
    });

    it("lets tests.image override the helm test image", () => {
      const pod = only(render(helm, ["--set", "tests.image.tag=1.37.0"]), "Pod");
      expect((pod.spec.containers as K8sObject[])[0]?.image).toBe("busybox:1.37.0");
    });

    it("rejects an image.pullPolicy outside the enum", () => {
      const result = template(helm, ["--set", "image.pullPolicy=Sometimes"]);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toMatch(/pullPolicy/);
    });

    it("rejects a replicaCount that is not an integer", () => {
      const result = template(helm, ["--set", "replicaCount=abc"]);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toMatch(/replicaCount/);
    });

    it("rejects an unknown top-level value but accepts Helm's global", () => {
      const unknown = template(helm, ["--set", "replicas=2"]);
      expect(unknown.status).not.toBe(0);
      expect(unknown.stderr).toMatch(/replicas/);
      const { deployment } = operatorContainer(render(helm, ["--set", "global.imageRegistry=example"]));
      expect(deployment.spec.replicas).toBe(1);
    });
  });
}
