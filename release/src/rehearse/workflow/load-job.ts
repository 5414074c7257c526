/**
 * One job and its steps, read strictly. Features a rehearsal cannot reproduce faithfully (matrix
 * strategies, service and job containers, shells other than bash, container actions, reusable
 * workflows of other repositories) are refused with the field that uses them.
 */
import { parseActionRef, parseReusableWorkflowRef } from "./action-ref.js";
import type { Concurrency, Job, Permissions, RunDefaults, Step } from "./model.js";
import {
  checkKeys,
  expectMap,
  expectScalar,
  expectString,
  optionalMap,
  optionalScalar,
  scalarMap,
  stringList,
  type Where,
  type YamlMap,
} from "./yaml-shape.js";

export const ID = /^[A-Za-z_][A-Za-z0-9_-]*$/;

const STEP_KEYS = [
  "id",
  "name",
  "if",
  "uses",
  "with",
  "run",
  "shell",
  "env",
  "working-directory",
  "continue-on-error",
  "timeout-minutes",
] as const;

const JOB_KEYS = [
  "name",
  "needs",
  "if",
  "runs-on",
  "environment",
  "permissions",
  "env",
  "outputs",
  "defaults",
  "steps",
  "uses",
  "with",
  "secrets",
  "timeout-minutes",
  "concurrency",
  "container",
] as const;

const CALLER_JOB_KEYS = ["name", "needs", "if", "permissions", "concurrency", "uses", "with", "secrets"];

const UNSUPPORTED_JOB_KEYS: Record<string, string> = {
  strategy: "strategy (matrix jobs)",
  services: "services (service containers)",
  "continue-on-error": "continue-on-error on a job",
};

export function readShell(value: unknown, where: Where): "bash" | undefined {
  if (value === undefined) return undefined;
  if (value !== "bash") {
    where.unsupported(`shell ${JSON.stringify(value)}`, "use shell: bash (or no shell: the default bash)");
  }
  return "bash";
}

export function readDefaults(value: unknown, where: Where): RunDefaults {
  const map = optionalMap(value, where);
  checkKeys(map, where, ["run"]);
  const run = optionalMap(map.run, where.at("run"));
  checkKeys(run, where.at("run"), ["shell", "working-directory"]);
  const defaults: RunDefaults = {};
  const shell = readShell(run.shell, where.at("run").at("shell"));
  if (shell !== undefined) defaults.shell = shell;
  if (run["working-directory"] !== undefined) {
    defaults.workingDirectory = expectScalar(
      run["working-directory"],
      where.at("run").at("working-directory"),
    );
  }
  return defaults;
}

export function readPermissions(value: unknown, where: Where): Permissions | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  const map = expectMap(value, where);
  const out: Record<string, string> = {};
  for (const [scope, access] of Object.entries(map)) out[scope] = expectString(access, where.at(scope));
  return out;
}

export function readConcurrency(value: unknown, where: Where): Concurrency | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return { group: value, cancelInProgress: false };
  const map = expectMap(value, where);
  checkKeys(map, where, ["group", "cancel-in-progress"]);
  return {
    group: expectScalar(map.group, where.at("group")),
    cancelInProgress: optionalScalar(map["cancel-in-progress"], where.at("cancel-in-progress")) ?? false,
  };
}

function readStep(value: unknown, index: number, where: Where): Step {
  const map = expectMap(value, where);
  checkKeys(map, where, STEP_KEYS);
  if ((map.run === undefined) === (map.uses === undefined)) {
    where.fail("a step needs exactly one of run: or uses:", "give the step a run: script or a uses: action");
  }
  const step: Step = {
    index,
    with: scalarMap(map.with, where.at("with")),
    env: scalarMap(map.env, where.at("env")),
    continueOnError: optionalScalar(map["continue-on-error"], where.at("continue-on-error")) ?? false,
  };
  if (map.id !== undefined) {
    step.id = expectString(map.id, where.at("id"));
    if (!ID.test(step.id))
      where.at("id").fail(`invalid step id ${JSON.stringify(step.id)}`, "use letters, digits, - and _");
  }
  if (map.name !== undefined) step.name = expectScalar(map.name, where.at("name"));
  if (map.if !== undefined) step.if = expectScalar(map.if, where.at("if"));
  if (map["timeout-minutes"] !== undefined) {
    step.timeoutMinutes = expectScalar(map["timeout-minutes"], where.at("timeout-minutes"));
  }
  if (map.uses !== undefined) {
    step.uses = expectString(map.uses, where.at("uses"));
    parseActionRef(step.uses, where.at("uses"));
    for (const key of ["shell", "working-directory"]) {
      if (map[key] !== undefined) where.at(key).fail(`${key} applies to run: steps only`, `remove ${key}`);
    }
  } else {
    if (map.with !== undefined) where.at("with").fail("with: applies to uses: steps only", "remove with:");
    step.run = expectScalar(map.run, where.at("run"));
    const shell = readShell(map.shell, where.at("shell"));
    if (shell !== undefined) step.shell = shell;
    if (map["working-directory"] !== undefined) {
      step.workingDirectory = expectScalar(map["working-directory"], where.at("working-directory"));
    }
  }
  return step;
}

