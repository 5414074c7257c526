/**
 * Runs the compiled `kube9-release` exactly as users do (a separate process), and starts
 * `repo serve` for tests that need a served repository.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { cliPath } from "./tools.js";

export interface CliRun {
  /** The exit code, or -1 when a signal ended the process. */
  status: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  cwd: string;
  env?: Record<string, string | undefined>;
  uid?: number;
  gid?: number;
}

export function runRelease(args: string[], options: CliRunOptions): CliRun {
  const result = spawnSync(process.execPath, [cliPath, ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    encoding: "utf8",
    ...(options.uid === undefined ? {} : { uid: options.uid }),
    ...(options.gid === undefined ? {} : { gid: options.gid }),
  });
  if (result.error !== undefined) throw result.error;
  return { status: result.status ?? -1, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

export interface ServedRepository {
  url: string;
  stop(): Promise<void>;
}

/** Starts `kube9-release repo serve <dir> --port 0 --json` and waits for its address. */
export async function serveRepository(dir: string, cwd: string): Promise<ServedRepository> {
  const child: ChildProcess = spawn(
    process.execPath,
    [cliPath, "repo", "serve", dir, "--port", "0", "--json", "--quiet"],
    {
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stdout = "";
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`repo serve did not start in 20 s; stderr: ${stderr}`)),
      20_000,
    );
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      try {
        const parsed = JSON.parse(stdout) as { url: string };
        clearTimeout(timer);
        resolve(parsed.url);
      } catch {
        // Not the whole JSON document yet.
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`repo serve exited with ${code}; stderr: ${stderr}`));
    });
  });
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/**
 * Starts `kube9-release` without waiting, for tests that run several at once or must kill one
 * mid-run; `done` resolves when it exits. `status` is -1 when it was killed by a signal.
 */
export function startRelease(
  args: string[],
  options: CliRunOptions,
): { child: ChildProcess; done: Promise<CliRun> } {
  const child = spawn(process.execPath, [cliPath, ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const done = new Promise<CliRun>((resolve) => {
    child.once("close", (code, signal) => resolve({ status: code ?? -1, signal, stdout, stderr }));
  });
  return { child, done };
}

export function runReleaseAsync(args: string[], options: CliRunOptions): Promise<CliRun> {
  return startRelease(args, options).done;
}
