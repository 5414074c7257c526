/**
 * A `uses:` step: its action's local equivalent from the ActionMap, called with the evaluated
 * `with:` inputs. An action with no equivalent stops the whole run (ACTION_UNMAPPED): rehearsing
 * around it would rehearse another workflow than the one GitHub runs.
 */
import { ReleaseError } from "../../errors.js";
import type { ActionRef } from "./action-ref.js";
import { cancellation, type JobState, StepFailure, stepKey, stepWhere } from "./job-state.js";
import { unmappedActionError } from "./list-uses.js";
import type { Step } from "./model.js";
import type { ActionContext, ActionOutcome, LocalAction } from "./run-options.js";
import { timerDelay } from "./run-process.js";
import { addPath } from "./step-io.js";
import { evaluateText } from "./template.js";

export interface ActionScope {
  contexts: Record<string, unknown>;
  /** The step's full process environment, as a run: step would get it. */
  processEnv: Record<string, string>;
}

function describeError(error: unknown): string {
  if (error instanceof ReleaseError) return error.describe();
  return error instanceof Error ? error.message : String(error);
}

/** The local equivalent of the step's action; none stops the whole run (see above). */
function mappedAction(state: JobState, step: Step, ref: ActionRef): LocalAction {
  const action = Object.hasOwn(state.options.actions, ref.key) ? state.options.actions[ref.key] : undefined;
  if (action === undefined) {
    const where = stepWhere(state, step).at("uses");
    const use = {
      file: where.file,
      field: where.field,
      jobId: state.job.id,
      step: stepKey(step),
      uses: ref.uses,
      key: ref.key,
    };
    throw unmappedActionError([use], state.options.actionMapSource);
  }
  return action;
}

export async function runAction(
  state: JobState,
  step: Step,
  ref: ActionRef,
  scope: ActionScope,
  limitMs: number,
  log: (line: string) => void,
): Promise<{ outputs: Record<string, string>; summary: string }> {
  const action = mappedAction(state, step, ref);
  const inputs: Record<string, string> = {};
  for (const [key, value] of Object.entries(step.with))
    inputs[key] = evaluateText(value, { contexts: scope.contexts });
  const controller = new AbortController();
  const onAbort = () => controller.abort(new StepFailure("cancelled"));
  const { signal } = cancellation(state);
  signal?.addEventListener("abort", onAbort, { once: true });
  const timer = setTimeout(
    () => controller.abort(new StepFailure(`timed out after ${(limitMs / 60_000).toFixed(2)} minutes`)),
    timerDelay(limitMs),
  );
  const context: ActionContext = {
    workflowFile: state.workflow.file,
    jobId: state.job.id,
    step: stepKey(step),
    workspace: state.workspace,
    runnerTemp: state.runnerTemp,
    env: scope.processEnv,
    github: state.contexts.github as Record<string, unknown>,
    log,
    signal: controller.signal,
  };
  const stopped = new Promise<never>((_, reject) => {
    controller.signal.addEventListener("abort", () => reject(controller.signal.reason), { once: true });
  });
  // The race may lose to the action; a later abort must not surface as an unhandled rejection.
  stopped.catch(() => undefined);
  let outcome: ActionOutcome;
  try {
    outcome = await Promise.race([action(inputs, context), stopped]);
  } catch (error) {
    if (error instanceof StepFailure) throw error;
    throw new StepFailure(`${ref.key}: ${describeError(error)}`);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }
  for (const [name, value] of Object.entries(outcome.env ?? {})) state.env[name] = value;
  addPath(state, outcome.path ?? []);
  return { outputs: { ...outcome.outputs }, summary: outcome.summary ?? "" };
}
