import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { artifactActions } from "../../src/rehearse/workflow/artifact-actions.js";
import { renderReport } from "../../src/rehearse/workflow/render-report.js";
import type { JobResult, WorkflowResult } from "../../src/rehearse/workflow/result.js";
import { runWorkflow } from "../../src/rehearse/workflow/run-workflow.js";
import { type WorkflowRepo, workflowRepo } from "../support/workflow-repo.js";

let repo: WorkflowRepo | undefined;

afterEach(() => {
  repo?.remove();
  repo = undefined;
});

function job(result: WorkflowResult, id: string): JobResult {
  const found = result.jobs.find((candidate) => candidate.id === id);
  if (found === undefined) throw new Error(`no job ${id}`);
  return found;
}

function step(result: JobResult, id: string) {
  const found = result.steps.find((candidate) => candidate.id === id);
  if (found === undefined) throw new Error(`no step ${id} in job ${result.id}`);
  return found;
}

describe("artifactActions", () => {
  it("carries files between jobs as upload-artifact and download-artifact v4 do", async () => {
    repo = workflowRepo("artifacts.yml");
    const actions = artifactActions(join(repo.runnerTemp, "..", "artifacts"));
    const result = await runWorkflow(repo.options("artifacts.yml", { actions }));
    expect(result.status, renderReport(result)).toBe("success");
    const build = job(result, "build");
    expect(step(build, "single").outputs["artifact-id"]).toBe("report");
    expect(step(build, "again")).toMatchObject({
      outcome: "failure",
      failure:
        "actions/upload-artifact: an artifact named dist was already uploaded in this run (set overwrite: true to replace it)",
    });
    expect(step(build, "missing")).toMatchObject({
      outcome: "failure",
      failure:
        "actions/upload-artifact: no files were found with the provided path: no-such-folder. No artifacts will be uploaded.",
    });
    const use = job(result, "use");
    expect(step(use, "dist").outputs["download-path"]).toMatch(/\/got$/);
    // The folder is the artifact's root; hidden files are left out; modes are not kept.
    expect(step(use, "look").outputs).toEqual({
      files: "./a.txt ./sub/b.txt ./tool.sh ",
      report: "report",
      executable: "no",
    });
    expect(step(use, "unknown")).toMatchObject({
      outcome: "failure",
      failure:
        "actions/download-artifact: Unable to download artifact(s): Artifact not found for name: nothing-by-this-name",
    });
  });
});
