/**
 * The operator's loop and state: report the status now and then every interval (the next report
 * is scheduled when the previous one ends, so slow API calls never overlap), keep the counters
 * that /readyz and /metrics read, and stop cleanly. Clock, logger and cluster are injected.
 */
import type { ClusterConfig } from "./cluster-config.js";
import { startHealthServer } from "./http-server.js";
import { createKubeClient } from "./kube-client.js";
import type { Logger } from "./log.js";
import { renderMetrics } from "./metrics.js";
import { collectStatus, describe, STATUS_CONFIGMAP, writeStatus } from "./status.js";

export interface OperatorOptions {
  cluster: ClusterConfig;
  namespace: string;
  intervalMs: number;
  port: number;
  /** Listen address of the health server; all interfaces when undefined. */
  host?: string;
  version: string;
  now: () => number;
  log: Logger;
  requestTimeoutMs?: number;
}

export interface RunningOperator {
  port: number;
  /** Resolves after the current report (if any) has finished; for tests and logs. */
  stop(): Promise<void>;
}

export async function startOperator(options: OperatorOptions): Promise<RunningOperator> {
  const { log, now, intervalMs } = options;
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const aborter = new AbortController();
  const client = createKubeClient(options.cluster, requestTimeoutMs, aborter.signal);
  // A report older than three intervals (plus one request timeout) means the loop is stuck.
  const staleAfterMs = 3 * intervalMs + requestTimeoutMs;
  const startTimeMs = now();
  const state = {
    writesSucceeded: 0,
    writesFailed: 0,
    lastSuccessMs: 0,
    lastError: "no status written yet" as string | undefined,
  };

  const notReadyReason = (): string | undefined => {
    if (state.lastError !== undefined) return state.lastError;
    if (now() - state.lastSuccessMs > staleAfterMs) return "last status write is too old";
    return undefined;
  };

  const server = await startHealthServer(
    {
      notReadyReason,
      metrics: () =>
        renderMetrics({
          ...state,
          ready: notReadyReason() === undefined,
          operatorVersion: options.version,
          nodeVersion: process.version,
          startTimeMs,
          residentMemoryBytes: process.memoryUsage.rss(),
        }),
    },
    options.port,
    options.host,
  );

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;

  const report = async (): Promise<void> => {
    try {
      const status = await collectStatus(client, options.version, now);
      const outcome = await writeStatus(client, options.namespace, status);
      state.writesSucceeded++;
      state.lastSuccessMs = now();
      state.lastError = undefined;
      log("info", "status written", {
        configMap: STATUS_CONFIGMAP,
        namespace: options.namespace,
        outcome,
        health: status.health,
        kubernetesVersion: status.kubernetesVersion,
        nodeCount: status.nodeCount,
        ...(status.errors.length > 0 ? { errors: status.errors } : {}),
      });
    } catch (error) {
      if (stopped) return; // aborted by stop(): not a failure of the cluster
      state.writesFailed++;
      state.lastError = `status write failed: ${describe(error)}`;
      log("error", "status write failed", {
        configMap: STATUS_CONFIGMAP,
        namespace: options.namespace,
        error: describe(error),
      });
    }
  };

  const tick = (): void => {
    inFlight = report().finally(() => {
      inFlight = undefined;
      if (!stopped) timer = setTimeout(tick, intervalMs);
    });
  };

  log("info", "operator started", {
    version: options.version,
    namespace: options.namespace,
    port: server.port,
    intervalSeconds: intervalMs / 1000,
    cluster: options.cluster.source,
    server: options.cluster.server,
  });
  tick();

  return {
    port: server.port,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      aborter.abort();
      await Promise.all([server.close(), inFlight]);
      log("info", "operator stopped", {});
    },
  };
}
