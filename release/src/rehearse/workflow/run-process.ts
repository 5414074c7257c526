/**
 * Runs one script with bash in its own process group, streaming its output line by line. A
 * timeout or a cancellation stops the whole group (SIGTERM, then SIGKILL after a grace period),
 * so a step cannot leave a build running. Processes a step started in the background may outlive
 * it, as on a runner; the job stops them at its end (`killGroup`).
 */
import { spawn } from "node:child_process";

export interface ProcessRun {
  bash: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** Milliseconds before the group is stopped. */
  timeoutMs: number;
  signal?: AbortSignal;
  onLine: (line: string) => void;
}

export interface ProcessOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  cancelled: boolean;
  /** The process group id, for stopping leftover background processes later. */
  group: number | undefined;
  /** Set when bash could not be started at all. */
  spawnError?: string;
}

const GRACE_MS = 5_000;
/** How long output may still arrive after bash exited (background children keep the pipes open). */
const DRAIN_MS = 500;

/** setTimeout fires at once for delays past 2^31-1 ms (about 24 days): cap them there. */
export function timerDelay(ms: number): number {
  return Math.min(Math.max(ms, 0), 2 ** 31 - 1);
}

export function killGroup(group: number | undefined, signal: NodeJS.Signals): void {
  if (group === undefined) return;
  try {
    process.kill(-group, signal);
  } catch {
    // ESRCH: the group is gone already.
  }
}

export function runProcess(run: ProcessRun): Promise<ProcessOutcome> {
  return new Promise((resolve) => {
    const child = spawn(run.bash, run.args, {
      cwd: run.cwd,
      env: run.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const group = child.pid;
    let timedOut = false;
    let cancelled = false;
    let settled = false;
    const partial = { stdout: "", stderr: "" };
    const take = (stream: keyof typeof partial) => (text: string) => {
      const lines = (partial[stream] + text).split("\n");
      partial[stream] = lines.pop() ?? "";
      for (const line of lines) run.onLine(line.replace(/\r$/, ""));
    };
    child.stdout.setEncoding("utf8").on("data", take("stdout"));
    child.stderr.setEncoding("utf8").on("data", take("stderr"));
    const stop = () => {
      killGroup(group, "SIGTERM");
      setTimeout(() => killGroup(group, "SIGKILL"), GRACE_MS).unref();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, timerDelay(run.timeoutMs));
    const onAbort = () => {
      cancelled = true;
      stop();
    };
    run.signal?.addEventListener("abort", onAbort, { once: true });
    if (run.signal?.aborted) onAbort();
    const finish = (outcome: Omit<ProcessOutcome, "timedOut" | "cancelled" | "group">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      run.signal?.removeEventListener("abort", onAbort);
      for (const rest of [partial.stdout, partial.stderr]) if (rest !== "") run.onLine(rest);
      partial.stdout = "";
      partial.stderr = "";
      resolve({ ...outcome, timedOut, cancelled, group });
    };
    child.on("error", (error) => finish({ exitCode: null, signal: null, spawnError: error.message }));
    child.on("exit", (exitCode, signal) => {
      const drained = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish({ exitCode, signal });
      }, DRAIN_MS);
      child.on("close", () => {
        clearTimeout(drained);
        finish({ exitCode, signal });
      });
    });
  });
}