function readEnvironment(value: unknown, where: Where): Job["environment"] {
  if (value === undefined) return undefined;
  if (typeof value === "string") return { name: value };
  const map = expectMap(value, where);
  checkKeys(map, where, ["name", "url"]);
  const environment: NonNullable<Job["environment"]> = { name: expectScalar(map.name, where.at("name")) };
  if (map.url !== undefined) environment.url = expectScalar(map.url, where.at("url"));
  return environment;
}

/**
 * A job container: only its image is kept. Whether this machine may stand for that image is the
 * caller's decision (RunWorkflowOptions.hostImages); the options (e.g. --privileged) are what a
 * runner passes to Docker and have no equivalent on the host.
 */
function readContainer(value: unknown, where: Where): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "string") return value;
  const map = expectMap(value, where);
  checkKeys(map, where, ["image", "options"], {
    env: "env of a job container",
    ports: "ports of a job container",
    volumes: "volumes of a job container",
    credentials: "credentials of a job container",
  });
  return expectString(map.image, where.at("image"));
}

function readSecrets(value: unknown, where: Where): Job["secrets"] {
  if (value === undefined || value === null) return undefined;
  if (value === "inherit") return "inherit";
  return scalarMap(value, where);
}

/**
 * The steps of a job that runs them: such a job takes no `with:` or `secrets:` (a caller's) and
 * needs runs-on and at least one step; step ids are unique within it.
 */
function readSteps(map: YamlMap, where: Where): Step[] {
  for (const key of ["with", "secrets"]) {
    if (map[key] !== undefined)
      where.at(key).fail(`${key} applies only to a job with uses:`, `remove ${key}`);
  }
  if (map["runs-on"] === undefined) where.fail("the job has no runs-on", "add runs-on: ubuntu-24.04");
  const steps: unknown = map.steps;
  if (!Array.isArray(steps) || steps.length === 0) {
    return where
      .at("steps")
      .fail("the job has no steps", "add steps, or call a reusable workflow with uses:");
  }
  const read = steps.map((step: unknown, index) => readStep(step, index, where.at("steps").at(index)));
  const ids = new Set<string>();
  for (const step of read) {
    if (step.id === undefined) continue;
    if (ids.has(step.id))
      where
        .at("steps")
        .at(step.index)
        .at("id")
        .fail(`duplicate step id ${step.id}`, "give each step its own id");
    ids.add(step.id);
  }
  return read;
}

export function readJob(id: string, value: unknown, where: Where): Job {
  if (!ID.test(id))
    where.fail(
      `invalid job id ${JSON.stringify(id)}`,
      "start with a letter or _, then letters, digits, - and _",
    );
  const map: YamlMap = expectMap(value, where);
  checkKeys(map, where, JOB_KEYS, UNSUPPORTED_JOB_KEYS);
  const job: Job = {
    id,
    needs: stringList(map.needs, where.at("needs")),
    env: scalarMap(map.env, where.at("env")),
    outputs: scalarMap(map.outputs, where.at("outputs")),
    defaults: readDefaults(map.defaults, where.at("defaults")),
    steps: [],
    with: scalarMap(map.with, where.at("with")),
  };
  if (map.name !== undefined) job.name = expectScalar(map.name, where.at("name"));
  if (map.if !== undefined) job.if = expectScalar(map.if, where.at("if"));
  if (map["runs-on"] !== undefined) job.runsOn = map["runs-on"];
  if (map["timeout-minutes"] !== undefined) {
    job.timeoutMinutes = expectScalar(map["timeout-minutes"], where.at("timeout-minutes"));
  }
  job.environment = readEnvironment(map.environment, where.at("environment"));
  job.permissions = readPermissions(map.permissions, where.at("permissions"));
  job.concurrency = readConcurrency(map.concurrency, where.at("concurrency"));
  job.secrets = readSecrets(map.secrets, where.at("secrets"));
  const container = readContainer(map.container, where.at("container"));
  if (container !== undefined) job.container = container;
  if (map.uses !== undefined) {
    job.uses = expectString(map.uses, where.at("uses"));
    parseReusableWorkflowRef(job.uses, where.at("uses"));
    for (const key of Object.keys(map)) {
      if (!CALLER_JOB_KEYS.includes(key)) {
        where.at(key).fail(`${key} is not allowed on a job that calls a reusable workflow`, `remove ${key}`);
      }
    }
    return job;
  }
  job.steps = readSteps(map, where);
  return job;
}
