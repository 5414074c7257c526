/**
 * What a run produced, per workflow, job and step: plain data for the report, `--json` and tests.
 */
import { ReleaseError } from "../../errors.js";

export type RunStatus = "success" | "failure" | "skipped" | "cancelled";

export interface StepResult {
  index: number;
  id?: string;
  name: string;
  /** The conclusion: a failure under `continue-on-error` concludes as success. */
  status: RunStatus;
  /** What the step itself did, before continue-on-error. */
  outcome: RunStatus;
  /** Absent when the step was skipped. */
  startedAt?: Date;
  durationMs: number;
  outputs: Record<string, string>;
  /** What the step appended to `$GITHUB_STEP_SUMMARY`. */
  summary: string;
  /** Why the step failed (exit status, timeout, action error), when it did. */
  failure?: string;
  /** The last lines the step printed. */
  logTail: string[];
}

export interface JobResult {
  id: string;
  name: string;
  status: RunStatus;
  startedAt?: Date;
  durationMs: number;
  outputs: Record<string, string>;
  /** The job summary: the step summaries in order. */
  summary: string;
  failure?: string;
  steps: StepResult[];
  /** For a job that calls a reusable workflow: that workflow's run. */
  called?: WorkflowResult;
}

export interface WorkflowResult {
  file: string;
  name: string;
  status: RunStatus;
  startedAt: Date;
  durationMs: number;
  /** The evaluated `concurrency.group`, when the workflow has one. */
  concurrencyGroup?: string;
  jobs: JobResult[];
  /** A called workflow's `on.workflow_call.outputs`, evaluated. */
  outputs: Record<string, unknown>;
}

/** The status of a set of jobs or steps: any failure fails it, else cancelled, else success. */
export function combinedStatus(statuses: readonly RunStatus[]): RunStatus {
  if (statuses.includes("failure")) return "failure";
  if (statuses.includes("cancelled")) return "cancelled";
  if (statuses.length > 0 && statuses.every((status) => status === "skipped")) return "skipped";
  return "success";
}

/** The first failed job of a run, looking into called workflows: the one a report leads with. */
export function firstFailure(result: WorkflowResult): { path: string[]; job: JobResult } | undefined {
  for (const job of result.jobs) {
    if (job.status !== "failure") continue;
    if (job.called !== undefined) {
      const inner = firstFailure(job.called);
      if (inner !== undefined) return { path: [job.id, ...inner.path], job: inner.job };
    }
    return { path: [job.id], job };
  }
  return undefined;
}

/** How many of the failing step's last lines an error carries. */
const FAILURE_LINES = 15;

/** Throws REHEARSAL_FAILED unless the run succeeded, naming the failed job and why. */
export function assertWorkflowSucceeded(result: WorkflowResult): WorkflowResult {
  if (result.status === "success") return result;
  const failed = firstFailure(result);
  let what = `the workflow ended ${result.status}`;
  if (failed !== undefined) {
    what = `job ${failed.path.join("/")} failed: ${failed.job.failure ?? "see the report"}`;
    // The failing step's last lines usually say why; the error carries them so that it stands alone.
    const tail =
      failed.job.steps.find((step) => step.status === "failure")?.logTail.slice(-FAILURE_LINES) ?? [];
    if (tail.length > 0) what += `\n${tail.map((line) => `  | ${line}`).join("\n")}`;
  }
  throw new ReleaseError("REHEARSAL_FAILED", what, {
    file: result.file,
    fix: "read the step's log in the report, fix the cause and run the rehearsal again",
  });
}
