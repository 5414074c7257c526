/**
 * Which contexts an expression may read depends on where it is written (GitHub's "context
 * availability" table): `secrets` is not readable in a step's `if:`, `env` not in a job's `env:`,
 * `steps` only inside a job. GitHub refuses a workflow that breaks these rules, so the loader
 * does too, rather than evaluating the expression to null and rehearsing something else.
 */
import type { ExpressionNode } from "./expression-parser.js";
import { STATUS_FUNCTIONS } from "./expression-parser.js";
import type { Job, Step, Workflow } from "./model.js";
import { parseCondition, parseTemplate } from "./template.js";
import { Where } from "./yaml-shape.js";

const JOB_HEADER = ["github", "needs", "vars", "inputs"];
const IN_STEPS = ["github", "needs", "job", "runner", "env", "vars", "secrets", "steps", "inputs"];
const STEP_IF = IN_STEPS.filter((name) => name !== "secrets");

function usage(node: ExpressionNode, contexts: Set<string>, calls: Set<string>): void {
  switch (node.kind) {
    case "context":
      contexts.add(node.name);
      return;
    case "call":
      calls.add(node.name);
      for (const arg of node.args) usage(arg, contexts, calls);
      return;
    case "property":
    case "filter":
      usage(node.object, contexts, calls);
      return;
    case "index":
      usage(node.object, contexts, calls);
      usage(node.index, contexts, calls);
      return;
    case "not":
      usage(node.operand, contexts, calls);
      return;
    case "binary":
      usage(node.left, contexts, calls);
      usage(node.right, contexts, calls);
      return;
    default:
      return;
  }
}

function checkNode(node: ExpressionNode, allowed: readonly string[], condition: boolean, where: Where): void {
  const contexts = new Set<string>();
  const calls = new Set<string>();
  usage(node, contexts, calls);
  for (const name of contexts) {
    if (!allowed.includes(name)) {
      where.fail(
        `the ${name} context is not available here (GitHub allows: ${allowed.join(", ")})`,
        "read the value through a context this key may use, e.g. pass it via env: or a job output",
      );
    }
  }
  if (!condition) {
    const status = [...calls].find((name) => STATUS_FUNCTIONS.has(name));
    if (status !== undefined)
      where.fail(`${status}() is only allowed in if: conditions`, `remove ${status}()`);
  }
}

function checkValue(value: unknown, allowed: readonly string[], where: Where): void {
  if (typeof value !== "string") return;
  for (const part of parseTemplate(value)) {
    if ("expression" in part) checkNode(part.expression, allowed, false, where);
  }
}

function checkMap(values: Record<string, unknown>, allowed: readonly string[], where: Where): void {
  for (const [key, value] of Object.entries(values)) checkValue(value, allowed, where.at(key));
}

function checkStep(step: Step, where: Where): void {
  if (step.if !== undefined) checkNode(parseCondition(step.if), STEP_IF, true, where.at("if"));
  checkValue(step.name, IN_STEPS, where.at("name"));
  checkValue(step.run, IN_STEPS, where.at("run"));
  checkValue(step.workingDirectory, IN_STEPS, where.at("working-directory"));
  checkValue(step.continueOnError, IN_STEPS, where.at("continue-on-error"));
  checkValue(step.timeoutMinutes, IN_STEPS, where.at("timeout-minutes"));
  checkMap(step.with, IN_STEPS, where.at("with"));
  checkMap(step.env, IN_STEPS, where.at("env"));
}

function checkJob(job: Job, where: Where): void {
  if (job.if !== undefined) checkNode(parseCondition(job.if), JOB_HEADER, true, where.at("if"));
  checkValue(job.name, JOB_HEADER, where.at("name"));
  checkValue(job.runsOn, JOB_HEADER, where.at("runs-on"));
  checkValue(job.container, JOB_HEADER, where.at("container"));
  checkValue(job.concurrency?.group, JOB_HEADER, where.at("concurrency").at("group"));
  checkValue(job.environment?.name, JOB_HEADER, where.at("environment").at("name"));
  checkValue(
    job.environment?.url,
    [...JOB_HEADER, "job", "runner", "env", "steps"],
    where.at("environment").at("url"),
  );
  checkValue(job.timeoutMinutes, [...JOB_HEADER, "job", "runner"], where.at("timeout-minutes"));
  checkValue(
    job.defaults.workingDirectory,
    [...JOB_HEADER, "env"],
    where.at("defaults.run.working-directory"),
  );
  checkMap(job.env, [...JOB_HEADER, "secrets"], where.at("env"));
  checkMap(job.outputs, IN_STEPS, where.at("outputs"));
  checkMap(job.with, JOB_HEADER, where.at("with"));
  if (job.secrets !== undefined && job.secrets !== "inherit") {
    checkMap(job.secrets, [...JOB_HEADER, "secrets"], where.at("secrets"));
  }
  for (const step of job.steps) checkStep(step, where.at("steps").at(step.index));
}

/** Throws WORKFLOW_INVALID at the first expression that reads a context its key may not use. */
export function checkContexts(workflow: Workflow): void {
  const root = new Where(workflow.file, "");
  const header = ["github", "inputs", "vars"];
  checkValue(workflow.runName, header, root.at("run-name"));
  checkValue(workflow.concurrency?.group, header, root.at("concurrency").at("group"));
  checkValue(workflow.defaults.workingDirectory, header, root.at("defaults.run.working-directory"));
  checkMap(workflow.env, [...header, "secrets"], root.at("env"));
  const call = workflow.on.workflowCall;
  for (const [name, input] of Object.entries(call?.inputs ?? {})) {
    checkValue(input.default, header, root.at(`on.workflow_call.inputs.${name}.default`));
  }
  for (const [name, output] of Object.entries(call?.outputs ?? {})) {
    checkValue(output.value, [...header, "jobs"], root.at(`on.workflow_call.outputs.${name}.value`));
  }
  for (const job of workflow.jobs) checkJob(job, root.at("jobs").at(job.id));
}
