import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { renderReport } from "../../src/rehearse/workflow/render-report.js";
import {
  assertWorkflowSucceeded,
  type JobResult,
  type WorkflowResult,
} from "../../src/rehearse/workflow/result.js";
import { runWorkflow } from "../../src/rehearse/workflow/run-workflow.js";
import { type WorkflowRepo, workflowRepo } from "../support/workflow-repo.js";

let repo: WorkflowRepo | undefined;

afterEach(() => {
  repo?.remove();
  repo = undefined;
});

function job(result: WorkflowResult, id: string): JobResult {
  const found = result.jobs.find((candidate) => candidate.id === id);
  if (found === undefined) throw new Error(`no job ${id} in ${result.jobs.map((j) => j.id).join(", ")}`);
  return found;
}

function step(result: JobResult, id: string) {
  const found = result.steps.find((candidate) => candidate.id === id);
  if (found === undefined) throw new Error(`no step ${id} in job ${result.id}`);
  return found;
}

const dispatch = { name: "workflow_dispatch", payload: {} };

describe("runWorkflow: files between steps and jobs", () => {
  it("passes outputs (k=v and heredocs), env, path and summaries as a runner does", async () => {
    repo = workflowRepo("outputs-env-path.yml");
    const lines: string[] = [];
    const result = await runWorkflow(
      repo.options("outputs-env-path.yml", {
        event: dispatch,
        progress: { line: (text) => lines.push(text) },
      }),
    );
    expect(result.status, renderReport(result)).toBe("success");
    const produce = job(result, "produce");
    expect(step(produce, "write").outputs).toEqual({ single: "one=two", multi: "line 1\nline 2", empty: "" });
    expect(step(produce, "use").outputs.tool).toBe("tool from GITHUB_PATH");
    expect(step(produce, "use").outputs.seen).toBe(
      [
        "level=github-env",
        "from_workflow=w",
        "from_job=workflow_dispatch-j",
        "from_step_file=set by a step",
        "heredoc_env=first\nsecond",
        "step_only=github-env/one=two",
        "expr_env=set by a step",
      ].join("\n"),
    );
    expect(produce.outputs).toEqual({
      single: "one=two",
      multi: "line 1\nline 2",
      tool: "tool from GITHUB_PATH",
    });
    expect(produce.summary).toBe("### Produced\n- used the tool\n");
    const consume = job(result, "consume");
    // Env and PATH changes stay in their job; outputs cross through needs.
    expect(step(consume, "read").outputs).toEqual({
      single: "one=two",
      lines: "1",
      result: "success",
      leaked: "no",
    });
    expect(lines).toContain("consume/read | reading what produce left");
    expect(step(consume, "read").logTail).toEqual(["reading what produce left"]);
  });
});

