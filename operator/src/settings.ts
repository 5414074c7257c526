/**
 * The operator's environment variables, validated once at start so that a typo in the chart
 * fails loudly instead of silently falling back to a default.
 */

export interface Settings {
  /** Namespace of the status ConfigMap; undefined means "from the cluster configuration". */
  namespace: string | undefined;
  intervalMs: number;
  port: number;
  /** Address of the health server; all interfaces unless set (kubelet probes reach the pod IP). */
  host: string | undefined;
}

export function readSettings(env: Record<string, string | undefined>): Settings {
  const interval = env.STATUS_INTERVAL_SECONDS?.trim() || "60";
  const seconds = Number(interval);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 86_400) {
    throw new Error(`STATUS_INTERVAL_SECONDS must be a number of seconds in (0, 86400], got ${interval}`);
  }
  const portText = env.PORT?.trim() || "8080";
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`PORT must be an integer in [0, 65535], got ${portText}`);
  }
  const host = env.LISTEN_ADDRESS?.trim() || undefined;
  if (host !== undefined && !/^[0-9a-fA-F.:]+$/.test(host)) {
    throw new Error(`LISTEN_ADDRESS must be an IP address such as 127.0.0.1 or ::, got ${host}`);
  }
  return { namespace: env.POD_NAMESPACE?.trim() || undefined, intervalMs: seconds * 1000, port, host };
}
