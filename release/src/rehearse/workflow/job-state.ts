/**
 * The state a job carries from step to step, as the runner keeps it: the job environment (which
 * `$GITHUB_ENV` extends), the directories `$GITHUB_PATH` added, the `steps` context, whether a
 * step failed, the summary so far, the deadline of `timeout-minutes`.
 */
import type { StatusState } from "./expression-evaluate.js";
import type { RunFacts } from "./github-context.js";
import type { Job, Step, Workflow } from "./model.js";
import type { JobIdentity, RunWorkflowOptions } from "./run-options.js";
import { Where } from "./yaml-shape.js";

/** A step failure with the reason shown in the report. */
export class StepFailure extends Error {
  override readonly name = "StepFailure";
}

export function stepKey(step: Step): string {
  return step.id ?? `#${step.index + 1}`;
}

export function stepWhere(state: JobState, step: Step): Where {
  return new Where(state.workflow.file, `jobs.${state.job.id}.steps[${step.index}]`);
}

export interface StepContext {
  outputs: Record<string, string>;
  outcome: string;
  conclusion: string;
}

export interface JobState {
  options: RunWorkflowOptions;
  run: RunFacts;
  identity: JobIdentity;
  workflow: Workflow;
  job: Job;
  workspace: string;
  runnerTemp: string;
  /** Workflow env + job env (evaluated) + what `$GITHUB_ENV` set. */
  env: Record<string, string>;
  /** `$GITHUB_PATH` entries, the latest first. */
  path: string[];
  /** github, vars, secrets, inputs, needs, runner, job. */
  contexts: Record<string, unknown>;
  steps: Record<string, StepContext>;
  failed: boolean;
  summary: string;
  /** Epoch milliseconds when the job's timeout-minutes run out. */
  deadline: number;
  timedOut: boolean;
  /** The run was already cancelled when the job started. */
  startedCancelled: boolean;
  /** Process groups of the job's steps, stopped when the job ends. */
  groups: number[];
  /** Counter for the per-step file names. */
  fileCounter: number;
}

export function jobLabel(identity: JobIdentity): string {
  return [...identity.callers, identity.jobId].join("/");
}

/**
 * Whether the run was cancelled while this job ran. A job that starts after the cancellation
 * (under always()) gets no cancel of its own, as on GitHub: its steps run normally.
 */
export function isCancelled(state: JobState): boolean {
  return state.options.signal?.aborted === true && !state.startedCancelled;
}

/** What success(), failure() and cancelled() read in a step's if:. */
export function stepStatus(state: JobState): StatusState {
  const cancelled = isCancelled(state) || state.timedOut;
  return { success: !state.failed && !cancelled, failure: state.failed, cancelled };
}

/** The contexts a step's expressions see; `env` is the job env plus the step's own env. */
export function stepContexts(state: JobState, env: Record<string, string>): Record<string, unknown> {
  return {
    ...state.contexts,
    env,
    steps: state.steps,
    job: { status: state.failed ? "failure" : isCancelled(state) ? "cancelled" : "success" },
  };
}

/** Replaces every secret value (and `::add-mask::` value) in a log line with `***`, as the runner does. */
export function maskSecrets(line: string, secrets: readonly string[]): string {
  let masked = line;
  for (const value of secrets) {
    if (value.length > 0) masked = masked.split(value).join("***");
  }
  return masked;
}

/**
 * The signal that stops a step: the run's, unless the run was cancelled before the step started
 * (a step that runs after a cancellation, under always(), runs to its end as on GitHub).
 */
export function cancellation(state: JobState): { signal?: AbortSignal } {
  const signal = state.options.signal;
  return signal === undefined || signal.aborted ? {} : { signal };
}
