import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  actionlint,
  gha,
  loadWorkflow,
  type Step,
  type Workflow,
  workflowPath,
} from "../support/workflows.js";

const release = loadWorkflow("release-image.yml");
const ci = loadWorkflow("ci.yml");
const allSteps = (wf: Workflow) => Object.values(wf.jobs).flatMap((job) => job.steps);
const isPush = (step: Step) =>
  step.uses?.startsWith("docker/build-push-action@") === true &&
  (step.with?.push === true || String(step.with?.outputs ?? "").includes("push=true"));

describe("release-image.yml", () => {
  it("runs on a published release and by hand with a tag input", () => {
    expect(release.doc.on.release).toEqual({ types: ["published"] });
    const dispatch = release.doc.on.workflow_dispatch as { inputs: Record<string, { required: boolean }> };
    expect(dispatch.inputs.tag?.required).toBe(true);
    expect(Object.keys(release.doc.on).sort()).toEqual(["release", "workflow_dispatch"]);
  });

  it("grants nothing by default and each job only what it needs", () => {
    expect(release.doc.permissions).toEqual({});
    expect(release.doc.jobs.scan?.permissions).toEqual({ contents: "read", "security-events": "write" });
    expect(release.doc.jobs.publish?.permissions).toEqual({
      contents: "read",
      packages: "write",
      "id-token": "write",
      attestations: "write",
    });
  });

  it("serializes runs per tag without cancelling a push in progress", () => {
    expect(release.doc.concurrency?.group).toContain("release-image-");
    expect(release.doc.concurrency?.["cancel-in-progress"]).toBe(false);
  });

  it("pushes only in the job that needs the scan, after login, and never before the CRITICAL gates", () => {
    const scan = release.doc.jobs.scan?.steps ?? [];
    expect(scan.some(isPush)).toBe(false);
    const gates = scan.filter(
      (s) => s.uses?.startsWith("aquasecurity/trivy-action@") && s.with?.["exit-code"] === "1",
    );
    expect(gates).toHaveLength(2);
    for (const gate of gates) expect(gate.with?.severity).toBe("CRITICAL");
    const sarif = scan.filter(
      (s) => s.uses?.startsWith("aquasecurity/trivy-action@") && s.with?.format === "sarif",
    );
    expect(sarif.map((s) => s.with?.["exit-code"])).toEqual(["0", "0"]);
    expect(scan.filter((s) => s.uses?.startsWith("github/codeql-action/upload-sarif@"))).toHaveLength(2);
    const lastGate = Math.max(...gates.map((g) => scan.indexOf(g)));
    const builds = scan.filter((s) => s.uses?.startsWith("docker/build-push-action@"));
    for (const build of builds) {
      expect(scan.indexOf(build)).toBeLessThan(lastGate);
      expect(build.with?.load).toBe(true);
    }
    const publish = release.doc.jobs.publish;
    expect(publish?.needs).toBe("scan");
    const steps = publish?.steps ?? [];
    const push = steps.findIndex(isPush);
    const login = steps.findIndex((s) => s.uses?.startsWith("docker/login-action@"));
    expect(push).toBeGreaterThan(login);
    expect(login).toBeGreaterThan(-1);
    expect(steps.filter(isPush)).toHaveLength(1);
  });

  it("builds both platforms without attestations inside the index, with its own cache scopes", () => {
    const push = release.doc.jobs.publish?.steps.find(isPush);
    expect(push?.with).toMatchObject({ file: "Dockerfile", provenance: false, sbom: false });
    expect(release.text).toContain("PLATFORMS: linux/amd64,linux/arm64");
    expect(String(push?.with?.outputs)).toContain("rewrite-timestamp=true");
    const scopes = allSteps(release.doc)
      .filter((s) => s.uses?.startsWith("docker/build-push-action@"))
      .map((s) => /scope=([\w-]+)/.exec(String(s.with?.["cache-to"]))?.[1]);
    expect(new Set(scopes).size).toBe(scopes.length);
    const attest = release.doc.jobs.publish?.steps.find((s) =>
      s.uses?.startsWith("actions/attest-build-provenance@"),
    );
    expect(attest?.with?.["subject-digest"]).toBe(gha("steps.push.outputs.digest"));
  });

  it("logs in with the built-in GITHUB_TOKEN only", () => {
    const login = allSteps(release.doc).find((s) => s.uses?.startsWith("docker/login-action@"));
    expect(login?.with).toEqual({
      registry: "ghcr.io",
      username: gha("github.actor"),
      password: gha("secrets.GITHUB_TOKEN"),
    });
    const secrets = [...release.text.matchAll(/secrets\.(\w+)/g)].map((m) => m[1]);
    expect(new Set(secrets)).toEqual(new Set(["GITHUB_TOKEN"]));
  });

  it("takes tags, labels, the release check and the verification from kube9-release", () => {
    const runs = allSteps(release.doc)
      .map((s) => s.run ?? "")
      .join("\n");
    for (const command of ["release check", "image tags", "image labels", "image verify", "image wait"]) {
      expect(runs).toContain(`node release/dist/cli/main.js ${command}`);
    }
    expect(runs).toContain("SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)");
    expect(runs).toContain('--created "$(git log -1 --format=%cI)"');
    expect(runs).toContain("--max-size 200MB");
    const publish = release.doc.jobs.publish?.steps ?? [];
    const verify = publish.findIndex((s) => s.run?.includes("image verify") === true);
    expect(verify).toBeGreaterThan(publish.findIndex(isPush));
    expect(publish.at(-1)?.run).toContain("GITHUB_STEP_SUMMARY");
  });
});

