/** Reading the repository's GitHub Actions workflows for contract tests, and linting them. */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import { repoRoot, toolPath } from "./tools.js";

export interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  "working-directory"?: string;
}

export interface Job {
  needs?: string | string[];
  environment?: unknown;
  if?: string;
  permissions?: Record<string, string>;
  env?: Record<string, string>;
  steps: Step[];
}

export interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  concurrency?: { group: string; "cancel-in-progress"?: boolean };
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

/** A GitHub Actions expression as written in the YAML (built so that this file holds none). */
export const gha = (inner: string): string => ["$", "{{ ", inner, " }}"].join("");

export function workflowPath(name: string): string {
  return join(repoRoot, ".github", "workflows", name);
}

/** A workflow's text and its parsed document. */
export function loadWorkflow(name: string): { text: string; doc: Workflow } {
  const text = readFileSync(workflowPath(name), "utf8");
  return { text, doc: yaml.load(text) as Workflow };
}

/** Runs the pinned actionlint on workflow files; its findings come back as one text. */
export function actionlint(...names: string[]): { status: number | null; output: string } {
  const result = spawnSync(toolPath("actionlint"), ["-no-color", ...names.map(workflowPath)], {
    cwd: repoRoot,
    encoding: "utf8",
  });
  return { status: result.status, output: result.stdout + result.stderr };
}