describe("runWorkflow: failures and conditions", () => {
  it("stops a job at its first failing step and runs later steps and jobs only as their if: allows", async () => {
    repo = workflowRepo("conditions.yml");
    const result = await runWorkflow(repo.options("conditions.yml", { event: dispatch }));
    expect(result.status).toBe("failure");
    const breaks = job(result, "breaks");
    expect(breaks.status).toBe("failure");
    expect(breaks.failure).toBe('step "Fails with exit 7" failed: exit code 7');
    const statuses = Object.fromEntries(breaks.steps.map((s) => [s.id, [s.outcome, s.status]]));
    expect(statuses).toEqual({
      tolerated: ["failure", "success"],
      "after-tolerated": ["success", "success"],
      fails: ["failure", "failure"],
      skipped: ["skipped", "skipped"],
      cleanup: ["success", "success"],
      "on-failure": ["success", "success"],
      "on-success": ["skipped", "skipped"],
    });
    expect(step(breaks, "tolerated").failure).toBe("exit code 3");
    expect(step(breaks, "fails").logTail).toEqual(["line before the failure"]);
    expect(step(breaks, "cleanup").outputs.outcome).toBe("failure");
    expect(step(breaks, "on-failure").outputs.tolerated).toBe("failure/success");
    // A failed step's files are read too, as the runner does.
    expect(step(breaks, "fails").outputs).toEqual({ partial: "written before failing" });
    expect(breaks.summary).toBe("- written before failing\n### failure noted\n");
    expect(job(result, "dependent").status).toBe("skipped");
    expect(job(result, "reporter").status).toBe("success");
    expect(step(job(result, "reporter"), "see").outputs.result).toBe("failure");
    expect(job(result, "on-failure").status).toBe("success");
    expect(job(result, "independent").status).toBe("success");
    expect(() => assertWorkflowSucceeded(result)).toThrow(
      'job breaks failed: step "Fails with exit 7" failed: exit code 7\n  | line before the failure',
    );
  });

  it("reports jobs and steps with their status and times, failures with their last lines", async () => {
    repo = workflowRepo("conditions.yml");
    const result = await runWorkflow(repo.options("conditions.yml", { event: dispatch }));
    const report = renderReport(result);
    expect(report.split("\n")[0]).toMatch(
      /^failure\s+workflow conditions \(\.github\/workflows\/conditions\.yml\)\s+\+0\.0 s, \d+\.\d s$/,
    );
    expect(report).toMatch(/\n {2}failure\s+job breaks\s+\+\d+\.\d s, \d+\.\d s\n/);
    expect(report).toMatch(
      /\n {4}failure\s+step fails: Fails with exit 7\s+\+\d+\.\d s, \d+\.\d s\n\s+exit code 7\n\s+\| line before the failure\n/,
    );
    expect(report).toMatch(/\n {4}success\s+step tolerated: .*\n\s+exit code 3 \(continue-on-error\)\n/);
    expect(report).toMatch(/\n {4}skipped\s+step skipped: Run echo "must not run"\n/);
    expect(report).toMatch(/\n {2}skipped\s+job dependent\n/);
  });
});

describe("runWorkflow: the runner's environment", () => {
  it("sets GitHub's variables, the event file, working-directory, default shells and step timeouts", async () => {
    repo = workflowRepo("runner-env.yml");
    const options = repo.options("runner-env.yml");
    const result = await runWorkflow({ ...options, baseEnv: { ...options.baseEnv, BASE_ONLY: "from-base" } });
    const env = job(result, "env");
    expect(step(env, "vars").outputs).toEqual({
      ci: "true/true",
      event: "release",
      tag_from_event: "v1.2.0",
      ref: "refs/tags/v1.2.0 v1.2.0 tag",
      sha: "1".repeat(40),
      repository: "example/project example",
      run: "1 rehearsal runner env env",
      workspace_is_cwd: "yes",
      runner: "Linux temp-exists",
      base: "from-base",
      context: "v1.2.0 Linux example",
    });
    expect(step(env, "where").outputs.dir).toBe("nested/deeper");
    expect(step(env, "default-shell").outputs.survived).toBe("yes");
    expect(step(env, "bash-shell")).toMatchObject({
      outcome: "failure",
      status: "success",
      failure: "exit code 1",
    });
    expect(step(env, "long-timeout").outputs).toEqual({ ok: "yes" });
    expect(step(env, "slow")).toMatchObject({ outcome: "failure", failure: "timed out after 0.02 minutes" });
    expect(step(env, "slow").logTail).toEqual(["sleeping"]);
    expect(step(env, "missing-dir")).toMatchObject({
      outcome: "failure",
      failure: "working-directory no/such/dir does not exist in the workspace",
    });
    expect(env.status).toBe("success");
  });

  it("stops a job at its timeout-minutes and runs none of its later steps", async () => {
    repo = workflowRepo("job-timeout.yml");
    const result = await runWorkflow(repo.options("job-timeout.yml"));
    const slow = job(result, "slow");
    expect(slow.status).toBe("failure");
    expect(slow.failure).toMatch(/exceeded its timeout-minutes/);
    expect(slow.steps.map((s) => [s.outcome, s.failure])).toEqual([
      ["failure", "timed out after 0.02 minutes"],
      ["skipped", undefined],
    ]);
  });

  it("refuses dispatch inputs a workflow without inputs does not declare", async () => {
    repo = workflowRepo("conditions.yml");
    const event = { ...dispatch, inputs: { tag: "v1.0.0" } };
    await expect(runWorkflow(repo.options("conditions.yml", { event }))).rejects.toMatchObject({
      code: "WORKFLOW_INVALID",
      field: "on.workflow_dispatch.inputs.tag",
      message: "input tag is not declared by the workflow",
      fix: "the workflow takes no inputs: remove it",
    });
  });

  it("stops at a workflow-level expression it cannot evaluate, naming the field", async () => {
    repo = workflowRepo("bad-concurrency.yml");
    await expect(runWorkflow(repo.options("bad-concurrency.yml"))).rejects.toMatchObject({
      code: "WORKFLOW_INVALID",
      field: "concurrency.group",
      message: expect.stringMatching(/^cannot evaluate: fromJSON\(\): "v1\.2\.0" is not JSON \(/),
    });
  });

  it("refuses an event the workflow is not started by", async () => {
    repo = workflowRepo("runner-env.yml");
    await expect(runWorkflow(repo.options("runner-env.yml", { event: dispatch }))).rejects.toMatchObject({
      code: "WORKFLOW_INVALID",
      file: ".github/workflows/runner-env.yml",
      field: "on",
      message: "the workflow is not started by workflow_dispatch events",
    });
  });
});

describe("runWorkflow: job containers", () => {
  it("runs a container job on the host only when the caller says the host stands for its image", async () => {
    repo = workflowRepo("job-container.yml");
    const refused = await runWorkflow(repo.options("job-container.yml", { event: dispatch }));
    expect(refused.status).toBe("failure");
    expect(job(refused, "inside").failure).toMatch(/debian:bookworm is not an image this machine stands for/);
    repo.remove();
    repo = workflowRepo("job-container.yml");
    const ran = await runWorkflow(
      repo.options("job-container.yml", { event: dispatch, hostImages: [/^debian:bookworm$/] }),
    );
    expect(ran.status, renderReport(ran)).toBe("success");
    expect(step(job(ran, "inside"), "hello").outputs).toEqual({ ran: "yes" });
  });
});

/** Whether a process is gone (a zombie waiting for its parent to reap it counts as gone). */
function gone(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.startsWith("Z") === true;
  } catch {
    return true;
  }
}

