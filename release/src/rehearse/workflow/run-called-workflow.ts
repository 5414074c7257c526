/**
 * A job that calls a reusable workflow of the repository (`uses: ./.github/workflows/x.yml`):
 * the called workflow gets typed inputs from `with:` (defaults applied, required ones enforced),
 * the secrets passed (or all of them with `inherit`) and its caller's event; its
 * `on.workflow_call.outputs` become the calling job's outputs.
 */
import { parseReusableWorkflowRef } from "./action-ref.js";
import { ExpressionError, toText } from "./expression-values.js";
import { githubContext } from "./github-context.js";
import type { Job, Workflow } from "./model.js";
import type { JobResult, WorkflowResult } from "./result.js";
import { jobContexts, type NeedsContext, type WorkflowScope } from "./run-job.js";
import { evaluateText, evaluateValue } from "./template.js";
import { openWorkflow } from "./workflow-files.js";
import { resolveInputs, resolveSecrets } from "./workflow-inputs.js";
import { Where } from "./yaml-shape.js";

/** GitHub's limit on nested reusable workflows (the caller and nine levels below it). */
const MAX_DEPTH = 10;

function failed(job: Job, name: string, failure: string): JobResult {
  return { id: job.id, name, status: "failure", durationMs: 0, outputs: {}, summary: "", steps: [], failure };
}

export async function runCalledWorkflow(
  scope: WorkflowScope,
  job: Job,
  needs: NeedsContext,
  name: string,
  /** Runs the called workflow's jobs (run-workflow's executeWorkflow, passed in to keep the modules acyclic). */
  executeWorkflow: (scope: WorkflowScope) => Promise<WorkflowResult>,
): Promise<JobResult> {
  const where = new Where(scope.workflow.file, `jobs.${job.id}`);
  const path = parseReusableWorkflowRef(job.uses ?? "", where.at("uses"));
  if (scope.callers.length + 1 >= MAX_DEPTH) {
    where
      .at("uses")
      .fail(`reusable workflows nest deeper than ${MAX_DEPTH} levels`, "call fewer levels deep");
  }
  const called = await openWorkflow(scope.options.repositoryRoot, path);
  const call = called.on.workflowCall;
  if (call === undefined) {
    return where
      .at("uses")
      .fail(
        `${called.file} cannot be called: it has no on: workflow_call`,
        `add workflow_call to the on: of ${called.file}`,
      );
  }
  const identity = { workflowFile: scope.workflow.file, jobId: job.id, callers: scope.callers };
  let passed: { inputs: Record<string, unknown>; secrets: Record<string, string> };
  try {
    passed = callArguments(scope, job, needs, call, where);
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    return failed(job, name, error.message);
  }
  scope.options.progress?.jobStarted?.(identity, name);
  const result = await executeWorkflow({
    ...scope,
    workflow: called,
    callers: [...scope.callers, job.id],
    ...passed,
  });
  const done = callingJobResult(job, name, called.file, result);
  scope.options.progress?.jobFinished?.(identity, done);
  return done;
}

/** The called workflow's inputs from the job's `with:`, and its secrets from the job's `secrets:`. */
function callArguments(
  scope: WorkflowScope,
  job: Job,
  needs: NeedsContext,
  call: NonNullable<Workflow["on"]["workflowCall"]>,
  where: Where,
): { inputs: Record<string, unknown>; secrets: Record<string, string> } {
  const github = githubContext(scope.run, job.id, "");
  const contexts = jobContexts(scope, needs, github);
  const given: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(job.with)) given[key] = evaluateValue(value, { contexts });
  const inputs = resolveInputs(call.inputs, given, "call", where.at("with"), (value) =>
    evaluateValue(value, { contexts: { github, vars: contexts.vars, inputs: {} } }),
  );
  let passed: "inherit" | Record<string, string> | undefined;
  if (job.secrets === "inherit" || job.secrets === undefined) passed = job.secrets;
  else {
    passed = {};
    for (const [key, value] of Object.entries(job.secrets)) passed[key] = evaluateText(value, { contexts });
  }
  const secrets = resolveSecrets(call.secrets, passed, scope.secrets, where.at("secrets"));
  return { inputs, secrets };
}

/** The calling job's result: the called workflow's outputs, status and summaries as the job's. */
function callingJobResult(job: Job, name: string, calledFile: string, result: WorkflowResult): JobResult {
  const outputs: Record<string, string> = {};
  for (const [key, value] of Object.entries(result.outputs)) outputs[key] = toText(value);
  const failedJob = result.jobs.find((done) => done.status === "failure");
  const done: JobResult = {
    id: job.id,
    name,
    status: result.status === "skipped" ? "success" : result.status,
    startedAt: result.startedAt,
    durationMs: result.durationMs,
    outputs,
    summary: result.jobs.map((done) => done.summary).join(""),
    steps: [],
    called: result,
  };
  if (failedJob !== undefined)
    done.failure = `${calledFile}: job ${failedJob.id} failed: ${failedJob.failure ?? ""}`;
  return done;
}
