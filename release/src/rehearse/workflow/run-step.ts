/**
 * One step: its `if:`, its env, then its `run:` script through bash or its action's local
 * equivalent, then the files it wrote. A step that fails concludes as success under
 * `continue-on-error`; otherwise the job is failed and later steps run only if their `if:` allows.
 */
import { randomUUID } from "node:crypto";
import { stat, writeFile } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import { ReleaseError } from "../../errors.js";
import { parseActionRef } from "./action-ref.js";
import { CommandFileError } from "./command-files.js";
import { ExpressionError, isTruthy, toNumber } from "./expression-values.js";
import { runnerVariables, type StepFiles } from "./github-context.js";
import {
  cancellation,
  isCancelled,
  type JobState,
  jobLabel,
  maskSecrets,
  StepFailure,
  stepContexts,
  stepKey,
  stepStatus,
  stepWhere,
} from "./job-state.js";
import type { Step } from "./model.js";
import type { StepResult } from "./result.js";
import { runAction } from "./run-action.js";
import { runProcess } from "./run-process.js";
import { applyStepFiles, createStepFiles, processEnv } from "./step-io.js";
import { evaluateCondition, evaluateText, evaluateValue } from "./template.js";

function displayName(state: JobState, step: Step): string {
  if (step.name !== undefined) {
    try {
      return evaluateText(step.name, { contexts: stepContexts(state, state.env) });
    } catch {
      return String(step.name);
    }
  }
  if (step.uses !== undefined) return `Run ${step.uses}`;
  return `Run ${String(step.run).trim().split("\n")[0] ?? ""}`;
}

function stepVariables(state: JobState, step: Step, files: StepFiles): Record<string, string> {
  const github = state.contexts.github as Record<string, unknown>;
  const runner = state.contexts.runner as Record<string, unknown>;
  return runnerVariables(github, runner, files, step.id ?? (step.uses === undefined ? "__run" : "__action"));
}

function timeoutMs(state: JobState, value: unknown, now: number): number {
  const remaining = Math.max(state.deadline - now, 0);
  if (value === undefined) return remaining;
  const minutes = toNumber(value);
  if (!Number.isFinite(minutes) || minutes <= 0) {
    throw new StepFailure(`timeout-minutes ${JSON.stringify(value)} is not a positive number`);
  }
  return Math.min(minutes * 60_000, remaining);
}

async function runScript(
  state: JobState,
  step: Step,
  scope: { env: Record<string, string>; contexts: Record<string, unknown> },
  files: StepFiles,
  limitMs: number,
  log: (line: string) => void,
): Promise<void> {
  const script = evaluateText(step.run, { contexts: scope.contexts });
  const directory =
    step.workingDirectory ?? state.job.defaults.workingDirectory ?? state.workflow.defaults.workingDirectory;
  const relative = directory === undefined ? "" : evaluateText(directory, { contexts: scope.contexts });
  const cwd =
    relative === "" ? state.workspace : isAbsolute(relative) ? relative : join(state.workspace, relative);
  if (!(await stat(cwd).catch(() => undefined))?.isDirectory()) {
    throw new StepFailure(`working-directory ${relative} does not exist in the workspace`);
  }
  const scriptFile = join(state.runnerTemp, `${randomUUID()}.sh`);
  await writeFile(scriptFile, script);
  const shell = step.shell ?? state.job.defaults.shell ?? state.workflow.defaults.shell;
  // The runner's default (no shell:) is `bash -e {0}`; an explicit `shell: bash` adds pipefail.
  const args =
    shell === "bash" ? ["--noprofile", "--norc", "-eo", "pipefail", scriptFile] : ["-e", scriptFile];
  const outcome = await runProcess({
    bash: state.options.bash ?? "bash",
    args,
    cwd,
    env: processEnv(state, scope.env, stepVariables(state, step, files)),
    timeoutMs: limitMs,
    ...cancellation(state),
    onLine: log,
  });
  if (outcome.group !== undefined) state.groups.push(outcome.group);
  if (outcome.spawnError !== undefined) throw new StepFailure(`cannot start bash: ${outcome.spawnError}`);
  if (outcome.timedOut) throw new StepFailure(`timed out after ${(limitMs / 60_000).toFixed(2)} minutes`);
  if (outcome.cancelled) throw new StepFailure("cancelled");
  if (outcome.exitCode !== 0) {
    throw new StepFailure(
      outcome.signal === null ? `exit code ${String(outcome.exitCode)}` : `killed by ${outcome.signal}`,
    );
  }
}

/**
 * Where the step's output lines go: `::add-mask::` lines add a mask; the others, masked, are kept
 * in the result's log tail and passed on to the progress callback.
 */
