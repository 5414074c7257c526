/**
 * One job of steps: a fresh RUNNER_TEMP and workspace, the workflow and job env evaluated, the
 * steps in order, then the job's `outputs:` evaluated from the final state. Processes the steps
 * left running in the background are stopped when the job ends, as the runner does.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { ExpressionError, toNumber, toText } from "./expression-values.js";
import { githubContext, type RunFacts, runnerContext } from "./github-context.js";
import { isCancelled, type JobState, jobLabel, stepContexts } from "./job-state.js";
import type { Job, Workflow } from "./model.js";
import type { JobResult } from "./result.js";
import type { JobIdentity, RunWorkflowOptions } from "./run-options.js";
import { killGroup } from "./run-process.js";
import { runStep } from "./run-step.js";
import { evaluateText, evaluateValue } from "./template.js";

/** What the jobs of one workflow run share. */
export interface WorkflowScope {
  options: RunWorkflowOptions;
  run: RunFacts;
  workflow: Workflow;
  callers: string[];
  inputs: Record<string, unknown>;
  secrets: Record<string, string>;
  /** Numbers the job folders of the whole run (called workflows included). */
  folders: { next: number };
}

export type NeedsContext = Record<string, { result: string; outputs: Record<string, string> }>;

const DEFAULT_TIMEOUT_MINUTES = 360;

export function jobContexts(scope: WorkflowScope, needs: NeedsContext, github: Record<string, unknown>) {
  return { github, vars: scope.options.vars ?? {}, inputs: scope.inputs, needs, secrets: scope.secrets };
}

/** The job's display name (`name:` evaluated, else its id). */
export function jobName(job: Job, contexts: Record<string, unknown>): string {
  if (job.name === undefined) return job.id;
  try {
    return evaluateText(job.name, { contexts });
  } catch {
    return String(job.name);
  }
}

async function jobFolders(
  scope: WorkflowScope,
  identity: JobIdentity,
): Promise<{ temp: string; workspace: string }> {
  const n = scope.folders.next++;
  const slug = jobLabel(identity).replaceAll("/", "-");
  const temp = join(scope.options.runnerTemp, `${n}-${slug}`, "temp");
  await mkdir(temp, { recursive: true });
  if (scope.options.workspace !== undefined)
    return { temp, workspace: await scope.options.workspace(identity) };
  const workspace = join(scope.options.runnerTemp, `${n}-${slug}`, "workspace");
  await mkdir(workspace, { recursive: true });
  return { temp, workspace };
}

function evaluateEnv(
  values: Record<string, unknown>,
  contexts: Record<string, unknown>,
  into: Record<string, string>,
) {
  for (const [key, value] of Object.entries(values)) {
    into[key] = evaluateText(value, { contexts: { ...contexts, env: { ...into } } });
  }
}

/** The job's `timeout-minutes:`, evaluated, or the runner's default. */
function timeoutMinutes(job: Job, contexts: Record<string, unknown>): number {
  const minutes =
    job.timeoutMinutes === undefined
      ? DEFAULT_TIMEOUT_MINUTES
      : toNumber(evaluateValue(job.timeoutMinutes, { contexts }));
  if (!Number.isFinite(minutes) || minutes <= 0) {
    throw new ExpressionError(
      `timeout-minutes ${JSON.stringify(job.timeoutMinutes)} is not a positive number`,
    );
  }
  return minutes;
}

/** The job's `outputs:` evaluated from the final state into `into`, but none holding one of `secrets`. */
function evaluateOutputs(
  state: JobState,
  secrets: Record<string, string>,
  into: Record<string, string>,
): void {
  const hidden = [...Object.values(secrets), ...state.run.masks].filter((value) => value !== "");
  for (const [key, value] of Object.entries(state.job.outputs)) {
    const text = toText(evaluateValue(value, { contexts: stepContexts(state, state.env) }));
    // The runner drops an output that holds a secret rather than pass it to other jobs.
    if (hidden.some((secret) => text.includes(secret))) {
      state.options.progress?.line?.(
        `${jobLabel(state.identity)} | Skip output '${key}' since it may contain secret.`,
      );
    } else {
      into[key] = text;
    }
  }
}

/** The job's status, failure and summary from how its steps ended. */
function concludeResult(state: JobState, result: JobResult): void {
  const failedStep = result.steps.find((step) => step.status === "failure");
  if (failedStep !== undefined)
    result.failure ??= `step "${failedStep.name}" failed: ${failedStep.failure ?? ""}`;
  if (state.timedOut) result.failure = `the job exceeded its timeout-minutes; ${result.failure ?? ""}`;
  result.status = state.failed || state.timedOut ? "failure" : isCancelled(state) ? "cancelled" : "success";
  result.summary = state.summary;
}

/** The contexts the job starts with: the workflow's, the runner's, and its environment's secrets. */
function startContexts(
  scope: WorkflowScope,
  job: Job,
  needs: NeedsContext,
  folders: { temp: string; workspace: string },
) {
  const { options } = scope;
  const github = githubContext(scope.run, job.id, folders.workspace);
  const runner = options.runner ?? { os: "Linux", arch: process.arch === "arm64" ? "ARM64" : "X64" };
  const contexts = {
    ...jobContexts(scope, needs, github),
    runner: runnerContext(runner.os, runner.arch, folders.temp),
  };
  const environment =
    job.environment === undefined ? undefined : evaluateText(job.environment.name, { contexts });
  contexts.secrets = {
    ...scope.secrets,
    ...(environment === undefined ? {} : options.environmentSecrets?.[environment]),
  };
  return contexts;
}

export async function runJob(scope: WorkflowScope, job: Job, needs: NeedsContext): Promise<JobResult> {
  const { options } = scope;
  const now = options.now ?? (() => new Date());
  const identity: JobIdentity = { workflowFile: scope.workflow.file, jobId: job.id, callers: scope.callers };
  const started = now();
  const folders = await jobFolders(scope, identity);
  const contexts = startContexts(scope, job, needs, folders);
  const name = jobName(job, contexts);
  const result: JobResult = {
    id: job.id,
    name,
    status: "success",
    startedAt: started,
    durationMs: 0,
    outputs: {},
    summary: "",
    steps: [],
  };
  options.progress?.jobStarted?.(identity, name);
  const state: JobState = {
    options,
    run: scope.run,
    identity,
    workflow: scope.workflow,
    job,
    workspace: folders.workspace,
    runnerTemp: folders.temp,
    env: {},
    path: [],
    contexts,
    steps: {},
    failed: false,
    summary: "",
    deadline: Number.POSITIVE_INFINITY,
    timedOut: false,
    startedCancelled: options.signal?.aborted === true,
    groups: [],
    fileCounter: 0,
  };
  try {
    evaluateEnv(scope.workflow.env, contexts, state.env);
    evaluateEnv(job.env, contexts, state.env);
    state.deadline = started.getTime() + timeoutMinutes(job, { ...contexts, env: state.env }) * 60_000;
    for (const step of job.steps) result.steps.push(await runStep(state, step));
    evaluateOutputs(state, contexts.secrets, result.outputs);
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    state.failed = true;
    result.failure = error.message;
  } finally {
    for (const group of state.groups) killGroup(group, "SIGKILL");
  }
  concludeResult(state, result);
  result.durationMs = now().getTime() - started.getTime();
  options.progress?.jobFinished?.(identity, result);
  return result;
}
