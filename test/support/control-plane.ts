/**
 * A real Kubernetes control plane for tests, without containers: etcd and kube-apiserver (and,
 * when asked, kube-controller-manager) run as local processes on free 127.0.0.1 ports, from the
 * pinned builds of scripts/tools.json (tools/kubernetes/). There is no kubelet and no scheduler:
 * objects are stored, validated and admitted (RBAC, Pod Security...), pods never run.
 *
 * The API for other suites (the release rehearsal among them):
 *
 *   const cluster = await startControlPlane();           // about 5 s (npm run bench:cluster)
 *   helm --kubeconfig cluster.kubeconfig install ...      // cluster-admin, self-contained file
 *   await cluster.stop();                                 // stops the processes, deletes the folder
 *
 * Everything lives in one temporary folder: etcd's data, the serving certificate the API server
 * generates in --cert-dir (that file, the certificate and the CA that signed it, is what clients
 * trust), the service-account key pair and the token file that names the administrator.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./net.js";
import { toolPath } from "./tools.js";

/** How long a component may take to become ready; the machines are shared and often busy. */
const READY_TIMEOUT_MS = 90_000;
/** The ServiceAccount token issuer; any URL works when nothing outside the cluster checks it. */
const SERVICE_ACCOUNT_ISSUER = "https://kubernetes.default.svc.cluster.local";

export interface KubeResponse<T = unknown> {
  status: number;
  /** The parsed JSON body, or the raw text when it is not JSON. */
  body: T;
  /** The API server's warnings (Pod Security `warn`, deprecations), from the Warning headers. */
  warnings: string[];
}

export interface KubeRequestOptions {
  body?: unknown;
  /** Bearer token; the administrator's when omitted. */
  token?: string;
  /** Default application/json; e.g. application/merge-patch+json for PATCH. */
  contentType?: string;
}

export interface ControlPlane {
  /** https://127.0.0.1:<port> */
  server: string;
  /** The PEM bundle clients trust: the API server's self-generated certificate and its CA. */
  ca: Buffer;
  /** A cluster-admin bearer token (group system:masters). */
  adminToken: string;
  /** A kubeconfig with the administrator's token and the CA inline. */
  kubeconfig: string;
  /** Milliseconds from the first process start until the API server (and the controllers) were ready. */
  startMs: number;
  /** Writes a self-contained kubeconfig for `token` (the administrator's by default). */
  writeKubeconfig(path: string, options?: { token?: string; namespace?: string }): string;
  /** One API request; never throws for an HTTP status, only when the server cannot be reached. */
  request<T = unknown>(method: string, path: string, options?: KubeRequestOptions): Promise<KubeResponse<T>>;
  /** Creates a namespace with these labels (e.g. Pod Security levels). */
  createNamespace(name: string, labels?: Record<string, string>): Promise<void>;
  /** A token of the ServiceAccount from the TokenRequest API, as the kubelet would mount it. */
  serviceAccountToken(namespace: string, name: string): Promise<string>;
  stop(): Promise<void>;
}

export interface ControlPlaneOptions {
  /**
   * Also run kube-controller-manager (deployments, replica sets, garbage collection, default
   * ServiceAccounts), so that a Deployment's pods are created and admitted as in a cluster.
   */
  controllerManager?: boolean;
}

/** A running process and the end of its output, for error messages. */
class Component {
  private output = "";
  /** The program could not be started at all (spawn error). */
  private failed = false;
  readonly child: ChildProcess;

