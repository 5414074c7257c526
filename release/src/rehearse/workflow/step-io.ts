/**
 * The files of one step (`$GITHUB_OUTPUT`, `$GITHUB_ENV`, `$GITHUB_PATH`, `$GITHUB_STEP_SUMMARY`,
 * `$GITHUB_STATE`), created empty before it runs and applied to the job after it ran, and the
 * environment a `run:` step gets.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CommandFileError, parseKeyValueFile, parsePathFile } from "./command-files.js";
import type { StepFiles } from "./github-context.js";
import type { JobState } from "./job-state.js";

export async function createStepFiles(state: JobState): Promise<StepFiles> {
  const folder = join(state.runnerTemp, "_runner_file_commands");
  await mkdir(folder, { recursive: true });
  const n = ++state.fileCounter;
  const files: StepFiles = {
    output: join(folder, `set_output_${n}`),
    env: join(folder, `set_env_${n}`),
    path: join(folder, `add_path_${n}`),
    summary: join(folder, `step_summary_${n}`),
    state: join(folder, `save_state_${n}`),
  };
  await Promise.all(Object.values(files).map((file) => writeFile(file, "")));
  return files;
}

/** Variables the runner refuses to take from `$GITHUB_ENV` (they would change how node runs actions). */
const BLOCKED_ENV = new Set(["NODE_OPTIONS"]);

export interface AppliedFiles {
  outputs: Record<string, string>;
  summary: string;
}

/**
 * Reads what the step wrote: outputs for the step, env and path for later steps, the summary for
 * the job. A malformed file fails the step (CommandFileError), as on a runner.
 */
export async function applyStepFiles(state: JobState, files: StepFiles): Promise<AppliedFiles> {
  const [output, env, path, summary] = await Promise.all(
    [files.output, files.env, files.path, files.summary].map((file) => readFile(file, "utf8")),
  );
  const outputs: Record<string, string> = {};
  for (const [name, value] of parseKeyValueFile(output ?? "", "$GITHUB_OUTPUT")) outputs[name] = value;
  const envPairs = parseKeyValueFile(env ?? "", "$GITHUB_ENV");
  for (const [name] of envPairs) {
    if (BLOCKED_ENV.has(name.toUpperCase())) {
      throw new CommandFileError(
        `$GITHUB_ENV: ${name} cannot be set through $GITHUB_ENV (the runner refuses it)`,
      );
    }
  }
  for (const [name, value] of envPairs) state.env[name] = value;
  addPath(state, parsePathFile(path ?? ""));
  return { outputs, summary: summary ?? "" };
}

export function addPath(state: JobState, directories: readonly string[]): void {
  for (const directory of directories) {
    state.path = [directory, ...state.path.filter((existing) => existing !== directory)];
  }
}

/**
 * A step's process environment: the base env, the job env, the step env, then the runner's own
 * variables (which win), with `$GITHUB_PATH` directories in front of PATH.
 */
export function processEnv(
  state: JobState,
  stepEnv: Record<string, string>,
  runnerVariables: Record<string, string>,
): Record<string, string> {
  const env = {
    ...state.options.baseEnv,
    ...state.env,
    ...stepEnv,
    ...runnerVariables,
  };
  if (state.path.length > 0) {
    env.PATH = [...state.path, ...(env.PATH === undefined || env.PATH === "" ? [] : [env.PATH])].join(":");
  }
  return env;
}
