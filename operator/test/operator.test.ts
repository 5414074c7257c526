/**
 * The operator's loop and endpoints, in-process, against a fake API server: creation after a
 * 404, patches afterwards, refused writes, an API server that goes away and comes back, and a
 * report that gets too old. The clock is injected; only the report interval is real (100 ms).
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import type { ClusterConfig } from "../src/cluster-config.js";
import { createLogger } from "../src/log.js";
import { type OperatorOptions, type RunningOperator, startOperator } from "../src/operator.js";
import type { OperatorStatus } from "../src/status.js";
import { FakeKubeApi } from "./support/fake-kube-api.js";
import { get, sample, waitFor } from "./support/http.js";

const packageVersion = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;
const NAMESPACE = "kube9-system";
const KEY = `${NAMESPACE}/kube9-operator-status`;
const SUCCESS = 'kube9_operator_status_writes_total{result="success"}';
const FAILURE = 'kube9_operator_status_writes_total{result="failure"}';

let running: RunningOperator | undefined;
let fake: FakeKubeApi | undefined;
afterEach(async () => {
  await running?.stop();
  await fake?.stop();
  running = undefined;
  fake = undefined;
});

async function setUp(overrides: Partial<OperatorOptions> = {}, prepare?: (api: FakeKubeApi) => void) {
  const api = new FakeKubeApi({ nodes: 5, pageSize: 2, gitVersion: "v1.30.4", token: "sa-token" });
  prepare?.(api);
  await api.start();
  fake = api;
  const cluster: ClusterConfig = {
    server: api.url,
    insecureSkipTlsVerify: false,
    token: () => "sa-token",
    source: "kubeconfig",
  };
  const clock = { ms: Date.parse("2026-03-04T05:06:07.000Z") };
  const lines: string[] = [];
  const operator = await startOperator({
    cluster,
    namespace: NAMESPACE,
    intervalMs: 100,
    port: 0,
    host: "127.0.0.1",
    version: packageVersion,
    now: () => clock.ms,
    log: createLogger(
      (line) => lines.push(line),
      () => clock.ms,
    ),
    requestTimeoutMs: 2_000,
    ...overrides,
  });
  running = operator;
  const metrics = async () => (await get(operator.port, "/metrics")).body;
  const logs = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { api, operator, clock, lines, logs, metrics };
}

function storedStatus(api: FakeKubeApi): OperatorStatus {
  const stored = api.configMaps.get(KEY);
  if (stored === undefined) throw new Error("no status ConfigMap");
  expect(Object.keys(stored.data)).toEqual(["status"]);
  return JSON.parse(stored.data.status as string) as OperatorStatus;
}

describe("status reports", () => {
  it("creates the ConfigMap after a 404, then patches it, with version, nodes and health", async () => {
    const { api, operator, metrics, logs } = await setUp();
    await waitFor("two patches after the creation", () => api.count("PATCH") >= 3);

    const writes = api.requests.filter((line) => !line.startsWith("GET"));
    const path = `/api/v1/namespaces/${NAMESPACE}/configmaps`;
    expect(writes.slice(0, 3)).toEqual([
      `PATCH ${path}/kube9-operator-status`,
      `POST ${path}`,
      `PATCH ${path}/kube9-operator-status`,
    ]);
    expect(api.count("POST")).toBe(1);
    // Five nodes served two per page: three pages, continued with the server's token.
    expect(api.requests.slice(0, 4)).toEqual([
      "GET /version",
      "GET /api/v1/nodes?limit=500",
      "GET /api/v1/nodes?limit=500&continue=2",
      "GET /api/v1/nodes?limit=500&continue=4",
    ]);
    expect(storedStatus(api)).toEqual({
      operatorVersion: packageVersion,
      kubernetesVersion: "v1.30.4",
      nodeCount: 5,
      health: "healthy",
      errors: [],
      lastUpdate: "2026-03-04T05:06:07.000Z",
    });

    expect(await get(operator.port, "/healthz")).toEqual({ status: 200, body: "ok\n" });
    expect(await get(operator.port, "/readyz")).toEqual({ status: 200, body: "ok\n" });
    const text = await metrics();
    expect(sample(text, SUCCESS)).toBeGreaterThanOrEqual(3);
    expect(sample(text, FAILURE)).toBe(0);
    expect(sample(text, "kube9_operator_ready")).toBe(1);
    expect(sample(text, "kube9_operator_status_last_success_timestamp_seconds")).toBe(
      Date.parse("2026-03-04T05:06:07.000Z") / 1000,
    );
    expect(
      sample(
        text,
        `kube9_operator_build_info{version="${packageVersion}",nodejs_version="${process.version}"}`,
      ),
    ).toBe(1);
    expect(text).toContain("# TYPE kube9_operator_status_writes_total counter");

    const written = logs().filter((entry) => entry.msg === "status written");
    expect(written[0]).toMatchObject({
      level: "info",
      outcome: "created",
      nodeCount: 5,
      time: "2026-03-04T05:06:07.000Z",
    });
    expect(written[1]).toMatchObject({ outcome: "patched" });
    expect(logs()[0]).toMatchObject({
      msg: "operator started",
      version: packageVersion,
      port: operator.port,
    });
  });

  it("writes a degraded report when the nodes cannot be listed, and stays ready", async () => {
    const { api, operator } = await setUp({}, (a) => {
      a.failNodeList = 403;
    });
    await waitFor("a status ConfigMap", () => api.configMaps.get(KEY));
    const status = storedStatus(api);
    expect(status.health).toBe("degraded");
    expect(status.nodeCount).toBeNull();
    expect(status.kubernetesVersion).toBe("v1.30.4");
    expect(status.errors).toHaveLength(1);
    expect(status.errors[0]).toContain("HTTP 403");
    expect((await get(operator.port, "/readyz")).status).toBe(200);
  });

  it("keeps serving /healthz but is not ready while the write is forbidden, and counts failures", async () => {
    const { api, operator, metrics, logs } = await setUp({}, (a) => {
      a.failConfigMapWrites = 403;
    });
    await waitFor("two failed writes", async () => (sample(await metrics(), FAILURE) ?? 0) >= 2);

    expect(await get(operator.port, "/healthz")).toEqual({ status: 200, body: "ok\n" });
    const ready = await get(operator.port, "/readyz");
    expect(ready.status).toBe(503);
    expect(ready.body).toContain("HTTP 403");
    expect(ready.body).toContain("forbidden");
    const text = await metrics();
    expect(sample(text, SUCCESS)).toBe(0);
    expect(sample(text, "kube9_operator_ready")).toBe(0);
    expect(sample(text, "kube9_operator_status_last_success_timestamp_seconds")).toBe(0);
    expect(api.configMaps.size).toBe(0);
    const failure = logs().find((entry) => entry.msg === "status write failed");
    expect(failure).toMatchObject({ level: "error", namespace: NAMESPACE });
    expect(String(failure?.error)).toContain("forbidden");

    // The RBAC gets fixed: the next report succeeds without a restart.
    api.failConfigMapWrites = undefined;
    await waitFor("ready again", async () => (await get(operator.port, "/readyz")).status === 200);
    expect(storedStatus(api).health).toBe("healthy");
  });

  it("is not ready while the API server is down and recovers when it comes back", async () => {
    const { api, operator, metrics } = await setUp();
    await waitFor("ready", async () => (await get(operator.port, "/readyz")).status === 200);

    await api.stop();
    await waitFor("not ready", async () => (await get(operator.port, "/readyz")).status === 503);
    expect((await get(operator.port, "/healthz")).status).toBe(200);
    const failuresWhileDown = sample(await metrics(), FAILURE) ?? 0;
    expect(failuresWhileDown).toBeGreaterThanOrEqual(1);

    const requestsBefore = api.requests.length;
    await api.start();
    await waitFor(
      "ready after the restart",
      async () => (await get(operator.port, "/readyz")).status === 200,
    );
    expect(api.requests.slice(requestsBefore)).toContain(
      `PATCH /api/v1/namespaces/${NAMESPACE}/configmaps/kube9-operator-status`,
    );
    expect(storedStatus(api).health).toBe("healthy");
  });

  it("turns not ready when the last successful write gets too old", async () => {
    // One report only (the next one is an hour away); then the injected clock moves on.
    const { api, operator, clock } = await setUp({ intervalMs: 3_600_000, requestTimeoutMs: 1_000 });
    await waitFor("a status ConfigMap", () => api.configMaps.get(KEY));
    await waitFor("ready", async () => (await get(operator.port, "/readyz")).status === 200);
    clock.ms += 3 * 3_600_000 + 1_000 + 1;
    expect(await get(operator.port, "/readyz")).toEqual({
      status: 503,
      body: "not ready: last status write is too old\n",
    });
  });

  it("stops: closes its port and makes no more requests", async () => {
    const { api, operator } = await setUp();
    await waitFor("a status ConfigMap", () => api.configMaps.get(KEY));
    await operator.stop();
    running = undefined;
    const requestsAfterStop = api.requests.length;
    await expect(get(operator.port, "/healthz")).rejects.toThrow();
    // Wait longer than one interval: no report may be scheduled after stop().
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(api.requests.length).toBe(requestsAfterStop);
  });

  it("answers 404 on unknown paths and 405 on writes", async () => {
    const { operator } = await setUp();
    expect((await get(operator.port, "/nope")).status).toBe(404);
    const response = await fetch(`http://127.0.0.1:${operator.port}/healthz`, { method: "POST" });
    expect(response.status).toBe(405);
  });
});
