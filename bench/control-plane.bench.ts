/**
 * Start and stop times of the test control plane (test/support/control-plane.ts): etcd +
 * kube-apiserver, and with kube-controller-manager. Prints the median, fastest and slowest of
 * BENCH_RUNS starts (default 5) and the machine's load average, which dominates on shared hosts.
 *
 *   npm run bench:cluster
 */
import { loadavg } from "node:os";
import { it } from "vitest";
import { startControlPlane } from "../test/support/control-plane.js";

const RUNS = Number(process.env.BENCH_RUNS ?? "5");
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function summary(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
  return `median ${seconds(median)}, fastest ${seconds(sorted[0] ?? Number.NaN)}, slowest ${seconds(sorted.at(-1) ?? Number.NaN)}`;
}

it.each([
  { label: "etcd + kube-apiserver", controllerManager: false },
  { label: "etcd + kube-apiserver + kube-controller-manager", controllerManager: true },
])("$label", async ({ label, controllerManager }) => {
  const starts: number[] = [];
  const stops: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const cluster = await startControlPlane({ controllerManager });
    starts.push(cluster.startMs);
    const stopping = performance.now();
    await cluster.stop();
    stops.push(performance.now() - stopping);
  }
  const load = loadavg()
    .map((value) => value.toFixed(1))
    .join(" ");
  console.log(
    `${label}: ready in ${summary(starts)}; stopped in ${summary(stops)} (${RUNS} runs, load average ${load})`,
  );
});
