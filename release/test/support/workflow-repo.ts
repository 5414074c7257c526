/** A temporary repository holding fixture workflows under .github/workflows, for the workflow runner tests. */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunWorkflowOptions } from "../../src/rehearse/workflow/run-options.js";

export const workflowFixtures = join(import.meta.dirname, "..", "testdata", "workflows");

export interface WorkflowRepo {
  root: string;
  runnerTemp: string;
  /** Options for runWorkflow with a clean base environment; override what a test needs. */
  options(workflow: string, overrides?: Partial<RunWorkflowOptions>): RunWorkflowOptions;
  remove(): void;
}

export function workflowRepo(...fixtures: string[]): WorkflowRepo {
  const dir = mkdtempSync(join(tmpdir(), "kube9-workflow-"));
  const root = join(dir, "repo");
  const workflows = join(root, ".github", "workflows");
  mkdirSync(workflows, { recursive: true });
  for (const fixture of fixtures) copyFileSync(join(workflowFixtures, fixture), join(workflows, fixture));
  const runnerTemp = join(dir, "runner");
  return {
    root,
    runnerTemp,
    options: (workflow, overrides = {}) => ({
      workflow: `.github/workflows/${workflow}`,
      repositoryRoot: root,
      event: { name: "release", payload: { release: { tag_name: "v1.2.0" } } },
      github: { repository: "example/project", sha: "1".repeat(40), ref: "refs/tags/v1.2.0" },
      baseEnv: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir },
      actions: {},
      runnerTemp,
      ...overrides,
    }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
