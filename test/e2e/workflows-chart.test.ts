import { describe, expect, it } from "vitest";
import { actionlint, gha, type Job, loadWorkflow, type Step } from "../support/workflows.js";

/** A shell parameter expansion as written in a run: script. */
const sh = (inner: string) => ["$", "{", inner, "}"].join("");
const chart = loadWorkflow("release-chart.yml");
const CLI = "node release/dist/cli/main.js";
const jobs = Object.values(chart.doc.jobs);
const job = chart.doc.jobs.publish as Job;
const steps = job?.steps ?? [];
const runs = steps.flatMap((s) => (s.run === undefined ? [] : [s.run]));
const indexOf = (predicate: (step: Step) => boolean) => steps.findIndex(predicate);
const runIndex = (command: string) => indexOf((s) => s.run?.startsWith(`${CLI} ${command} `) === true);
const usesIndex = (action: string) => indexOf((s) => s.uses?.startsWith(`${action}@`) === true);
const publishRun = () => steps[runIndex("chart publish")]?.run ?? "";

describe("release-chart.yml", () => {
  it("runs on a published release and by hand with a required tag input", () => {
    expect(Object.keys(chart.doc.on).sort()).toEqual(["release", "workflow_dispatch"]);
    expect(chart.doc.on.release).toEqual({ types: ["published"] });
    const dispatch = chart.doc.on.workflow_dispatch as {
      inputs: Record<string, { required: boolean; type: string }>;
    };
    expect(Object.keys(dispatch.inputs)).toEqual(["tag"]);
    expect(dispatch.inputs.tag).toMatchObject({ required: true, type: "string" });
    expect(chart.doc.env?.RELEASE_TAG).toBe(gha("github.event.release.tag_name || inputs.tag"));
  });

  it("grants nothing by default and the one job only a read of the code and the OIDC token", () => {
    expect(chart.doc.permissions).toEqual({});
    expect(Object.keys(chart.doc.jobs)).toEqual(["publish"]);
    expect(job.permissions).toEqual({ contents: "read", "id-token": "write" });
  });

  it("publishes into one chart repository at a time and never cancels a running publish", () => {
    expect(chart.doc.concurrency).toEqual({
      group: `release-chart-${gha("vars.KUBE9_CHARTS_BUCKET")}`,
      "cancel-in-progress": false,
    });
  });

  it("checks out the release tag with full history and without keeping the token", () => {
    const checkout = steps[usesIndex("actions/checkout")];
    expect(usesIndex("actions/checkout")).toBe(0);
    expect(checkout?.with).toEqual({
      ref: `refs/tags/${gha("env.RELEASE_TAG")}`,
      // The archive's time is the last commit touching the chart: a shallow clone would change it.
      "fetch-depth": 0,
      "persist-credentials": false,
    });
    expect(chart.text).not.toContain("SOURCE_DATE_EPOCH=");
    const node = steps[usesIndex("actions/setup-node")];
    expect(node?.with?.["node-version"]).toBe("22");
    expect(runs).toContain("node scripts/setup.mjs --no-tools");
  });

  it("checks, waits for the image, assumes the role, publishes, then verifies, in that order", () => {
    const order = [
      runIndex("release check"),
      runIndex("image wait"),
      usesIndex("aws-actions/configure-aws-credentials"),
      runIndex("chart publish"),
      runIndex("repo verify"),
    ];
    for (const i of order) expect(i).toBeGreaterThan(usesIndex("actions/setup-node"));
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(new Set(order).size).toBe(order.length);
    expect(order.at(-1)).toBe(steps.length - 1);
  });

  it("passes the release to kube9-release: the tag to the check, the version to wait and verify", () => {
    expect(runs).toContain(`${CLI} release check "$RELEASE_TAG"`);
    // The chart renders the image tag appVersion = the release tag without its "v".
    expect(runs).toContain(
      `${CLI} image wait "ghcr.io/alto9/kube9-operator:${sh("RELEASE_TAG#v")}" --timeout 15m`,
    );
    expect(runs).toContain(
      `${CLI} repo verify --url "${sh("KUBE9_CHARTS_URL")}" --chart kube9-operator --version "${sh("RELEASE_TAG#v")}"`,
    );
  });

  it("publishes charts/kube9-operator to the bucket, invalidates CloudFront and waits", () => {
    expect(publishRun().split(/\s+/)).toEqual([
      "node",
      "release/dist/cli/main.js",
      "chart",
      "publish",
      "charts/kube9-operator",
      "--repo",
      `"s3://${sh("KUBE9_CHARTS_BUCKET")}"`,
      "--url",
      `"${sh("KUBE9_CHARTS_URL")}"`,
      "--cdn",
      `"cloudfront:${sh("KUBE9_CHARTS_DISTRIBUTION_ID")}"`,
      "--wait",
    ]);
    expect(publishRun()).not.toContain("--no-verify");
    expect(publishRun()).not.toContain("--dry-run");
    // The publish command writes the job summary itself.
    expect(chart.text).not.toContain("GITHUB_STEP_SUMMARY");
  });

  it("assumes the publisher role by OIDC in us-east-1", () => {
    const aws = steps[usesIndex("aws-actions/configure-aws-credentials")];
    expect(aws?.with).toEqual({
      "role-to-assume": gha("vars.KUBE9_PUBLISHER_ROLE_ARN"),
      "aws-region": "us-east-1",
      "role-session-name": `release-chart-${gha("github.run_id")}`,
    });
  });

  it("takes its settings from repository variables, passed to scripts through the environment", () => {
    expect(job.env).toEqual({
      KUBE9_CHARTS_BUCKET: gha("vars.KUBE9_CHARTS_BUCKET"),
      KUBE9_CHARTS_DISTRIBUTION_ID: gha("vars.KUBE9_CHARTS_DISTRIBUTION_ID"),
      KUBE9_CHARTS_URL: gha("vars.KUBE9_CHARTS_URL"),
    });
    const vars = new Set([...chart.text.matchAll(/vars\.(\w+)/g)].map((m) => m[1]));
    expect(vars).toEqual(
      new Set([
        "KUBE9_PUBLISHER_ROLE_ARN",
        "KUBE9_CHARTS_BUCKET",
        "KUBE9_CHARTS_DISTRIBUTION_ID",
        "KUBE9_CHARTS_URL",
      ]),
    );
    // No expression is interpolated into a script.
    for (const run of runs) expect(run).not.toContain("${{");
  });

  it("uses no secrets", () => {
    expect(chart.text).not.toMatch(/secrets\./);
    for (const step of steps) expect(JSON.stringify(step)).not.toMatch(/secret|password|token:/i);
  });

  it("keeps the logic in kube9-release: every run is the CLI or the setup script", () => {
    expect(runs.length).toBe(5);
    for (const run of runs) {
      expect(run.trim()).not.toContain("\n");
      expect(run.startsWith(`${CLI} `) || run === "node scripts/setup.mjs --no-tools").toBe(true);
      expect(run).not.toMatch(/[;|&`]|\$\(/);
    }
  });

  it("pins every action by a full commit SHA with its version, the same SHAs as the other workflows", () => {
    const uses = jobs.flatMap((j) => j.steps.flatMap((s) => (s.uses === undefined ? [] : [s.uses])));
    expect(uses.map((u) => u.split("@")[0])).toEqual([
      "actions/checkout",
      "actions/setup-node",
      "aws-actions/configure-aws-credentials",
    ]);
    const lines = chart.text.split("\n").filter((line) => /^\s*(?:-\s+)?uses:/.test(line));
    expect(lines).toHaveLength(uses.length);
    for (const line of lines) {
      expect(line).toMatch(/uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    }
    const pins = new Map<string, Set<string>>();
    for (const name of ["release-chart.yml", "release-image.yml", "deploy-infrastructure.yml"]) {
      for (const m of loadWorkflow(name).text.matchAll(
        /uses: ([\w.-]+\/[\w./-]+)@([0-9a-f]{40}) # (v[\d.]+)/g,
      )) {
        const set = pins.get(m[1] ?? "") ?? new Set<string>();
        set.add(`${m[2]} ${m[3]}`);
        pins.set(m[1] ?? "", set);
      }
    }
    for (const action of uses.map((u) => u.split("@")[0] ?? "")) {
      expect([action, pins.get(action)?.size]).toEqual([action, 1]);
    }
  });

  it("has no infrastructure job: nothing runs cdk or works in infrastructure/", () => {
    for (const step of steps) {
      expect(step["working-directory"]).toBeUndefined();
      expect(step.run ?? "").not.toMatch(/\bcdk\b|infrastructure/);
    }
    expect(chart.text).not.toContain("KUBE9_DEPLOYER_ROLE_ARN");
  });

  it("is actionlint clean", () => {
    const result = actionlint("release-chart.yml");
    expect(result.output).toBe("");
    expect(result.status).toBe(0);
  });
});

describe("deploy-infrastructure.yml", () => {
  it("is started only by hand or by pushes to main touching infrastructure/, never by a release", () => {
    const deploy = loadWorkflow("deploy-infrastructure.yml").doc;
    expect(Object.keys(deploy.on).sort()).toEqual(["push", "workflow_dispatch"]);
    const push = deploy.on.push as { branches?: string[]; tags?: string[]; paths?: string[] };
    // Branches only (no tags): pushing a release tag starts nothing.
    expect(push.branches).toEqual(["main"]);
    expect(push.tags).toBeUndefined();
    expect(push.paths?.length).toBeGreaterThan(0);
    for (const p of push.paths ?? []) {
      expect(p.startsWith("infrastructure/") || p === ".github/workflows/deploy-infrastructure.yml").toBe(
        true,
      );
    }
  });
});
