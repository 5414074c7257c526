/**
 * GitHub Actions step outputs: appended to the file named by $GITHUB_OUTPUT. Values with line
 * breaks use the `name<<DELIMITER` form with a random delimiter, so a value can never close the
 * block early and inject other outputs.
 */
import { randomBytes } from "node:crypto";
import { appendFileSync } from "node:fs";
import { ReleaseError } from "../errors.js";

export function formatGithubOutput(name: string, value: string, delimiter = randomDelimiter()): string {
  if (!value.includes("\n") && !value.includes("\r")) return `${name}=${value}\n`;
  if (value.includes(delimiter)) throw new Error("output delimiter collides with the value");
  return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
}

function randomDelimiter(): string {
  return `ghadelimiter_${randomBytes(16).toString("hex")}`;
}

/** Appends outputs to $GITHUB_OUTPUT from the injected environment. */
/** The file --github-output appends to; refused (a usage error) when GITHUB_OUTPUT is not set. */
export function githubOutputPath(env: Record<string, string | undefined>): string {
  const path = env.GITHUB_OUTPUT;
  if (path === undefined || path === "") {
    throw new ReleaseError("USAGE", "--github-output needs the GITHUB_OUTPUT environment variable", {
      field: "--github-output",
      fix: "run inside GitHub Actions, or set GITHUB_OUTPUT to a file path",
    });
  }
  return path;
}

export function writeGithubOutputs(
  env: Record<string, string | undefined>,
  outputs: Record<string, string>,
): string {
  const path = githubOutputPath(env);
  const text = Object.entries(outputs)
    .map(([name, value]) => formatGithubOutput(name, value))
    .join("");
  appendFileSync(path, text);
  return path;
}
