/** Runs git for the commit time of the chart (the default SOURCE_DATE_EPOCH). */
import { execFile } from "node:child_process";

export interface GitResult {
  ok: boolean;
  stdout: string;
}

export function runGit(args: string[], cwd: string): Promise<GitResult> {
  return new Promise((resolve) => {
    execFile("git", args, { cwd, encoding: "utf8" }, (error, stdout) => {
      resolve({ ok: error === null, stdout: typeof stdout === "string" ? stdout : "" });
    });
  });
}
