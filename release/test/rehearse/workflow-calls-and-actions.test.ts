import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { checkActionsMapped, listActionUses } from "../../src/rehearse/workflow/list-uses.js";
import { renderReport } from "../../src/rehearse/workflow/render-report.js";
import {
  assertWorkflowSucceeded,
  type JobResult,
  type WorkflowResult,
} from "../../src/rehearse/workflow/result.js";
import type { ActionContext, ActionMap } from "../../src/rehearse/workflow/run-options.js";
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

function dispatch(inputs: Record<string, unknown>) {
  return { name: "workflow_dispatch", payload: {}, inputs };
}

const secrets = {
  GITHUB_TOKEN: "gh-token-value",
  REGISTRY_TOKEN: "registry-secret-value",
  token: "inherited-token-value",
};

describe("reusable workflows", () => {
  it("gives a job in a deployment environment that environment's secrets, also in a called workflow, masked", async () => {
    repo = workflowRepo("env-secrets-caller.yml", "env-secrets-called.yml");
    const lines: string[] = [];
    const result = await runWorkflow(
      repo.options("env-secrets-caller.yml", {
        event: dispatch({}),
        secrets: { GITHUB_TOKEN: "gh-token-value" },
        environmentSecrets: { release: { SIGNING_KEY: "environment-secret-value" } },
        progress: { line: (text) => lines.push(text) },
      }),
    );
    expect(result.status, renderReport(result)).toBe("success");
    // A job outside the environment does not see it; the one in it does, and its log hides it.
    expect(job(result, "plain").outputs).toEqual({ seen: "[]" });
    expect(job(result, "call").outputs).toEqual({ length: String("environment-secret-value".length) });
    expect(lines.join("\n")).toContain("the key is ***");
    expect(lines.join("\n")).not.toContain("environment-secret-value");
  });

  it("runs the called workflow's jobs with typed inputs, secrets and the caller's event, and maps its outputs", async () => {
    repo = workflowRepo("caller.yml", "called.yml");
    const lines: string[] = [];
    const result = await runWorkflow(
      repo.options("caller.yml", {
        event: dispatch({ tag: "v2.0.0" }),
        secrets,
        progress: { line: (text) => lines.push(text) },
      }),
    );
    expect(result.status, renderReport(result)).toBe("success");
    const image = job(result, "image");
    expect(image.called?.file).toBe(".github/workflows/called.yml");
    expect(image.called?.jobs.map((j) => [j.id, j.status])).toEqual([["build", "success"]]);
    expect(image.called?.jobs[0]?.steps.map((s) => s.status)).toEqual(["success", "skipped"]);
    // Defaults applied (count 2, fail false); the called workflow sees the caller's event.
    expect(image.outputs).toEqual({
      digest: "built-2.0.0-x2",
      seen: "workflow_dispatch/false/false/workflow_dispatch/build",
    });
    const chart = job(result, "chart");
    expect(chart.outputs).toEqual({
      digest: "built-built-2.0.0-x2-x5",
      seen: "workflow_dispatch/false/true/workflow_dispatch/build",
    });
    expect(job(result, "report").steps[0]?.outputs).toEqual({
      image: "built-2.0.0-x2",
      chart: "built-built-2.0.0-x2-x5",
      seen: "workflow_dispatch/false/true/workflow_dispatch/build",
    });
    // Explicit secrets pass only what is named; inherit passes the caller's; both are masked in logs.
    expect(lines).toContain("image/build/build | token is ***");
    expect(lines).toContain("chart/build/build | token is ***");
    expect(lines.join("\n")).not.toMatch(/secret-value|token-value/);
    // A job output holding a secret is dropped, as the runner does.
    expect(image.called?.jobs[0]?.outputs).toEqual({ digest: "built-2.0.0-x2", seen: expect.any(String) });
    expect(lines).toContain("image/build | Skip output 'leak' since it may contain secret.");
    expect(renderReport(result)).toMatch(
      /\n {2}success\s+job image .*\n {4}success\s+workflow called \(\.github\/workflows\/called\.yml\).*\n {6}success\s+job build /,
    );
  });

  it("fails the calling job when a called job fails, and skips what needs it", async () => {
    repo = workflowRepo("caller.yml", "called.yml");
    const result = await runWorkflow(
      repo.options("caller.yml", { event: dispatch({ tag: "v2.0.0", fail: "true" }), secrets }),
    );
    const image = job(result, "image");
    expect(image.status).toBe("failure");
    expect(image.failure).toBe(
      '.github/workflows/called.yml: job build failed: step "Run echo "failing as asked"" failed: exit code 1',
    );
    expect(job(result, "chart").status).toBe("skipped");
    expect(job(result, "report").status).toBe("skipped");
    expect(result.status).toBe("failure");
    expect(() => assertWorkflowSucceeded(result)).toThrow(
      'job image/build failed: step "Run echo "failing as asked"" failed: exit code 1\n  | failing as asked',
    );
  });

  it.each([
    [{}, "the required input tag is not given", "on.workflow_dispatch.inputs.tag"],
    [
      { tag: "v1", fail: "maybe" },
      'input fail is a boolean input but was given string "maybe"',
      "on.workflow_dispatch.inputs.fail",
    ],
    [
      { tag: "v1", extra: "x" },
      "input extra is not declared by the workflow",
      "on.workflow_dispatch.inputs.extra",
    ],
  ])("refuses dispatch inputs %j", async (inputs, message, field) => {
    repo = workflowRepo("caller.yml", "called.yml");
    await expect(
      runWorkflow(repo.options("caller.yml", { event: dispatch(inputs), secrets })),
    ).rejects.toMatchObject({
      code: "WORKFLOW_INVALID",
      file: ".github/workflows/caller.yml",
      field,
      message,
    });
  });

  it("refuses a call without a required secret, naming the calling job", async () => {
    repo = workflowRepo("caller.yml", "called.yml");
    const { REGISTRY_TOKEN: _dropped, ...rest } = secrets;
    await expect(
      runWorkflow(repo.options("caller.yml", { event: dispatch({ tag: "v2.0.0" }), secrets: rest })),
    ).rejects.toMatchObject({
      code: "WORKFLOW_INVALID",
      file: ".github/workflows/caller.yml",
      field: "jobs.image.secrets.token",
      message: "the required secret token is not passed",
    });
  });
});

