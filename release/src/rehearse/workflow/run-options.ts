/**
 * What a caller gives runWorkflow: the workflow, the event, the values GitHub would provide
 * (vars, secrets, repository facts), the environment of the "runner machine", the local
 * equivalents of actions, and where jobs get their workspace. The engine reads nothing else
 * from the outside world (no process.env, no wall clock unless given).
 */
import type { JobResult, StepResult, WorkflowResult } from "./result.js";

export interface WorkflowEvent {
  /** `release`, `workflow_dispatch`, `push`... */
  name: string;
  /** The webhook payload: `github.event` and the file `$GITHUB_EVENT_PATH`. */
  payload: Record<string, unknown>;
  /** workflow_dispatch inputs, as the dispatch form sends them (strings or booleans). */
  inputs?: Record<string, unknown>;
}

/** Repository facts of the `github` context; defaults say what is used when absent. */
export interface GitHubFacts {
  /** `owner/name`. */
  repository: string;
  /** The commit the run is for (`github.sha`). */
  sha: string;
  /** `refs/tags/v1.2.3`, `refs/heads/main`... */
  ref: string;
  /** Default `rehearsal`. */
  actor?: string;
  /** Default `https://github.com`. */
  serverUrl?: string;
  /** Default `https://api.github.com`. */
  apiUrl?: string;
  /** Default `1`. */
  runId?: string;
  /** Default `1`. */
  runNumber?: string;
}

/** What an action's local equivalent gets besides its `with:` inputs. */
export interface ActionContext {
  workflowFile: string;
  jobId: string;
  /** The step's id, or its position (`#3`). */
  step: string;
  workspace: string;
  runnerTemp: string;
  /** The step's environment, as a `run:` step would get it. */
  env: Readonly<Record<string, string>>;
  /** The `github` context. */
  github: Readonly<Record<string, unknown>>;
  /** One line of the step's log. */
  log: (line: string) => void;
  /** Aborted when the step times out or the run is cancelled. */
  signal: AbortSignal;
}

export interface ActionOutcome {
  outputs?: Record<string, string>;
  /** Variables for later steps, as if written to `$GITHUB_ENV`. */
  env?: Record<string, string>;
  /** Directories for PATH of later steps, as if written to `$GITHUB_PATH`. */
  path?: string[];
  /** Markdown appended to the job summary. */
  summary?: string;
}

/** The local equivalent of an action: throwing fails the step with the error's message. */
export type LocalAction = (inputs: Record<string, string>, context: ActionContext) => Promise<ActionOutcome>;

/** Keyed by `owner/repo[/path]` (the `@sha` is checked by the loader), or `./path` for local actions. */
export type ActionMap = Readonly<Record<string, LocalAction>>;

export interface JobIdentity {
  workflowFile: string;
  jobId: string;
  /** Ids of the calling jobs, outermost first (empty for a job of the top workflow). */
  callers: string[];
}

export interface RunProgress {
  jobStarted?: (job: JobIdentity, name: string) => void;
  jobFinished?: (job: JobIdentity, result: JobResult) => void;
  stepStarted?: (job: JobIdentity, step: string) => void;
  stepFinished?: (job: JobIdentity, result: StepResult) => void;
  /** One output line of a step, prefixed `job/step | `. */
  line?: (text: string) => void;
  workflowFinished?: (result: WorkflowResult) => void;
}

export interface RunWorkflowOptions {
  /** The workflow file to run (absolute, or relative to repositoryRoot). */
  workflow: string;
  /** The repository that `./.github/workflows/...` and `./` actions resolve against. */
  repositoryRoot: string;
  event: WorkflowEvent;
  github: GitHubFacts;
  vars?: Record<string, string>;
  /** Secrets; `GITHUB_TOKEN` is also `github.token`. */
  secrets?: Record<string, string>;
  /**
   * Secrets of deployment environments, by environment name: a job with `environment: <name>`
   * reads them besides the workflow's, also in a called workflow (nothing passes them), as
   * GitHub's environment secrets.
   */
  environmentSecrets?: Record<string, Record<string, string>>;
  /** The environment every step starts from (the caller decides; a rehearsal passes a clean one). */
  baseEnv: Record<string, string>;
  actions: ActionMap;
  /** Where the caller's ActionMap is defined, named in the fix of an unmapped action. */
  actionMapSource?: string;
  /** A fresh folder per job; default: a new folder under runnerTemp. */
  workspace?: (job: JobIdentity) => Promise<string>;
  /** Root of the per-job RUNNER_TEMP folders and the step files. */
  runnerTemp: string;
  /** Default: the system clock. */
  now?: () => Date;
  progress?: RunProgress;
  /** Lines kept per step for the report (default 30). */
  logTailLines?: number;
  /** Cancels the run: the running step is stopped, the rest is skipped unless its if: says always(). */
  signal?: AbortSignal;
  /** `runner.os` / `runner.arch` (default Linux and the arch of this machine). */
  runner?: { os: string; arch: string };
  /** The bash binary (default `bash` on the PATH of baseEnv). */
  bash?: string;
  /**
   * Job container images this machine stands for (its steps then run on the host, e.g. a Debian 12
   * host for `debian:bookworm`). A job whose container matches none fails. Default: none.
   */
  hostImages?: readonly RegExp[];
}