describe("ci.yml", () => {
  it("runs the tests and linters on pushes and pull requests, read-only", () => {
    expect(Object.keys(ci.doc.on).sort()).toEqual(["pull_request", "push"]);
    expect(ci.doc.permissions).toEqual({ contents: "read" });
    const steps = allSteps(ci.doc);
    expect(steps.some((s) => s.run === "bash .ci/run")).toBe(true);
    expect(steps.some((s) => s.uses?.startsWith("actions/setup-go@"))).toBe(true);
    expect(steps.some((s) => s.uses?.startsWith("actions/setup-node@"))).toBe(true);
    expect(ci.doc.concurrency?.["cancel-in-progress"]).toBe(true);
  });

  it("runs in Debian 12, where the pinned Debian tool packages exist, with mount privileges", () => {
    const job = ci.doc.jobs.test as unknown as { container?: { image?: string; options?: string } };
    expect(job.container?.image).toMatch(/^debian:bookworm(@sha256:[0-9a-f]{64})?$/);
    expect(job.container?.options).toContain("--privileged");
  });
});

describe("both workflows", () => {
  it.each([["release-image.yml"], ["ci.yml"]])(
    "%s pins every action by a full commit SHA with its version",
    (name) => {
      const lines = readFileSync(workflowPath(name), "utf8")
        .split("\n")
        .filter((line) => /^\s*(?:-\s+)?uses:/.test(line));
      expect(lines.length).toBeGreaterThan(2);
      for (const line of lines) {
        expect(line).toMatch(/uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
      }
    },
  );

  it("uses the same SHA for the same action everywhere", () => {
    const pins = new Map<string, Set<string>>();
    for (const text of [release.text, ci.text]) {
      for (const match of text.matchAll(/uses: ([\w.-]+\/[\w.-]+)[\w./-]*@([0-9a-f]{40})/g)) {
        const set = pins.get(match[1] ?? "") ?? new Set<string>();
        set.add(match[2] ?? "");
        pins.set(match[1] ?? "", set);
      }
    }
    for (const [action, shas] of pins) expect([action, shas.size]).toEqual([action, 1]);
  });

  it("are actionlint clean", () => {
    const result = actionlint("release-image.yml", "ci.yml");
    expect(result.output).toBe("");
    expect(result.status).toBe(0);
  });
});
