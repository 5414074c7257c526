/** Runs git for the commit time of the chart (the default SOURCE_DATE_EPOCH). */
import { execFile } from "node:child_process";

export interface GitResult {
  ok: boolean;
  stdout: string;
}

/**
 * Never rejects: a git that is missing, fails, or cannot start in `cwd` is `ok: false`, and the
 * caller falls back. (Node throws a working directory that is a file, ENOTDIR, synchronously.)
 */
export function runGit(args: string[], cwd: string): Promise<GitResult> {
  return new Promise((resolve) => {
    try {
      execFile("git", args, { cwd, encoding: "utf8" }, (error, stdout) => {
        resolve({ ok: error === null, stdout: typeof stdout === "string" ? stdout : "" });
      });
    } catch {
      resolve({ ok: false, stdout: "" });
    }
  });
}
