/**
 * Runs `kube9-release` the way the README tells users to: the command linked by `npm run setup`
 * (node_modules/.bin/kube9-release, found on PATH), from a fresh folder outside any git
 * repository, with an environment of PATH and a fresh HOME only — no SOURCE_DATE_EPOCH, no AWS_*,
 * no test variables. Tests that are about one variable (the S3 commands document AWS_*) add it
 * explicitly with `extraEnv`.
 */
import { type ChildProcess, execFile, spawn, spawnSync } from "node:child_process";
import { accessSync, constants, mkdirSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { repoRoot } from "./tools.js";

/** Where `npm run setup` links the workspace's bin. */
export const linkedBin = join(repoRoot, "node_modules", ".bin", "kube9-release");

export interface UserRun {
  status: number;
  stdout: string;
  stderr: string;
}

export interface UserEnvironment {
  /** A fresh folder outside any git repository: the working directory of every run. */
  cwd: string;
  home: string;
  /** PATH (with node_modules/.bin first, as the README's `export PATH=...` does) and HOME. */
  env: Record<string, string>;
  /** Runs `kube9-release <args>` through PATH, asynchronously (stand-ins in this process keep answering). */
  run(args: string[], options?: { cwd?: string; extraEnv?: Record<string, string> }): Promise<UserRun>;
  /** Runs any program in the same environment. */
  exec(
    file: string,
    args: string[],
    options?: { cwd?: string; extraEnv?: Record<string, string> },
  ): Promise<UserRun>;
  /** Starts a long-running `kube9-release` (repo serve); `stop` sends SIGTERM and waits. */
  start(args: string[]): { child: ChildProcess; output: () => string; stop: () => Promise<void> };
  cleanup(): void;
}

/** Fails with the command that links the bin: the suite must not silently fall back to dist/. */
export function requireLinkedBin(): string {
  try {
    accessSync(linkedBin, constants.X_OK);
  } catch {
    throw new Error(
      `${linkedBin} is missing or not executable: run \`npm run setup -- --no-tools\` (npm test does it first)`,
    );
  }
  return linkedBin;
}

export function userEnvironment(label: string): UserEnvironment {
  const bin = requireLinkedBin();
  const root = realpathSync(mkdtempSync(join(tmpdir(), `kube9-user-${label}-`)));
  const cwd = join(root, "work");
  const home = join(root, "home");
  mkdirSync(cwd);
  mkdirSync(home);
  const inGit = spawnSync("git", ["rev-parse", "--show-toplevel"], { cwd, encoding: "utf8" });
  if (inGit.status === 0) {
    throw new Error(`${cwd} is inside the git repository ${inGit.stdout.trim()}; set TMPDIR elsewhere`);
  }
  const env = {
    PATH: [dirname(bin), process.env.PATH ?? ""].join(delimiter),
    HOME: home,
  };
  const exec: UserEnvironment["exec"] = (file, args, options = {}) =>
    new Promise((resolve) => {
      execFile(
        file,
        args,
        {
          cwd: options.cwd ?? cwd,
          env: { ...env, ...options.extraEnv },
          encoding: "utf8",
          maxBuffer: 64 * 1024 * 1024,
        },
        (error, stdout, stderr) => {
          const status = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
          resolve({ status, stdout, stderr });
        },
      );
    });
  return {
    cwd,
    home,
    env,
    exec,
    run: (args, options) => exec("kube9-release", args, options),
    start(args) {
      const child = spawn("kube9-release", args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
      let output = "";
      child.stdout?.on("data", (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.stderr?.on("data", (chunk: Buffer) => {
        output += chunk.toString();
      });
      return {
        child,
        output: () => output,
        stop: () =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once("exit", () => resolve());
            child.kill("SIGTERM");
          }),
      };
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** Starts `kube9-release repo serve <dir> --port 0 --json --quiet` and waits for its URL. */
export async function serveAsUser(
  user: UserEnvironment,
  dir: string,
): Promise<{ url: string; stop: () => Promise<void> }> {
  const served = user.start(["repo", "serve", dir, "--port", "0", "--json", "--quiet"]);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`repo serve did not start: ${served.output()}`)), 20_000);
    let stdout = "";
    served.child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      try {
        resolve((JSON.parse(stdout) as { url: string }).url);
        clearTimeout(timer);
      } catch {
        // Not the whole JSON document yet.
      }
    });
    served.child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`repo serve exited with ${code}: ${served.output()}`));
    });
  });
  return { url, stop: served.stop };
}