  constructor(
    readonly name: string,
    args: string[],
  ) {
    this.child = spawn(toolPath(name), args, { stdio: ["ignore", "pipe", "pipe"] });
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString("utf8")).slice(-8_000);
    };
    this.child.stdout?.on("data", keep);
    this.child.stderr?.on("data", keep);
    this.child.on("error", (error) => {
      this.failed = true;
      this.output += `\n${error.message}`;
    });
  }

  /** Throws with the process's last output when it has exited (or could not start). */
  checkAlive(): void {
    if (this.failed || this.child.exitCode !== null || this.child.signalCode !== null) {
      throw new Error(
        `${this.name} exited (${this.child.exitCode ?? this.child.signalCode}); its last output:\n${this.output}`,
      );
    }
  }

  tail(): string {
    return this.output;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

function kubeRequest<T>(
  server: string,
  ca: Buffer,
  method: string,
  path: string,
  token: string,
  options: KubeRequestOptions,
): Promise<KubeResponse<T>> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      `${server}${path}`,
      {
        method,
        ca,
        headers: {
          Accept: "application/json",
          Authorization: `Bearer ${token}`,
          ...(payload === undefined
            ? {}
            : {
                "Content-Type": options.contentType ?? "application/json",
                "Content-Length": Buffer.byteLength(payload),
              }),
        },
        timeout: 30_000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // Not JSON (e.g. "ok" from /readyz): keep the text.
          }
          const header = response.headers.warning;
          const warnings = (Array.isArray(header) ? header : header === undefined ? [] : [header]).map(
            (value) =>
              // RFC 7234 form: 299 - "text"
              value.replace(/^\d{3} \S+ "(.*)"$/, "$1"),
          );
          resolve({ status: response.statusCode ?? 0, body: body as T, warnings });
        });
      },
    );
    request.on("timeout", () => request.destroy(new Error(`${method} ${path}: no answer in 30 s`)));
    request.on("error", reject);
    request.end(payload);
  });
}

function kubeconfigText(server: string, ca: Buffer, token: string, namespace: string): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: test-control-plane",
    "  cluster:",
    `    server: ${server}`,
    `    certificate-authority-data: ${ca.toString("base64")}`,
    "contexts:",
    "- name: test-control-plane",
    "  context:",
    "    cluster: test-control-plane",
    `    namespace: ${namespace}`,
    "    user: test-user",
    "current-context: test-control-plane",
    "users:",
    "- name: test-user",
    "  user:",
    `    token: ${token}`,
    "",
  ].join("\n");
}

/** Free ports, all different (a port freed by one probe may be handed out again by the next). */
async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until the API server has written its certificate and answers /readyz with 200. */
async function waitForApiServer(
  apiServer: Component,
  etcd: Component,
  server: string,
  certFile: string,
  token: string,
): Promise<Buffer> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = "not started";
  while (Date.now() < deadline) {
    etcd.checkAlive();
    apiServer.checkAlive();
    if (existsSync(certFile)) {
      const ca = readFileSync(certFile);
      try {
        const ready = await kubeRequest(server, ca, "GET", "/readyz", token, {});
        if (ready.status === 200) return ca;
        last = `/readyz answered ${ready.status}: ${String(typeof ready.body === "string" ? ready.body : JSON.stringify(ready.body)).slice(0, 2_000)}`;
      } catch (error) {
        last = (error as Error).message;
      }
    }
    await sleep(200);
  }
  throw new Error(
    `kube-apiserver not ready within ${READY_TIMEOUT_MS / 1000} s (${last}); its last output:\n${apiServer.tail()}`,
  );
}