function stepLog(state: JobState, step: Step, result: StepResult): (line: string) => void {
  const tailSize = state.options.logTailLines ?? 30;
  const prefix = `${jobLabel(state.identity)}/${stepKey(step)} | `;
  return (line: string) => {
    const mask = /^::add-mask::(.*)$/.exec(line);
    if (mask !== null) {
      if ((mask[1] ?? "").trim() !== "") state.run.masks.push(mask[1] as string);
      return;
    }
    const masked = maskSecrets(line, [
      ...Object.values(state.contexts.secrets as Record<string, string>),
      ...state.run.masks,
    ]);
    result.logTail.push(masked);
    if (result.logTail.length > tailSize) result.logTail.shift();
    state.options.progress?.line?.(`${prefix}${masked}`);
  };
}

/** The step's `if:`; one that cannot be evaluated runs the step, which then fails saying why. */
function shouldRun(state: JobState, step: Step, result: StepResult): boolean {
  try {
    return evaluateCondition(step.if, {
      contexts: stepContexts(state, state.env),
      status: stepStatus(state),
    });
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    result.failure = `if: ${error.message}`;
    return true;
  }
}

export async function runStep(state: JobState, step: Step): Promise<StepResult> {
  const now = state.options.now ?? (() => new Date());
  const name = displayName(state, step);
  const result: StepResult = {
    index: step.index,
    name,
    status: "skipped",
    outcome: "skipped",
    durationMs: 0,
    outputs: {},
    summary: "",
    logTail: [],
  };
  if (step.id !== undefined) result.id = step.id;
  const log = stepLog(state, step, result);
  // A job past its timeout-minutes runs nothing more.
  if (state.timedOut) return finish(state, step, result);
  if (!shouldRun(state, step, result)) return finish(state, step, result);
  state.options.progress?.stepStarted?.(state.identity, name);
  const started = now();
  result.startedAt = started;
  let files: StepFiles | undefined;
  let fromAction = { outputs: {}, summary: "" };
  try {
    if (result.failure !== undefined) throw new StepFailure(result.failure);
    const baseScope = { contexts: stepContexts(state, state.env) };
    const stepEnv: Record<string, string> = {};
    for (const [key, value] of Object.entries(step.env)) stepEnv[key] = evaluateText(value, baseScope);
    const env = { ...state.env, ...stepEnv };
    const scope = { env: stepEnv, contexts: stepContexts(state, env) };
    const minutes = step.timeoutMinutes === undefined ? undefined : evaluateValue(step.timeoutMinutes, scope);
    const limitMs = timeoutMs(state, minutes, started.getTime());
    files = await createStepFiles(state);
    if (step.uses !== undefined) {
      const ref = parseActionRef(step.uses, stepWhere(state, step).at("uses"));
      const env = processEnv(state, scope.env, stepVariables(state, step, files));
      fromAction = await runAction(state, step, ref, { ...scope, processEnv: env }, limitMs, log);
    } else {
      await runScript(state, step, scope, files, limitMs, log);
    }
    result.outcome = "success";
  } catch (error) {
    if (error instanceof ReleaseError) throw error;
    if (!isStepError(error)) throw error;
    result.outcome = isCancelled(state) ? "cancelled" : "failure";
    result.failure = error.message;
    if (now().getTime() >= state.deadline) state.timedOut = true;
  }
  // The runner reads the files of a failed step too: its outputs, env and summary count.
  if (files !== undefined) await readStepFiles(state, files, fromAction, result);
  result.durationMs = now().getTime() - started.getTime();
  result.status = result.outcome;
  if (result.outcome === "failure" && continueOnError(state, step)) result.status = "success";
  if (result.status !== "success") state.failed = state.failed || result.status === "failure";
  return finish(state, step, result);
}

function isStepError(error: unknown): error is Error {
  return (
    error instanceof StepFailure || error instanceof ExpressionError || error instanceof CommandFileError
  );
}

async function readStepFiles(
  state: JobState,
  files: StepFiles,
  fromAction: { outputs: Record<string, string>; summary: string },
  result: StepResult,
): Promise<void> {
  try {
    const applied = await applyStepFiles(state, files);
    result.outputs = { ...fromAction.outputs, ...applied.outputs };
    result.summary = fromAction.summary + applied.summary;
  } catch (error) {
    if (!isStepError(error)) throw error;
    if (result.outcome === "success") result.outcome = "failure";
    result.failure = result.failure === undefined ? error.message : `${result.failure}; ${error.message}`;
  }
}

function continueOnError(state: JobState, step: Step): boolean {
  try {
    return isTruthy(evaluateValue(step.continueOnError, { contexts: stepContexts(state, state.env) }));
  } catch {
    return false;
  }
}

function finish(state: JobState, step: Step, result: StepResult): StepResult {
  if (step.id !== undefined) {
    state.steps[step.id] = { outputs: result.outputs, outcome: result.outcome, conclusion: result.status };
  }
  if (result.summary !== "")
    state.summary += result.summary.endsWith("\n") ? result.summary : `${result.summary}\n`;
  state.options.progress?.stepFinished?.(state.identity, result);
  return result;
}