const SETUP = "example/setup-tool";

function setupTool(calls: Array<{ inputs: Record<string, string>; context: ActionContext }>): ActionMap {
  return {
    [SETUP]: async (inputs, context) => {
      calls.push({ inputs, context });
      context.log(`installing ${inputs.version}`);
      const bin = join(context.runnerTemp, "tool-bin");
      const { mkdir, writeFile } = await import("node:fs/promises");
      await mkdir(bin, { recursive: true });
      await writeFile(join(bin, "example-tool"), "#!/bin/sh\necho tool-ran\n", { mode: 0o755 });
      return {
        outputs: { installed: inputs.version ?? "" },
        env: { TOOL_HOME: bin },
        path: [bin],
        summary: "tool set up\n",
      };
    },
    "example/monorepo/actions/report": async (inputs, context) => {
      if (!existsSync(context.env.GITHUB_OUTPUT ?? "")) throw new Error("no GITHUB_OUTPUT file");
      return { outputs: { said: `${inputs.message} from ${context.jobId}/${context.step}` } };
    },
  };
}

describe("actions through the ActionMap", () => {
  it("calls the local equivalent with evaluated inputs and applies its outputs, env, path and summary", async () => {
    repo = workflowRepo("actions.yml");
    const calls: Array<{ inputs: Record<string, string>; context: ActionContext }> = [];
    const result = await runWorkflow(repo.options("actions.yml", { actions: setupTool(calls) }));
    expect(result.status, renderReport(result)).toBe("success");
    const act = job(result, "act");
    expect(calls.map((call) => call.inputs)).toEqual([{ version: "v1.2.0", flag: "true" }]);
    const context = calls[0]?.context;
    expect(context?.workspace).toBe(context?.github.workspace);
    expect(context?.env.GITHUB_WORKSPACE).toBe(context?.workspace);
    expect(act.steps.map((s) => s.outputs)).toEqual([
      { installed: "v1.2.0" },
      { from_env: join(context?.runnerTemp ?? "", "tool-bin"), tool: "tool-ran", action_output: "v1.2.0" },
      { said: "hello from act/nested" },
    ]);
    expect(act.steps[0]?.logTail).toEqual(["installing v1.2.0"]);
    expect(act.summary).toBe("tool set up\n");
  });

  it("fails the step with the action's error", async () => {
    repo = workflowRepo("actions.yml");
    const actions: ActionMap = {
      ...setupTool([]),
      [SETUP]: async () => {
        throw new Error("download refused");
      },
    };
    const result = await runWorkflow(repo.options("actions.yml", { actions }));
    const act = job(result, "act");
    expect(act.steps.map((s) => s.status)).toEqual(["failure", "skipped", "skipped"]);
    expect(act.steps[0]?.failure).toBe("example/setup-tool: download refused");
  });

  it("stops the run at an unmapped action, naming the file, job, step and action", async () => {
    repo = workflowRepo("unmapped.yml");
    const error = await runWorkflow(
      repo.options("unmapped.yml", { actionMapSource: "release/src/rehearse/actions.ts" }),
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "ACTION_UNMAPPED",
      file: ".github/workflows/unmapped.yml",
      field: "jobs.first.steps[1].uses",
      message:
        "job first, step mystery: no local equivalent for someone/unknown-action@fedcba9876543210fedcba9876543210fedcba98",
      fix: "map someone/unknown-action in release/src/rehearse/actions.ts, or remove it from the workflow",
    });
    // The job folders hold the first step only: nothing after the unmapped action ran.
    expect(existsSync(join(repo.runnerTemp, "2-second"))).toBe(false);
  });

  it("lists every uses: of a workflow tree up front, called workflows included", async () => {
    repo = workflowRepo("calls-unmapped.yml", "unmapped-called.yml");
    const uses = await listActionUses(repo.root, ".github/workflows/calls-unmapped.yml");
    expect(uses).toEqual([
      {
        file: ".github/workflows/unmapped-called.yml",
        field: "jobs.inner.steps[0].uses",
        jobId: "inner",
        step: "#1",
        uses: "example/setup-tool@0123456789abcdef0123456789abcdef01234567",
        key: "example/setup-tool",
      },
      {
        file: ".github/workflows/unmapped-called.yml",
        field: "jobs.inner.steps[1].uses",
        jobId: "inner",
        step: "#2",
        uses: "someone/unknown-action@fedcba9876543210fedcba9876543210fedcba98",
        key: "someone/unknown-action",
      },
    ]);
    expect(() => checkActionsMapped(uses, setupTool([]))).toThrow(
      expect.objectContaining({ code: "ACTION_UNMAPPED", field: "jobs.inner.steps[1].uses" }),
    );
    expect(() => checkActionsMapped(uses.slice(0, 1), setupTool([]))).not.toThrow();
  });
});
