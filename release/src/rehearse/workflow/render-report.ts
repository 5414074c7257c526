/**
 * The plain-text report of a run: each workflow, job and step with its status, when it started
 * (from the start of the run) and how long it took; failures with their reason and last lines.
 */
import type { JobResult, StepResult, WorkflowResult } from "./result.js";

export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes} min ${String(seconds).padStart(2, "0")} s`;
}

function timing(startedAt: Date | undefined, durationMs: number, origin: number): string {
  if (startedAt === undefined) return "";
  return `  +${formatDuration(startedAt.getTime() - origin)}, ${formatDuration(durationMs)}`;
}

function indentLines(text: string, indent: string): string[] {
  return text
    .trimEnd()
    .split("\n")
    .map((line) => `${indent}${line}`);
}

function renderStep(step: StepResult, origin: number, indent: string): string[] {
  const label = step.id === undefined ? `#${step.index + 1}` : step.id;
  const lines = [
    `${indent}${step.status.padEnd(9)} step ${label}: ${step.name}${timing(step.startedAt, step.durationMs, origin)}`,
  ];
  if (step.failure !== undefined) {
    const note = step.status === "success" ? " (continue-on-error)" : "";
    lines.push(`${indent}          ${step.failure}${note}`);
    if (step.logTail.length > 0) lines.push(...step.logTail.map((line) => `${indent}          | ${line}`));
  }
  return lines;
}

function renderJob(job: JobResult, origin: number, indent: string): string[] {
  const name = job.name === job.id ? "" : `: ${job.name}`;
  const lines = [
    `${indent}${job.status.padEnd(9)} job ${job.id}${name}${timing(job.startedAt, job.durationMs, origin)}`,
  ];
  const inner = `${indent}  `;
  if (job.called !== undefined) {
    lines.push(...renderWorkflow(job.called, origin, inner));
  } else {
    for (const step of job.steps) lines.push(...renderStep(step, origin, inner));
    if (job.failure !== undefined && job.steps.every((step) => step.failure === undefined)) {
      lines.push(`${inner}${job.failure}`);
    }
  }
  const outputs = Object.entries(job.outputs);
  if (outputs.length > 0) {
    lines.push(`${inner}outputs:`);
    for (const [key, value] of outputs) lines.push(...indentLines(`${key}=${value}`, `${inner}  `));
  }
  if (job.summary.trim() !== "" && job.called === undefined) {
    lines.push(`${inner}summary:`);
    lines.push(...indentLines(job.summary, `${inner}  `));
  }
  return lines;
}

function renderWorkflow(workflow: WorkflowResult, origin: number, indent: string): string[] {
  const lines = [
    `${indent}${workflow.status.padEnd(9)} workflow ${workflow.name} (${workflow.file})${timing(workflow.startedAt, workflow.durationMs, origin)}`,
  ];
  for (const job of workflow.jobs) lines.push(...renderJob(job, origin, `${indent}  `));
  return lines;
}

/** The report as text, one line per workflow, job and step (times from the start of the run). */
export function renderReport(result: WorkflowResult): string {
  return `${renderWorkflow(result, result.startedAt.getTime(), "").join("\n")}\n`;
}
