/**
 * The operator's Prometheus metrics in the text exposition format (version 0.0.4). A handful of
 * counters and gauges do not justify a metrics library in the image.
 */

export interface MetricsSnapshot {
  writesSucceeded: number;
  writesFailed: number;
  /** Unix time in milliseconds of the last successful write; 0 before the first one. */
  lastSuccessMs: number;
  ready: boolean;
  operatorVersion: string;
  nodeVersion: string;
  startTimeMs: number;
  residentMemoryBytes: number;
}

export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

function escapeLabel(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}

function family(name: string, type: string, help: string, samples: string[]): string {
  return `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${samples.join("\n")}\n`;
}

export function renderMetrics(m: MetricsSnapshot): string {
  const writes = "kube9_operator_status_writes_total";
  return [
    family(writes, "counter", "Writes of the status ConfigMap, by result.", [
      `${writes}{result="success"} ${m.writesSucceeded}`,
      `${writes}{result="failure"} ${m.writesFailed}`,
    ]),
    family(
      "kube9_operator_status_last_success_timestamp_seconds",
      "gauge",
      "Unix time of the last successful status write (0 before the first one).",
      [`kube9_operator_status_last_success_timestamp_seconds ${m.lastSuccessMs / 1000}`],
    ),
    family("kube9_operator_ready", "gauge", "1 when /readyz answers 200.", [
      `kube9_operator_ready ${m.ready ? 1 : 0}`,
    ]),
    family("kube9_operator_build_info", "gauge", "Build information; the value is always 1.", [
      `kube9_operator_build_info{version="${escapeLabel(m.operatorVersion)}",nodejs_version="${escapeLabel(m.nodeVersion)}"} 1`,
    ]),
    family("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.", [
      `process_start_time_seconds ${Math.floor(m.startTimeMs / 1000)}`,
    ]),
    family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", [
      `process_resident_memory_bytes ${m.residentMemoryBytes}`,
    ]),
  ].join("");
}