describe("runWorkflow: cancellation and runner commands", () => {
  it("stops the running step on cancel, still runs always() steps and jobs, skips the rest", async () => {
    repo = workflowRepo("cancel.yml");
    const controller = new AbortController();
    const result = await runWorkflow(
      repo.options("cancel.yml", {
        signal: controller.signal,
        progress: { line: (text) => text === "long/sleeper | started" && controller.abort() },
      }),
    );
    const long = job(result, "long");
    expect(long.steps.map((s) => [s.id, s.status])).toEqual([
      ["sleeper", "cancelled"],
      ["normal", "skipped"],
      ["cleanup", "success"],
      ["when-cancelled", "success"],
    ]);
    expect(step(long, "cleanup").outputs.cleaned).toBe("cancelled");
    expect(long.status).toBe("cancelled");
    expect(job(result, "next").status).toBe("skipped");
    expect(step(job(result, "final"), "result").outputs.long).toBe("cancelled");
    expect(result.status).toBe("cancelled");
  });

  it("stops what a step left running when its job ends, hides masked values, refuses NODE_OPTIONS and malformed files", async () => {
    repo = workflowRepo("commands.yml");
    const lines: string[] = [];
    const result = await runWorkflow(
      repo.options("commands.yml", { progress: { line: (text) => lines.push(text) } }),
    );
    const done = job(result, "leaves-a-process");
    const pid = Number(step(done, "background").outputs.pid);
    expect(pid).toBeGreaterThan(0);
    for (let i = 0; i < 40 && !gone(pid); i++) await new Promise((r) => setTimeout(r, 50));
    expect(gone(pid)).toBe(true);
    expect(lines).toContain("leaves-a-process/mask | value is ***");
    expect(lines).toContain("leaves-a-process/later | still hidden ***");
    expect(lines.join("\n")).not.toContain("hide-me-please");
    expect(step(done, "node-options")).toMatchObject({
      outcome: "failure",
      failure: "$GITHUB_ENV: NODE_OPTIONS cannot be set through $GITHUB_ENV (the runner refuses it)",
    });
    expect(step(done, "bad-output")).toMatchObject({
      outcome: "failure",
      failure: '$GITHUB_OUTPUT: the delimiter "END" of value is never written',
    });
    expect(done.status).toBe("success");
  });
});
