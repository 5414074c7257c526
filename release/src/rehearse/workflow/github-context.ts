/**
 * The `github` and `runner` contexts and the variables the Actions runner sets for every step
 * (CI, GITHUB_*, RUNNER_*). A called workflow sees its caller's event, as on GitHub.
 */
import type { GitHubFacts, WorkflowEvent } from "./run-options.js";

export interface RunFacts {
  facts: GitHubFacts;
  event: WorkflowEvent;
  /** The file holding the event payload as JSON. */
  eventPath: string;
  /** `github.workflow`: the name of the top workflow (its path when unnamed). */
  workflowName: string;
  /** `.github/workflows/<file>@<ref>`, relative to the repository. */
  workflowRef: string;
  token: string;
  /** Values that `::add-mask::` asked to hide in every later log line of the run. */
  masks: string[];
}

function refParts(ref: string): { name: string; type: string } {
  if (ref.startsWith("refs/tags/")) return { name: ref.slice("refs/tags/".length), type: "tag" };
  if (ref.startsWith("refs/heads/")) return { name: ref.slice("refs/heads/".length), type: "branch" };
  return { name: ref, type: "" };
}

export function githubContext(run: RunFacts, jobId: string, workspace: string): Record<string, unknown> {
  const { facts } = run;
  const ref = refParts(facts.ref);
  return {
    event_name: run.event.name,
    event: run.event.payload,
    event_path: run.eventPath,
    ref: facts.ref,
    ref_name: ref.name,
    ref_type: ref.type,
    sha: facts.sha,
    repository: facts.repository,
    repository_owner: facts.repository.split("/")[0] ?? "",
    server_url: facts.serverUrl ?? "https://github.com",
    api_url: facts.apiUrl ?? "https://api.github.com",
    graphql_url: `${facts.apiUrl ?? "https://api.github.com"}/graphql`,
    run_id: facts.runId ?? "1",
    run_number: facts.runNumber ?? "1",
    run_attempt: "1",
    actor: facts.actor ?? "rehearsal",
    triggering_actor: facts.actor ?? "rehearsal",
    workflow: run.workflowName,
    workflow_ref: `${facts.repository}/${run.workflowRef}`,
    job: jobId,
    workspace,
    token: run.token,
    base_ref: "",
    head_ref: "",
  };
}

export function runnerContext(os: string, arch: string, temp: string): Record<string, unknown> {
  return { os, arch, temp, name: "rehearsal", environment: "self-hosted", debug: "" };
}

export interface StepFiles {
  output: string;
  env: string;
  path: string;
  summary: string;
  state: string;
}

/** The variables the runner sets for a step; they win over workflow, job and step env. */
export function runnerVariables(
  github: Record<string, unknown>,
  runner: Record<string, unknown>,
  files: StepFiles,
  action: string,
): Record<string, string> {
  const text = (key: string) => String(github[key] ?? "");
  return {
    CI: "true",
    GITHUB_ACTIONS: "true",
    GITHUB_ACTION: action,
    GITHUB_ACTOR: text("actor"),
    GITHUB_API_URL: text("api_url"),
    GITHUB_BASE_REF: text("base_ref"),
    GITHUB_ENV: files.env,
    GITHUB_EVENT_NAME: text("event_name"),
    GITHUB_EVENT_PATH: text("event_path"),
    GITHUB_GRAPHQL_URL: text("graphql_url"),
    GITHUB_HEAD_REF: text("head_ref"),
    GITHUB_JOB: text("job"),
    GITHUB_OUTPUT: files.output,
    GITHUB_PATH: files.path,
    GITHUB_REF: text("ref"),
    GITHUB_REF_NAME: text("ref_name"),
    GITHUB_REF_TYPE: text("ref_type"),
    GITHUB_REPOSITORY: text("repository"),
    GITHUB_REPOSITORY_OWNER: text("repository_owner"),
    GITHUB_RUN_ATTEMPT: text("run_attempt"),
    GITHUB_RUN_ID: text("run_id"),
    GITHUB_RUN_NUMBER: text("run_number"),
    GITHUB_SERVER_URL: text("server_url"),
    GITHUB_SHA: text("sha"),
    GITHUB_STATE: files.state,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_TRIGGERING_ACTOR: text("triggering_actor"),
    GITHUB_WORKFLOW: text("workflow"),
    GITHUB_WORKFLOW_REF: text("workflow_ref"),
    GITHUB_WORKSPACE: text("workspace"),
    RUNNER_ARCH: String(runner.arch),
    RUNNER_ENVIRONMENT: String(runner.environment),
    RUNNER_NAME: String(runner.name),
    RUNNER_OS: String(runner.os),
    RUNNER_TEMP: String(runner.temp),
  };
}
