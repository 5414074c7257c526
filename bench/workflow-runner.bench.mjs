// What the rehearsal's workflow runner adds to a run: the cost per step (script file, bash start,
// step files, parsing them) and per job (folders, env), measured on synthetic workflows of trivial
// `run:` steps, against bash alone starting the same number of times.
//
//   npx tsc -b release && node bench/workflow-runner.bench.mjs [--steps N] [--jobs N]
//
// Prints figures only: nothing here is asserted (timings never belong in tests).

import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { runWorkflow } from "../release/dist/rehearse/workflow/index.js";

const { values } = parseArgs({
  options: { steps: { type: "string", default: "100" }, jobs: { type: "string", default: "20" } },
});
const steps = Number(values.steps);
const jobs = Number(values.jobs);

function workflow(jobCount, stepCount) {
  const lines = ["on: release", "jobs:"];
  for (let j = 0; j < jobCount; j++) {
    lines.push(`  job${j}:`, "    runs-on: ubuntu-24.04");
    if (j > 0) lines.push(`    needs: job${j - 1}`);
    lines.push("    steps:");
    for (let s = 0; s < stepCount; s++) lines.push(`      - run: echo "n=${s}" >> "$GITHUB_OUTPUT"`);
  }
  return `${lines.join("\n")}\n`;
}

async function timeRun(name, text) {
  const dir = mkdtempSync(join(tmpdir(), "kube9-workflow-bench-"));
  mkdirSync(join(dir, "repo", ".github", "workflows"), { recursive: true });
  writeFileSync(join(dir, "repo", ".github", "workflows", "bench.yml"), text);
  const started = performance.now();
  const result = await runWorkflow({
    workflow: ".github/workflows/bench.yml",
    repositoryRoot: join(dir, "repo"),
    event: { name: "release", payload: {} },
    github: { repository: "example/bench", sha: "0".repeat(40), ref: "refs/tags/v1.0.0" },
    baseEnv: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir },
    actions: {},
    runnerTemp: join(dir, "runner"),
  });
  const ms = performance.now() - started;
  rmSync(dir, { recursive: true, force: true });
  if (result.status !== "success") throw new Error(`${name}: ${result.status}`);
  return ms;
}

function bashAlone(count) {
  const started = performance.now();
  for (let i = 0; i < count; i++) spawnSync("bash", ["-e", "-c", "echo n=1 > /dev/null"]);
  return performance.now() - started;
}

const oneJob = await timeRun("steps", workflow(1, steps));
const bash = bashAlone(steps);
const manyJobs = await timeRun("jobs", workflow(jobs, 1));
console.log(
  `${steps} steps in one job: ${oneJob.toFixed(0)} ms (${(oneJob / steps).toFixed(1)} ms per step)`,
);
console.log(`bash alone, ${steps} starts: ${bash.toFixed(0)} ms (${(bash / steps).toFixed(1)} ms each)`);
console.log(
  `${jobs} jobs of one step: ${manyJobs.toFixed(0)} ms (${(manyJobs / jobs).toFixed(1)} ms per job)`,
);
