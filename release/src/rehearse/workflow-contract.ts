/**
 * The order a release must keep, checked on the workflow files before a rehearsal runs them (and
 * by the tests, on edited copies): the chart waits for the image, the image is pushed only after
 * its scan, no concurrency group can drop another release, and no job that can push or mint an
 * OIDC token builds code or restores caches. The rehearsal proves the steps work; this proves the
 * files cannot be reordered into a release that works by luck. The image is signed keyless in
 * one job after the push, and verified there, fail closed (signingProblems): the rehearsal signs
 * with a key instead, so only this check keeps the workflow keyless.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import yaml from "js-yaml";
import { ReleaseError } from "../errors.js";

interface RawJob {
  needs?: string | string[];
  uses?: string;
  permissions?: Record<string, string>;
  steps?: Array<{
    name?: string;
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
    env?: Record<string, unknown>;
  }>;
  concurrency?: unknown;
}

interface RawWorkflow {
  concurrency?: unknown;
  jobs?: Record<string, RawJob>;
}

const needsOf = (job: RawJob): string[] => (job.needs === undefined ? [] : [job.needs].flat());
const runs = (job: RawJob): string => (job.steps ?? []).map((step) => step.run ?? "").join("\n");

/** Every job a job depends on, directly or not. */
function ancestors(jobs: Record<string, RawJob>, id: string, seen = new Set<string>()): Set<string> {
  for (const need of needsOf(jobs[id] ?? {})) {
    if (seen.has(need)) continue;
    seen.add(need);
    ancestors(jobs, need, seen);
  }
  return seen;
}

function concurrencyProblems(file: string, where: string, value: unknown): string[] {
  if (value === undefined) return [];
  const group = typeof value === "string" ? value : String((value as { group?: unknown }).group ?? "");
  const cancel =
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)["cancel-in-progress"] === true;
  const problems: string[] = [];
  // A group without the tag is shared by releases: a third run cancels the pending second one.
  if (!/tag_name|inputs\.tag/.test(group))
    problems.push(
      `${file}: ${where} concurrency group ${JSON.stringify(group)} is shared by all releases; GitHub cancels a pending run of it`,
    );
  if (cancel) problems.push(`${file}: ${where} cancels runs in progress`);
  return problems;
}

const GITHUB_ISSUER = "https://token.actions.githubusercontent.com";

/**
 * The image workflow signs the pushed digest keyless and verifies it: one job after the push
 * (the only one of the file with id-token or attestations write) installs cosign, signs and
 * attests with `image sign` and no key, pushes the provenance to the registry, then runs
 * `image verify --require-signature --require-sbom` against GitHub's OIDC identity.
 */
export function signingProblems(file: string, workflow: RawWorkflow): string[] {
  const jobs = workflow.jobs ?? {};
  const problems: string[] = [];
  const signer = Object.entries(jobs).find(([, job]) => /kube9-release image sign\b/.test(runs(job)))?.[0];
  if (signer === undefined) return [`${file}: no job signs the image (kube9-release image sign)`];
  const job = jobs[signer] as RawJob;
  const steps = job.steps ?? [];
  const pusher = Object.entries(jobs).find(([, other]) =>
    /kube9-release image push\b/.test(runs(other)),
  )?.[0];
  if (pusher === undefined || !ancestors(jobs, signer).has(pusher))
    problems.push(`${file}: job ${signer} signs without needing the push job: sign the pushed digest`);
  if (job.permissions?.["id-token"] !== "write")
    problems.push(`${file}: job ${signer} signs keyless and needs permissions id-token: write`);
  for (const [id, other] of Object.entries(jobs)) {
    if (id === signer) continue;
    for (const scope of ["id-token", "attestations"])
      if (other.permissions?.[scope] === "write")
        problems.push(`${file}: job ${id} has ${scope}: write; only the signing job ${signer} may`);
  }
  const signAt = steps.findIndex((step) => /kube9-release image sign\b/.test(step.run ?? ""));
  const installAt = steps.findIndex((step) => step.uses?.startsWith("sigstore/cosign-installer@"));
  if (installAt === -1 || installAt > signAt)
    problems.push(`${file}: job ${signer} must install cosign (sigstore/cosign-installer) before signing`);
  for (const [i, step] of steps.entries()) {
    const text = `${step.run ?? ""}\n${JSON.stringify(step.env ?? {})}`;
    if (
      /kube9-release image (sign|verify)\b|cosign /.test(step.run ?? "") &&
      /--key\b|COSIGN_KEY|COSIGN_PASSWORD/.test(text)
    )
      problems.push(
        `${file}: job ${signer} step ${JSON.stringify(step.name ?? `#${i + 1}`)} signs or verifies with a key; the release is keyless`,
      );
  }
  const provenance = steps.find((step) => step.uses?.startsWith("actions/attest-build-provenance@"));
  if (provenance === undefined || String(provenance.with?.["push-to-registry"]) !== "true")
    problems.push(`${file}: job ${signer} must attest build provenance with push-to-registry: true`);
  const verify = steps.slice(signAt + 1).find((step) => /kube9-release image verify\b/.test(step.run ?? ""));
  const verifyText = verify?.run ?? "";
  const missing = [
    "--require-signature",
    "--require-sbom",
    "--certificate-identity",
    `--certificate-oidc-issuer ${GITHUB_ISSUER}`,
  ].filter((flag) => !verifyText.includes(flag));
  if (verify === undefined || missing.length > 0)
    problems.push(
      `${file}: job ${signer} must verify after signing, fail closed: kube9-release image verify ${missing.join(" ") || "--require-signature --require-sbom"}`,
    );
  return problems;
}

