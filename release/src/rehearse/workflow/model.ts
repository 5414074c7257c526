/**
 * A workflow file as typed data: what the loader accepts and the runner executes. Values that may
 * hold `${{ }}` are kept as written (`unknown`: a string template, or a YAML scalar) and are
 * evaluated where and when GitHub evaluates them.
 */

export type InputType = "string" | "boolean" | "number" | "choice" | "environment";

export interface WorkflowInput {
  description?: string;
  required: boolean;
  type: InputType;
  default?: unknown;
  /** The allowed values of a `choice` input. */
  options?: string[];
}

export interface WorkflowCallOutput {
  description?: string;
  /** An expression over the `jobs` context, e.g. `${{ jobs.build.outputs.digest }}`. */
  value: unknown;
}

export interface WorkflowSecret {
  description?: string;
  required: boolean;
}

export interface Triggers {
  /** Every event the workflow lists under `on:`. */
  events: string[];
  release?: { types?: string[] };
  workflowDispatch?: { inputs: Record<string, WorkflowInput> };
  workflowCall?: {
    inputs: Record<string, WorkflowInput>;
    outputs: Record<string, WorkflowCallOutput>;
    secrets: Record<string, WorkflowSecret>;
  };
}

export interface Concurrency {
  group: unknown;
  cancelInProgress: unknown;
}

/** `permissions:` as written: `read-all`, `write-all`, or scope → access. */
export type Permissions = string | Record<string, string>;

export interface RunDefaults {
  shell?: "bash";
  workingDirectory?: unknown;
}

export interface Step {
  /** Position in the job (0-based): steps without an id are reported by it. */
  index: number;
  id?: string;
  name?: unknown;
  if?: unknown;
  uses?: string;
  with: Record<string, unknown>;
  run?: unknown;
  /** `undefined`: the runner's default bash (`bash -e`); `bash`: `bash --noprofile --norc -eo pipefail`. */
  shell?: "bash";
  env: Record<string, unknown>;
  workingDirectory?: unknown;
  continueOnError: unknown;
  timeoutMinutes?: unknown;
}

export interface Job {
  id: string;
  name?: unknown;
  needs: string[];
  if?: unknown;
  runsOn?: unknown;
  environment?: { name: unknown; url?: unknown };
  permissions?: Permissions;
  env: Record<string, unknown>;
  outputs: Record<string, unknown>;
  defaults: RunDefaults;
  steps: Step[];
  /** A reusable workflow in this repository, `./.github/workflows/<file>.yml`. */
  uses?: string;
  with: Record<string, unknown>;
  secrets?: "inherit" | Record<string, unknown>;
  timeoutMinutes?: unknown;
  concurrency?: Concurrency;
  /** The image of a job container; its steps run on the host when the caller says it stands for it. */
  container?: string;
}

export interface Workflow {
  /** The file it was read from (as given to the loader). */
  file: string;
  name?: string;
  runName?: unknown;
  on: Triggers;
  env: Record<string, unknown>;
  permissions?: Permissions;
  concurrency?: Concurrency;
  defaults: RunDefaults;
  /** In file order; the runner orders them by `needs:`. */
  jobs: Job[];
}
