/**
 * Contract tests of the release workflows: what the files promise, read statically. The
 * rehearsal (release-rehearsal.test.ts) proves that the steps work; these prove the shape that
 * makes a release safe (order, permissions, pins), and that the rehearsal catches a workflow that
 * drifts from it (an unmapped action, the chart before the image).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yaml from "js-yaml";
import { afterAll, describe, expect, it } from "vitest";
import { localActions } from "../../release/src/rehearse/local-actions.js";
import { checkActionsMapped, listActionUses } from "../../release/src/rehearse/workflow/index.js";
import {
  assertReleaseWorkflowContract,
  releaseWorkflowProblems,
} from "../../release/src/rehearse/workflow-contract.js";
import { repoRoot } from "../support/tools.js";
import {
  actionlint,
  gha,
  loadWorkflow,
  type Step,
  type Workflow,
  workflowPath,
} from "../support/workflows.js";

const FILES = ["release.yml", "release-image.yml", "release-chart.yml"] as const;
const release = loadWorkflow("release.yml");
const image = loadWorkflow("release-image.yml");
const chart = loadWorkflow("release-chart.yml");
const ci = loadWorkflow("ci.yml");
const runText = (steps: Step[]) => steps.map((s) => s.run ?? "").join("\n");
const jobOf = (wf: Workflow, id: string) => {
  const job = wf.jobs[id];
  if (job === undefined) throw new Error(`no job ${id}`);
  return job as typeof job & {
    uses?: string;
    with?: Record<string, string>;
    environment?: string;
    container?: { image?: string; options?: string };
  };
};
const scratch: string[] = [];

afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** A copy of the workflows folder with one file edited. */
function editedCopy(name: string, edit: (text: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), "kube9-workflows-"));
  scratch.push(dir);
  cpSync(join(repoRoot, ".github"), join(dir, ".github"), { recursive: true });
  const path = join(dir, ".github", "workflows", name);
  const text = readFileSync(path, "utf8");
  const edited = edit(text);
  if (edited === text) throw new Error(`the edit of ${name} changed nothing`);
  writeFileSync(path, edited);
  return dir;
}

describe("release.yml: one orchestration, started by the release alone", () => {
  it("runs on a published release only, and its concurrency group is the release's own", () => {
    expect(release.doc.on).toEqual({ release: { types: ["published"] } });
    expect(release.doc.permissions).toEqual({});
    expect(release.doc.concurrency).toEqual({
      group: `release-${gha("github.event.release.tag_name")}`,
      "cancel-in-progress": false,
    });
  });

  it("resolves the fully qualified tag to one commit first, and hands that commit to both workflows", () => {
    const resolve = jobOf(release.doc, "resolve");
    expect(resolve.steps[0]?.with?.ref).toBe(`refs/tags/${gha("github.event.release.tag_name")}`);
    expect(jobOf(release.doc, "image").uses).toBe("./.github/workflows/release-image.yml");
    expect(jobOf(release.doc, "chart").uses).toBe("./.github/workflows/release-chart.yml");
    for (const id of ["image", "chart"])
      expect(jobOf(release.doc, id).with?.sha).toBe(gha("needs.resolve.outputs.sha"));
    expect(jobOf(release.doc, "chart").needs).toEqual(["resolve", "image"]);
  });

  it("passes the contract the rehearsal checks", async () => {
    await expect(assertReleaseWorkflowContract(repoRoot)).resolves.toBeUndefined();
  });
});