export function releaseWorkflowProblems(files: Record<string, RawWorkflow>): string[] {
  const problems: string[] = [];
  const release = files["release.yml"]?.jobs ?? {};
  const caller = (target: string) =>
    Object.entries(release).find(([, job]) => job.uses === `./.github/workflows/${target}`)?.[0];
  const image = caller("release-image.yml");
  const chart = caller("release-chart.yml");
  if (image === undefined || chart === undefined)
    problems.push("release.yml: must call release-image.yml and release-chart.yml");
  else if (!ancestors(release, chart).has(image))
    problems.push(
      `release.yml: job ${chart} (the chart) must need job ${image} (the image): the chart may only point at a pushed image`,
    );
  if (files["release-image.yml"] !== undefined)
    problems.push(...signingProblems("release-image.yml", files["release-image.yml"]));
  for (const [file, workflow] of Object.entries(files)) {
    problems.push(...concurrencyProblems(file, "workflow", workflow.concurrency));
    const jobs = workflow.jobs ?? {};
    for (const [id, job] of Object.entries(jobs)) {
      problems.push(...concurrencyProblems(file, `job ${id}`, job.concurrency));
      const text = runs(job);
      if (/kube9-release image push\b/.test(text) || /image build\b[^\n]*--push/.test(text)) {
        const scanner = Object.entries(jobs).find(([, other]) =>
          /kube9-release image scan\b/.test(runs(other)),
        )?.[0];
        if (scanner === undefined || !ancestors(jobs, id).has(scanner))
          problems.push(`${file}: job ${id} pushes the image without needing the scan job`);
      }
      const powerful = ["id-token", "packages"].some((scope) => job.permissions?.[scope] === "write");
      if (!powerful) continue;
      if (/install-release-cli\.mjs --build|npm (ci|install)(?![^\n]*--omit=dev)/.test(text))
        problems.push(
          `${file}: job ${id} can push or mint OIDC tokens and installs more than production dependencies`,
        );
      if (
        (job.steps ?? []).some(
          (step) => step.uses?.startsWith("actions/cache") || step.with?.cache !== undefined,
        )
      )
        problems.push(`${file}: job ${id} can push or mint OIDC tokens and restores a cache`);
    }
  }
  return problems;
}

export async function assertReleaseWorkflowContract(repository: string): Promise<void> {
  const files: Record<string, RawWorkflow> = {};
  for (const name of ["release.yml", "release-image.yml", "release-chart.yml"]) {
    const path = join(repository, ".github", "workflows", name);
    files[name] = yaml.load(await readFile(path, "utf8")) as RawWorkflow;
  }
  const problems = releaseWorkflowProblems(files);
  if (problems.length > 0) {
    throw new ReleaseError(
      "WORKFLOW_INVALID",
      `the release workflows break the release order:\n  - ${problems.join("\n  - ")}`,
      {
        file: join(repository, ".github", "workflows"),
        fix: "keep the order of docs/releasing.md: build, scan, push, sign (keyless) and verify, then the chart",
      },
    );
  }
}
