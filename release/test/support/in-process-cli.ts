/**
 * Runs `kube9-release` in-process with an injected context: exit code, stdout and stderr, with
 * no child process and no global patches. A fixed clock keeps the output comparable.
 */
import type { CliContext } from "../../src/cli/context.js";
import { runCli } from "../../src/cli/run.js";

export interface InProcessRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runInProcess(
  argv: string[],
  options: { env?: Record<string, string | undefined>; cwd: string },
): Promise<InProcessRun> {
  let stdout = "";
  let stderr = "";
  const context: CliContext = {
    argv,
    env: options.env ?? {},
    cwd: options.cwd,
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    now: () => new Date("2026-01-01T00:00:00Z"),
    untilInterrupted: () => Promise.resolve(),
  };
  return { code: await runCli(context, "9.9.9"), stdout, stderr };
}