describe("the reusable workflows", () => {
  it.each([["release-image.yml"], ["release-chart.yml"]])(
    "%s is called by release.yml or run by hand for a tag",
    (name) => {
      const { doc } = loadWorkflow(name);
      expect(Object.keys(doc.on).sort()).toEqual(["workflow_call", "workflow_dispatch"]);
      const call = doc.on.workflow_call as { inputs: Record<string, { required: boolean }> };
      expect(call.inputs.tag?.required).toBe(true);
      expect(call.inputs.sha?.required).toBe(false);
      expect(doc.permissions).toEqual({});
      expect(doc.concurrency).toBeUndefined();
    },
  );

  it("check out the resolved commit in every job after resolve, never a bare tag name", () => {
    for (const wf of [image.doc, chart.doc]) {
      for (const [id, job] of Object.entries(wf.jobs)) {
        for (const step of job.steps.filter((s) => s.uses?.startsWith("actions/checkout@"))) {
          expect([id, step.with?.ref]).toEqual([
            id,
            id === "resolve" ? `refs/tags/${gha("inputs.tag")}` : gha("needs.resolve.outputs.sha"),
          ]);
          expect(step.with?.["persist-credentials"]).toBe(false);
        }
      }
    }
  });

  it("build, scan and push the image with kube9-release on one OCI layout, the push bound to the scanned digest", () => {
    const build = runText(jobOf(image.doc, "build").steps);
    expect(build).toMatch(
      /kube9-release image build "\$RELEASE_TAG"[\s\S]*--oci-layout "\$RUNNER_TEMP\/oci-layout"/,
    );
    expect(build).not.toMatch(/--push/);
    expect(runText(jobOf(image.doc, "scan").steps)).toMatch(
      /kube9-release image scan "\$RUNNER_TEMP\/oci-layout"[\s\S]*--fail-on CRITICAL/,
    );
    const push = jobOf(image.doc, "push");
    expect(push.needs).toEqual(["resolve", "scan"]);
    expect(runText(push.steps)).toMatch(
      /kube9-release image push "\$RUNNER_TEMP\/oci-layout" "\$RELEASE_TAG"[\s\S]*--digest "\$SCANNED"/,
    );
    expect(push.steps.find((s) => s.id === "push")?.env?.SCANNED).toBe(gha("needs.scan.outputs.digest"));
    const text = image.text;
    for (const gone of [
      "docker/build-push-action",
      "docker/setup-buildx-action",
      "docker/setup-qemu-action",
      "type=gha",
    ])
      expect(text).not.toContain(gone);
    // A Docker login only where the provenance is pushed with Docker's credentials.
    for (const [id, job] of Object.entries(image.doc.jobs))
      expect([id, job.steps.some((s) => s.uses?.startsWith("docker/login-action@"))]).toEqual([
        id,
        id === "sign",
      ]);
  });

  it("sign the pushed digest keyless in the only job that can mint a token, then verify it anonymously, fail closed", () => {
    const sign = jobOf(image.doc, "sign");
    expect(sign.needs).toEqual(["resolve", "push"]);
    expect(sign.permissions).toEqual({
      contents: "read",
      packages: "write",
      "id-token": "write",
      attestations: "write",
    });
    expect(jobOf(image.doc, "push").permissions).toEqual({ contents: "read", packages: "write" });
    expect(sign.env?.DIGEST).toBe(gha("needs.push.outputs.digest"));
    const text = runText(sign.steps);
    expect(text).toMatch(/kube9-release image sbom "\$RUNNER_TEMP\/oci-layout" --out "\$RUNNER_TEMP\/sbom"/);
    expect(text).toMatch(/kube9-release image sign "\$IMAGE@\$DIGEST" --sbom-dir "\$RUNNER_TEMP\/sbom"$/m);
    expect(text).not.toMatch(/--key\b/);
    const installer = sign.steps.find((s) => s.uses?.startsWith("sigstore/cosign-installer@"));
    expect(installer?.with?.["cosign-release"]).toBe("v3.1.3");
    const provenance = sign.steps.find((s) => s.uses?.startsWith("actions/attest-build-provenance@"));
    expect(provenance?.with).toMatchObject({
      "subject-name": gha("env.IMAGE"),
      "subject-digest": gha("env.DIGEST"),
      "push-to-registry": true,
    });
    const verify = sign.steps.at(-1);
    expect(verify?.run).toMatch(
      /kube9-release image verify "\$IMAGE:\$RELEASE_TAG" --digest "\$DIGEST"[\s\S]*--require-signature --require-sbom[\s\S]*--certificate-identity "\$IDENTITY" --certificate-oidc-issuer https:\/\/token\.actions\.githubusercontent\.com/,
    );
    expect(verify?.env?.IDENTITY).toBe(
      `https://github.com/${gha("github.repository")}/.github/workflows/release-image.yml@${gha("github.ref")}`,
    );
  });

  it("build in Debian 12 with the pinned buildah, as the tests do", () => {
    const build = jobOf(image.doc, "build");
    expect(build.container?.image).toMatch(/^debian:bookworm/);
    expect(runText(build.steps)).toContain("node scripts/install-tools.mjs buildah");
  });

  it("publish the chart with the tag's version, packaged in a job without credentials, in the protected environment", () => {
    const pack = jobOf(chart.doc, "package");
    expect(pack.permissions).toEqual({ contents: "read" });
    expect(runText(pack.steps)).toMatch(
      /chart package charts\/kube9-operator\s+--version "\$VERSION" --app-version "\$VERSION"/,
    );
    // Artifact Hub's annotations, the changelog section and the signing key's fingerprint (no secret).
    expect(runText(pack.steps)).toMatch(/--artifacthub --changes-from CHANGELOG\.md\s/);
    expect(runText(pack.steps)).toMatch(/--sign-key-fingerprint "\$SIGNING_FINGERPRINT"/);
    expect(runText(pack.steps)).toMatch(
      /release check "\$RELEASE_TAG" --github-output --changes-from CHANGELOG\.md/,
    );
    const publish = jobOf(chart.doc, "publish");
    expect(publish.environment).toBe("release");
    expect(publish.permissions).toEqual({ contents: "read", "id-token": "write", attestations: "write" });
    expect(runText(publish.steps)).toMatch(
      /chart publish "\$RUNNER_TEMP\/chart\/kube9-operator-\$VERSION\.tgz"/,
    );
    // Signed in the protected environment, whose secrets hold the key; the archive attested keyless.
    const signing = publish.steps.find((step) => step.run?.includes("chart publish"));
    expect(signing?.run).toMatch(/--sign-key env:KUBE9_SIGNING_KEY/);
    expect(signing?.run).toMatch(/--artifacthub-repo charts\/artifacthub-repo\.yml/);
    expect(signing?.env).toEqual({
      KUBE9_SIGNING_KEY: gha("secrets.KUBE9_SIGNING_KEY"),
      KUBE9_SIGNING_PASSPHRASE: gha("secrets.KUBE9_SIGNING_PASSPHRASE"),
    });
    const attest = publish.steps.find((step) => step.uses?.startsWith("actions/attest-build-provenance@"));
    expect(attest?.with?.["subject-path"]).toBe(
      `${gha("runner.temp")}/chart/kube9-operator-${gha("env.VERSION")}.tgz`,
    );
    expect(runText(publish.steps)).toMatch(/image wait "\$IMAGE:\$VERSION" --timeout 2m/);
    const aws = publish.steps.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
    expect(aws?.with).toMatchObject({
      "role-to-assume": gha("vars.KUBE9_PUBLISHER_ROLE_ARN"),
      "aws-region": "us-east-1",
    });
    // No other secret, and none outside that step.
    const secretLines = chart.text.split("\n").filter((line) => line.includes("secrets."));
    expect(secretLines.map((line) => line.trim())).toEqual([
      `KUBE9_SIGNING_KEY: ${gha("secrets.KUBE9_SIGNING_KEY")}`,
      `KUBE9_SIGNING_PASSPHRASE: ${gha("secrets.KUBE9_SIGNING_PASSPHRASE")}`,
    ]);
  });

  it("install only locked production dependencies, without install scripts or caches, where a token can be minted or a package pushed", () => {
    for (const wf of [image.doc, chart.doc]) {
      for (const [id, job] of Object.entries(wf.jobs)) {
        const powerful = job.permissions?.["id-token"] === "write" || job.permissions?.packages === "write";
        const text = runText(job.steps);
        if (powerful) expect([id, text.includes("install-release-cli.mjs --production")]).toEqual([id, true]);
        expect([id, /install-release-cli\.mjs --build/.test(text) && powerful]).toEqual([id, false]);
        for (const step of job.steps) {
          expect(step.uses?.startsWith("actions/cache") ?? false).toBe(false);
          expect(step.with?.cache).toBeUndefined();
        }
      }
    }
  });
});

