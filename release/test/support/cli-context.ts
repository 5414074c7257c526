/**
 * A CliContext for calling a command's request function or plain function directly: nothing is
 * printed, the clock is fixed, and an interrupt comes at once.
 */
import type { CliContext } from "../../src/cli/context.js";

export const FIXED_NOW = new Date("2026-01-01T00:00:00Z");

export function cliContext(cwd: string, env: Record<string, string | undefined> = {}): CliContext {
  return {
    argv: [],
    env,
    cwd,
    stdout: () => undefined,
    stderr: () => undefined,
    now: () => FIXED_NOW,
    untilInterrupted: () => Promise.resolve(),
  };
}
