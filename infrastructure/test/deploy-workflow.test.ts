/**
 * Contract of .github/workflows/deploy-infrastructure.yml: what it runs on, what it may do, and
 * that it shows the diff before it deploys. The file itself is also checked by actionlint.
 */
import { describe, expect, it } from "vitest";
import { actionlint, type Job, loadWorkflow, type Step } from "../../test/support/workflows.js";
import { SETTING_SPECS } from "../lib/settings.js";

const { text, doc: workflow } = loadWorkflow("deploy-infrastructure.yml");
const jobs = Object.values(workflow.jobs);
const deploy = workflow.jobs.deploy as Job;
const steps = deploy.steps;
const indexOf = (predicate: (step: Step) => boolean): number => steps.findIndex(predicate);

describe("deploy-infrastructure workflow", () => {
  it("runs by hand and on pushes to main that touch infrastructure/ or the workflow, never on a release tag", () => {
    expect(Object.keys(workflow.on).sort()).toEqual(["push", "workflow_dispatch"]);
    // Branches only, no tags: pushing a release tag starts nothing here.
    expect(workflow.on.push).toEqual({
      branches: ["main"],
      paths: ["infrastructure/**", ".github/workflows/deploy-infrastructure.yml"],
    });
  });

  it("asks only for the OIDC token and read access to the code", () => {
    expect(workflow.permissions).toEqual({ "id-token": "write", contents: "read" });
    for (const job of jobs) expect(job.permissions).toBeUndefined();
  });

  it("deploys one run at a time and never cancels a running deploy", () => {
    expect(workflow.concurrency?.group).toMatch(/\S/);
    expect(workflow.concurrency?.["cancel-in-progress"]).toBe(false);
  });

  it("pins every action by a full commit SHA with the release in a comment", () => {
    const uses = jobs.flatMap((job) =>
      job.steps.flatMap((step) => (step.uses === undefined ? [] : [step.uses])),
    );
    expect(uses.map((u) => u.split("@")[0]).sort()).toEqual([
      "actions/checkout",
      "actions/setup-node",
      "aws-actions/configure-aws-credentials",
    ]);
    for (const use of uses) expect(use).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
    const lines = text.split("\n").filter((line) => /^\s*-?\s*uses:/.test(line));
    expect(lines).toHaveLength(uses.length);
    for (const line of lines) expect(line).toMatch(/@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
  });

  it("runs only from main", () => {
    expect(deploy.if).toBe("github.ref == 'refs/heads/main'");
  });

  it("deploys in the protected environment whose subject is all the deployer role trusts", () => {
    const spec = SETTING_SPECS.find((s) => s.name === "deployerEnvironment");
    expect(deploy.environment).toBe(spec?.default);
    expect(deploy.environment).toBe("infrastructure");
    // Every job that gets AWS credentials runs in that environment.
    for (const job of jobs) {
      if (job.steps.some((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))) {
        expect(job.environment).toBe("infrastructure");
      }
    }
  });

  it("uses Node.js 22 with the npm cache and the project's locked install and build", () => {
    const setupNode = steps.find((s) => s.uses?.startsWith("actions/setup-node@"));
    expect(setupNode?.with).toEqual({ "node-version": 22, cache: "npm" });
    expect(steps.find((s) => s.run?.includes("npm run setup"))?.run).toBe("npm run setup -- --no-tools");
  });

  it("assumes the deployer role named by a repository variable, in us-east-1, with no stored keys", () => {
    const credentials = steps.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
    expect(credentials?.with?.["role-to-assume"]).toBe(`\${{ vars.KUBE9_DEPLOYER_ROLE_ARN }}`);
    expect(credentials?.with?.["aws-region"]).toBe("us-east-1");
    expect(text).not.toMatch(/secrets\.|aws-access-key-id|aws-secret-access-key/);
  });

  it("passes every setting of the CDK app from the repository variable of the same name", () => {
    const expected = Object.fromEntries(SETTING_SPECS.map((s) => [s.envVar, `\${{ vars.${s.envVar} }}`]));
    expect(deploy.env).toEqual(expected);
  });

  it("builds, gets credentials, logs the diff, then deploys with rollback left on", () => {
    const build = indexOf((s) => s.run?.includes("npm run setup") === true);
    const credentials = indexOf((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@") === true);
    const diff = indexOf((s) => s.run === "npx cdk diff");
    const deployStep = indexOf((s) => s.run === "npx cdk deploy --require-approval never");
    expect(build).toBeGreaterThanOrEqual(0);
    expect(build).toBeLessThan(credentials);
    expect(credentials).toBeLessThan(diff);
    expect(diff).toBeLessThan(deployStep);
    expect(steps[diff]?.["working-directory"]).toBe("infrastructure");
    expect(steps[deployStep]?.["working-directory"]).toBe("infrastructure");
    expect(text).not.toContain("--no-rollback");
    expect(text).not.toMatch(/rollback\s+false/);
  });

  it("is clean for actionlint", () => {
    // shellcheck is optional for actionlint: without it the run: scripts are simply not linted.
    const result = actionlint("deploy-infrastructure.yml");
    expect(result.output).toBe("");
    expect(result.status).toBe(0);
  });
});