describe("the rehearsal catches a workflow that drifts from it", () => {
  it("maps every action the release workflows use", async () => {
    const uses = await listActionUses(repoRoot, ".github/workflows/release.yml");
    expect(uses.length).toBeGreaterThan(10);
    expect(() =>
      checkActionsMapped(
        uses,
        localActions({
          repository: repoRoot,
          artifacts: "",
          report: "",
          trivy: { binary: "", version: "" },
          aws: { env: {}, roleArn: "" },
          cosign: { version: "", binDir: "" },
        }),
      ),
    ).not.toThrow();
  });

  it("fails on an action it has no local equivalent for", async () => {
    const dir = editedCopy("release-chart.yml", (text) =>
      text.replace(
        "      - name: Verify as users see it\n",
        `      - uses: someone/new-action@${"a".repeat(40)} # v1.0.0\n      - name: Verify as users see it\n`,
      ),
    );
    const uses = await listActionUses(dir, ".github/workflows/release.yml");
    expect(() =>
      checkActionsMapped(
        uses,
        localActions({
          repository: dir,
          artifacts: "",
          report: "",
          trivy: { binary: "", version: "" },
          aws: { env: {}, roleArn: "" },
          cosign: { version: "", binDir: "" },
        }),
      ),
    ).toThrow(/someone\/new-action/);
  });

  it("fails when the chart no longer waits for the image", async () => {
    const dir = editedCopy("release.yml", (text) =>
      text.replace("needs: [resolve, image]", "needs: resolve"),
    );
    await expect(assertReleaseWorkflowContract(dir)).rejects.toThrow(/chart\) must need job image/);
  });

  it("fails when the push no longer needs the scan, or a group can drop another release", () => {
    const files = Object.fromEntries(
      FILES.map((name) => [name, yaml.load(readFileSync(workflowPath(name), "utf8"))]),
    ) as Parameters<typeof releaseWorkflowProblems>[0];
    expect(releaseWorkflowProblems(files)).toEqual([]);
    const pushFirst = structuredClone(files);
    const jobs = (pushFirst["release-image.yml"] as { jobs: Record<string, { needs?: unknown }> }).jobs;
    if (jobs.push !== undefined) jobs.push.needs = ["resolve", "build"];
    expect(releaseWorkflowProblems(pushFirst)).toEqual([
      "release-image.yml: job push pushes the image without needing the scan job",
    ]);
    const shared = structuredClone(files);
    (shared["release-chart.yml"] as { concurrency?: unknown }).concurrency = {
      group: "release-chart",
      "cancel-in-progress": false,
    };
    expect(releaseWorkflowProblems(shared)[0]).toMatch(/shared by all releases/);
  });

  it("fails when the image is signed with a key, not verified, not after the push, or a token is minted elsewhere", () => {
    const files = () =>
      Object.fromEntries(
        FILES.map((name) => [name, yaml.load(readFileSync(workflowPath(name), "utf8"))]),
      ) as Parameters<typeof releaseWorkflowProblems>[0];
    type Jobs = Record<
      string,
      {
        needs?: unknown;
        permissions?: Record<string, string>;
        steps: Array<{ run?: string; uses?: string; with?: Record<string, unknown> }>;
      }
    >;
    const edit = (change: (jobs: Jobs) => void) => {
      const copy = files();
      change((copy["release-image.yml"] as { jobs: Jobs }).jobs);
      return releaseWorkflowProblems(copy);
    };
    const signStep = (jobs: Jobs) => jobs.sign?.steps.find((s) => /image sign/.test(s.run ?? "")) ?? {};
    expect(
      edit((jobs) => Object.assign(signStep(jobs), { run: `${signStep(jobs).run} --key cosign.key` })),
    ).toEqual([
      'release-image.yml: job sign step "Sign the index, attest each platform\'s SBOM (keyless)" signs or verifies with a key; the release is keyless',
    ]);
    expect(
      edit((jobs) => {
        const verify = jobs.sign?.steps.at(-1) ?? {};
        verify.run = (verify.run ?? "").replace("--require-signature --require-sbom", "");
      }),
    ).toEqual([
      "release-image.yml: job sign must verify after signing, fail closed: kube9-release image verify --require-signature --require-sbom",
    ]);
    expect(
      edit((jobs) => {
        if (jobs.sign !== undefined) jobs.sign.needs = ["resolve", "scan"];
      }),
    ).toEqual(["release-image.yml: job sign signs without needing the push job: sign the pushed digest"]);
    expect(
      edit((jobs) => {
        if (jobs.push?.permissions !== undefined) jobs.push.permissions["id-token"] = "write";
      }),
    ).toEqual(["release-image.yml: job push has id-token: write; only the signing job sign may"]);
    expect(
      edit((jobs) => {
        const provenance = jobs.sign?.steps.find((s) =>
          s.uses?.startsWith("actions/attest-build-provenance@"),
        );
        if (provenance?.with !== undefined) provenance.with["push-to-registry"] = false;
      }),
    ).toEqual(["release-image.yml: job sign must attest build provenance with push-to-registry: true"]);
  });
});