export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), "kube9-control-plane-"));
  const components: Component[] = [];
  // A test runner that dies without its afterAll must not leave servers behind.
  const killAll = () => {
    for (const component of components) component.child.kill("SIGKILL");
  };
  process.once("exit", killAll);
  const stopAll = async () => {
    process.off("exit", killAll);
    for (const component of [...components].reverse()) await component.stop();
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const adminToken = randomBytes(24).toString("hex");
    writeFileSync(join(dir, "tokens.csv"), `${adminToken},test-admin,test-admin,"system:masters"\n`, {
      mode: 0o600,
    });
    // The key pair that signs and verifies ServiceAccount tokens (TokenRequest API).
    const keys = generateKeyPairSync("rsa", { modulusLength: 2048 });
    writeFileSync(join(dir, "sa.key"), keys.privateKey.export({ type: "pkcs8", format: "pem" }), {
      mode: 0o600,
    });
    writeFileSync(join(dir, "sa.pub"), keys.publicKey.export({ type: "spki", format: "pem" }));

    const [etcdClientPort, etcdPeerPort, apiPort] = await distinctFreePorts(3);
    const etcdClient = `http://127.0.0.1:${etcdClientPort}`;
    const etcdPeer = `http://127.0.0.1:${etcdPeerPort}`;
    const etcd = new Component("etcd", [
      "--name=test",
      `--data-dir=${join(dir, "etcd")}`,
      `--listen-client-urls=${etcdClient}`,
      `--advertise-client-urls=${etcdClient}`,
      `--listen-peer-urls=${etcdPeer}`,
      `--initial-advertise-peer-urls=${etcdPeer}`,
      `--initial-cluster=test=${etcdPeer}`,
      // The data is thrown away after the run: durability only costs time here.
      "--unsafe-no-fsync",
      "--log-level=warn",
    ]);
    components.push(etcd);

    const certDir = join(dir, "certs");
    const apiServer = new Component("kube-apiserver", [
      `--etcd-servers=${etcdClient}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${apiPort}`,
      `--cert-dir=${certDir}`,
      `--token-auth-file=${join(dir, "tokens.csv")}`,
      "--authorization-mode=RBAC",
      `--service-account-key-file=${join(dir, "sa.pub")}`,
      `--service-account-signing-key-file=${join(dir, "sa.key")}`,
      `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
      "--service-cluster-ip-range=10.96.0.0/24",
      // The `kubernetes` Service's endpoints would name 127.0.0.1, which the reconciler refuses;
      // nothing here reaches the API server through that Service.
      "--endpoint-reconciler-type=none",
      "--profiling=false",
    ]);
    components.push(apiServer);

    const server = `https://127.0.0.1:${apiPort}`;
    const ca = await waitForApiServer(apiServer, etcd, server, join(certDir, "apiserver.crt"), adminToken);
    const kubeconfig = join(dir, "admin.kubeconfig");
    writeFileSync(kubeconfig, kubeconfigText(server, ca, adminToken, "default"), { mode: 0o600 });

    const request = <T>(method: string, path: string, requestOptions: KubeRequestOptions = {}) =>
      kubeRequest<T>(server, ca, method, path, requestOptions.token ?? adminToken, requestOptions);

    if (options.controllerManager) {
      const controllerManager = new Component("kube-controller-manager", [
        `--kubeconfig=${kubeconfig}`,
        "--leader-elect=false",
        "--secure-port=0",
        "--controllers=deployment-controller,replicaset-controller,garbage-collector-controller,serviceaccount-controller",
        "--use-service-account-credentials=false",
      ]);
      components.push(controllerManager);
      // Ready when its controllers act: the ServiceAccount controller makes `default` in `default`.
      const deadline = Date.now() + READY_TIMEOUT_MS;
      while ((await request("GET", "/api/v1/namespaces/default/serviceaccounts/default")).status !== 200) {
        controllerManager.checkAlive();
        if (Date.now() > deadline) {
          throw new Error(
            `kube-controller-manager made no default ServiceAccount within ${READY_TIMEOUT_MS / 1000} s; its last output:\n${controllerManager.tail()}`,
          );
        }
        await sleep(200);
      }
    }

    return {
      server,
      ca,
      adminToken,
      kubeconfig,
      startMs: Date.now() - started,
      writeKubeconfig(path, kubeconfigOptions = {}) {
        writeFileSync(
          path,
          kubeconfigText(
            server,
            ca,
            kubeconfigOptions.token ?? adminToken,
            kubeconfigOptions.namespace ?? "default",
          ),
          { mode: 0o600 },
        );
        return path;
      },
      request,
      async createNamespace(name, labels = {}) {
        const created = await request("POST", "/api/v1/namespaces", {
          body: { apiVersion: "v1", kind: "Namespace", metadata: { name, labels } },
        });
        if (created.status !== 201) {
          throw new Error(
            `creating namespace ${name}: HTTP ${created.status} ${JSON.stringify(created.body)}`,
          );
        }
      },
      async serviceAccountToken(namespace, name) {
        const issued = await request<{ status?: { token?: string } }>(
          "POST",
          `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`,
          { body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: {} } },
        );
        const token = issued.body.status?.token;
        if (issued.status !== 201 || token === undefined) {
          throw new Error(
            `TokenRequest for ${namespace}/${name}: HTTP ${issued.status} ${JSON.stringify(issued.body)}`,
          );
        }
        return token;
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
