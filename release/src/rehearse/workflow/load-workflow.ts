// biome-ignore-all lint/suspicious/noTemplateCurlyInString: GitHub expressions are ${{ }} inside plain strings, not template literals
/**
 * Reads a workflow file into a Workflow. Everything that would stop a run halfway is checked
 * here, before any step runs: unknown or unsupported keys, every `${{ }}` and `if:` parsed,
 * actions pinned by commit SHA, `needs:` that name jobs and do not form a cycle.
 */
import { readFile } from "node:fs/promises";
import yaml from "js-yaml";
import { ReleaseError } from "../../errors.js";
import { checkContexts } from "./check-contexts.js";
import { ExpressionError } from "./expression-values.js";
import { orderJobs } from "./job-order.js";
import { readConcurrency, readDefaults, readJob, readPermissions } from "./load-job.js";
import { readTriggers } from "./load-triggers.js";
import type { Job, Workflow } from "./model.js";
import { checkTemplates, parseCondition } from "./template.js";
import { checkKeys, expectMap, optionalString, scalarMap, Where } from "./yaml-shape.js";

const WORKFLOW_KEYS = [
  "name",
  "run-name",
  "on",
  "env",
  "permissions",
  "concurrency",
  "defaults",
  "jobs",
] as const;

function checkConditions(job: Job, where: Where): void {
  const check = (value: unknown, at: Where) => {
    try {
      parseCondition(value);
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      at.fail(
        `invalid condition: ${error.message}`,
        "fix the expression (GitHub would refuse the workflow too)",
      );
    }
  };
  if (job.if !== undefined) check(job.if, where.at("if"));
  for (const step of job.steps) {
    if (step.if !== undefined) check(step.if, where.at("steps").at(step.index).at("if"));
  }
}

/** Parses workflow YAML text; `file` names it in errors. */
export function parseWorkflow(text: string, file: string): Workflow {
  const root = new Where(file, "");
  let document: unknown;
  try {
    document = yaml.load(text, { filename: file });
  } catch (error) {
    throw new ReleaseError("WORKFLOW_INVALID", `not valid YAML: ${(error as Error).message}`, {
      file,
      fix: "fix the YAML syntax",
      cause: error,
    });
  }
  const map = expectMap(document, root);
  checkKeys(map, root, WORKFLOW_KEYS);
  checkTemplates(map, (field, error) =>
    new Where(file, field).fail(`invalid expression: ${error.message}`, "fix the ${{ }} expression"),
  );
  const jobsWhere = root.at("jobs");
  const jobsMap = expectMap(map.jobs, jobsWhere);
  const jobs = Object.entries(jobsMap).map(([id, job]) => readJob(id, job, jobsWhere.at(id)));
  if (jobs.length === 0) jobsWhere.fail("the workflow has no jobs", "add a job");
  for (const job of jobs) checkConditions(job, jobsWhere.at(job.id));
  orderJobs(jobs, jobsWhere);
  const workflow: Workflow = {
    file,
    on: readTriggers(map.on, root.at("on")),
    env: scalarMap(map.env, root.at("env")),
    defaults: readDefaults(map.defaults, root.at("defaults")),
    jobs,
  };
  const name = optionalString(map.name, root.at("name"));
  if (name !== undefined) workflow.name = name;
  if (map["run-name"] !== undefined) workflow.runName = map["run-name"];
  workflow.permissions = readPermissions(map.permissions, root.at("permissions"));
  workflow.concurrency = readConcurrency(map.concurrency, root.at("concurrency"));
  checkContexts(workflow);
  return workflow;
}

/** Reads a workflow file; `name` (default: the path) is how errors and reports name it. */
export async function loadWorkflow(file: string, name = file): Promise<Workflow> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new ReleaseError("WORKFLOW_INVALID", `cannot read the workflow: ${(error as Error).message}`, {
      file: name,
      fix: "check the path of the workflow file",
      cause: error,
    });
  }
  return parseWorkflow(text, name);
}