describe("every workflow", () => {
  const names = [
    "release.yml",
    "release-image.yml",
    "release-chart.yml",
    "ci.yml",
    "deploy-infrastructure.yml",
  ];

  it.each(names.map((n) => [n]))("%s pins every action by a full commit SHA with its version", (name) => {
    const lines = readFileSync(workflowPath(name), "utf8")
      .split("\n")
      .filter((line) => /^\s*(?:-\s+)?uses:/.test(line) && !/uses: \.\//.test(line));
    for (const line of lines) expect(line).toMatch(/uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*$/);
  });

  it("uses the same SHA for the same action everywhere", () => {
    const pins = new Map<string, Set<string>>();
    for (const name of names) {
      for (const match of readFileSync(workflowPath(name), "utf8").matchAll(
        /uses: ([\w.-]+\/[\w.-]+)[\w./-]*@([0-9a-f]{40})/g,
      )) {
        const set = pins.get(match[1] ?? "") ?? new Set<string>();
        set.add(match[2] ?? "");
        pins.set(match[1] ?? "", set);
      }
    }
    for (const [action, shas] of pins) expect([action, shas.size]).toEqual([action, 1]);
  });

  it("are actionlint clean", () => {
    const result = actionlint(...names);
    expect(result.output).toBe("");
    expect(result.status).toBe(0);
  });
});

describe("ci.yml", () => {
  it("runs the tests and linters on pushes and pull requests, read-only, in Debian 12 with mount privileges", () => {
    expect(Object.keys(ci.doc.on).sort()).toEqual(["pull_request", "push"]);
    expect(ci.doc.permissions).toEqual({ contents: "read" });
    expect(ci.doc.jobs.test?.steps.some((s) => s.run === "bash .ci/run")).toBe(true);
    const job = jobOf(ci.doc, "test");
    expect(job.container?.image).toMatch(/^debian:bookworm(@sha256:[0-9a-f]{64})?$/);
    expect(job.container?.options).toContain("--privileged");
  });
});
