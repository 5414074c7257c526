/**
 * Runs a workflow file as a runner would: jobs one at a time in `needs:` order, a job skipped
 * when its `if:` (by default success() of every job it depends on) is false, jobs that call a
 * reusable workflow of the repository running that workflow's jobs in turn.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ReleaseError } from "../../errors.js";
import { ExpressionError } from "./expression-values.js";
import { githubContext, type RunFacts } from "./github-context.js";
import { ancestors, orderJobs } from "./job-order.js";
import type { Job, Workflow } from "./model.js";
import { combinedStatus, type JobResult, type WorkflowResult } from "./result.js";
import { runCalledWorkflow } from "./run-called-workflow.js";
import { jobContexts, jobName, type NeedsContext, runJob, type WorkflowScope } from "./run-job.js";
import type { RunWorkflowOptions } from "./run-options.js";
import { evaluateCondition, evaluateText } from "./template.js";
import { openWorkflow, repositoryPath } from "./workflow-files.js";
import { resolveInputs } from "./workflow-inputs.js";
import { Where } from "./yaml-shape.js";

function needsContext(job: Job, results: ReadonlyMap<string, JobResult>): NeedsContext {
  const needs: NeedsContext = {};
  for (const id of job.needs) {
    const done = results.get(id);
    needs[id] = { result: done?.status ?? "skipped", outputs: done?.outputs ?? {} };
  }
  return needs;
}

function skipped(job: Job, name: string, failure?: string): JobResult {
  return {
    id: job.id,
    name,
    status: failure === undefined ? "skipped" : "failure",
    durationMs: 0,
    outputs: {},
    summary: "",
    steps: [],
    ...(failure === undefined ? {} : { failure }),
  };
}

/**
 * One job in its turn: skipped when its `if:` is false (failed when the `if:` cannot be evaluated
 * or its container is not one this machine stands for), else run, or its called workflow run.
 */
async function runOrSkip(
  scope: WorkflowScope,
  job: Job,
  results: ReadonlyMap<string, JobResult>,
): Promise<JobResult> {
  const { options, workflow } = scope;
  const needs = needsContext(job, results);
  const contexts = jobContexts(scope, needs, githubContext(scope.run, job.id, ""));
  const name = jobName(job, contexts);
  const before = [...ancestors(job.id, workflow.jobs)].map((id) => results.get(id)?.status ?? "skipped");
  const cancelled = options.signal?.aborted === true;
  const status = {
    success: before.every((s) => s === "success") && !cancelled,
    failure: before.some((s) => s === "failure"),
    cancelled,
  };
  let run: boolean;
  try {
    run = evaluateCondition(job.if, { contexts, status });
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    return skipped(job, name, `if: ${error.message}`);
  }
  if (!run) return skipped(job, name);
  if (
    job.container !== undefined &&
    !(options.hostImages ?? []).some((image) => image.test(String(job.container)))
  ) {
    return skipped(
      job,
      name,
      `the job container ${job.container} is not an image this machine stands for (hostImages); run the rehearsal on a machine of that system, or change the container`,
    );
  }
  if (job.uses !== undefined) return runCalledWorkflow(scope, job, needs, name, executeWorkflow);
  return runJob(scope, job, needs);
}

/** Runs the jobs of a loaded workflow with the given inputs and secrets (the top one, or a called one). */
export async function executeWorkflow(scope: WorkflowScope): Promise<WorkflowResult> {
  const { options, workflow } = scope;
  const now = options.now ?? (() => new Date());
  const started = now();
  const results = new Map<string, JobResult>();
  const baseGithub = githubContext(scope.run, "", "");
  const result: WorkflowResult = {
    file: workflow.file,
    name: workflow.name ?? workflow.file,
    status: "success",
    startedAt: started,
    durationMs: 0,
    jobs: [],
    outputs: {},
  };
  if (workflow.concurrency !== undefined) {
    const contexts = { github: baseGithub, inputs: scope.inputs, vars: options.vars ?? {} };
    result.concurrencyGroup = evaluateAt(
      workflow.concurrency.group,
      contexts,
      new Where(workflow.file, "concurrency.group"),
    );
  }
  for (const job of orderJobs(workflow.jobs, new Where(workflow.file, "jobs"))) {
    const done = await runOrSkip(scope, job, results);
    results.set(job.id, done);
    result.jobs.push(done);
  }
  const on = workflow.on.workflowCall;
  if (on !== undefined && scope.callers.length > 0) {
    const jobs: Record<string, unknown> = {};
    for (const [id, done] of results) jobs[id] = { result: done.status, outputs: done.outputs };
    const contexts = { github: baseGithub, inputs: scope.inputs, vars: options.vars ?? {}, jobs };
    for (const [name, output] of Object.entries(on.outputs)) {
      const where = new Where(workflow.file, `on.workflow_call.outputs.${name}.value`);
      result.outputs[name] = evaluateAt(output.value, contexts, where);
    }
  }
  result.status = combinedStatus(result.jobs.map((job) => job.status));
  result.durationMs = now().getTime() - started.getTime();
  options.progress?.workflowFinished?.(result);
  return result;
}

/** A workflow-level value: an expression that cannot be evaluated stops the run, naming the field. */
function evaluateAt(value: unknown, contexts: Record<string, unknown>, where: Where): string {
  try {
    return evaluateText(value, { contexts });
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    return where.fail(`cannot evaluate: ${error.message}`, "fix the expression");
  }
}

function checkEvent(workflow: Workflow, event: string): void {
  if (!workflow.on.events.includes(event)) {
    throw new ReleaseError("WORKFLOW_INVALID", `the workflow is not started by ${event} events`, {
      file: workflow.file,
      field: "on",
      fix: `run it for one of its events (${workflow.on.events.join(", ")}), or add ${event} to on:`,
    });
  }
}

/** Runs a workflow file for an event. Throws ReleaseError only for what stops the whole run; job and step failures are in the result. */
export async function runWorkflow(options: RunWorkflowOptions): Promise<WorkflowResult> {
  const workflow = await openWorkflow(options.repositoryRoot, options.workflow);
  checkEvent(workflow, options.event.name);
  const secrets = { ...options.secrets };
  const run: RunFacts = {
    facts: options.github,
    event: options.event,
    eventPath: join(options.runnerTemp, "event.json"),
    workflowName: workflow.name ?? workflow.file,
    workflowRef: `${repositoryPath(options.repositoryRoot, workflow.file)}@${options.github.ref}`,
    token: secrets.GITHUB_TOKEN ?? "",
    masks: [],
  };
  const dispatch = workflow.on.workflowDispatch;
  let inputs: Record<string, unknown> = {};
  if (options.event.name === "workflow_dispatch") {
    inputs = resolveInputs(
      dispatch?.inputs ?? {},
      options.event.inputs ?? {},
      "form",
      new Where(workflow.file, "on.workflow_dispatch.inputs"),
      (value) => value,
    );
    if (options.event.payload.inputs === undefined) {
      run.event = {
        ...options.event,
        payload: { ...options.event.payload, inputs: options.event.inputs ?? {} },
      };
    }
  }
  await mkdir(options.runnerTemp, { recursive: true });
  await writeFile(run.eventPath, `${JSON.stringify(run.event.payload, null, 2)}\n`);
  return executeWorkflow({ options, run, workflow, callers: [], inputs, secrets, folders: { next: 1 } });
}
