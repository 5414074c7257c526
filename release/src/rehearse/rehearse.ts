/**
 * `kube9-release release rehearse <tag>`: a release run end to end on this machine. The workflow
 * files of the tag's commit are executed by the local runner (./workflow/), job by job and step
 * by step, with the local equivalents of their actions (local-actions.ts) against the local
 * stand-ins of ghcr.io, S3 and CloudFront (cloud.ts); then what a user gets is checked
 * (user-view.ts). Nothing here decides what a release does: the workflows and the commands they
 * call do, exactly as on GitHub.
 */
import { execFile } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { ReleaseError } from "../errors.js";
import { parseReleaseTag } from "../release/release-check.js";
import type { RehearsalCloud } from "./cloud.js";
import { localActions } from "./local-actions.js";
import { startSigstoreStandIn, workflowIdentity } from "./stand-ins/sigstore.js";
import { checkUserView, type UserView } from "./user-view.js";
import {
  assertWorkflowSucceeded,
  type RunWorkflowOptions,
  renderReport,
  runWorkflow,
  type WorkflowEvent,
  type WorkflowResult,
} from "./workflow/index.js";
import { assertReleaseWorkflowContract } from "./workflow-contract.js";

const exec = promisify(execFile);

/** The workflows a maintainer starts: the release, or one reusable workflow run by hand. */
export const REHEARSABLE_WORKFLOWS = ["release.yml", "release-image.yml", "release-chart.yml"] as const;
export type RehearsableWorkflow = (typeof REHEARSABLE_WORKFLOWS)[number];

export interface RehearseOptions {
  /** The git repository holding the tag (its workflows are read at the tag's commit). */
  repository: string;
  tag: string;
  workflow: RehearsableWorkflow;
  cloud: RehearsalCloud;
  /** Trivy and, for offline use, the vulnerability database folder it reads. */
  trivy: { binary: string; version: string; cacheDir?: string };
  /** The pinned cosign: the keyless stand-in signs with it (stand-ins/sigstore.ts). */
  cosign: { binary: string; version: string };
  /** Base images for the Dockerfile (a mirror), as the KUBE9_BUILD_IMAGE / KUBE9_RUNTIME_IMAGE variables. */
  baseImages?: { build: string; runtime: string };
  helm: Array<{ label: string; binary: string }>;
  kubeconfig?: string;
  /** Where the run's folders (workspaces, artifacts) and the report go. */
  workDir: string;
  /** The tool cache the steps' own scripts use (scripts/tool-paths.mjs). */
  toolsCache?: string;
  progress: (line: string) => void;
  /** One line of a step's log. */
  log?: (line: string) => void;
}

export interface Rehearsal {
  tag: string;
  version: string;
  sha: string;
  workflow: WorkflowResult;
  userView?: UserView;
  seconds: number;
  /** The report, as printed. */
  text: string;
  reportDir: string;
  /** What the image is signed with in the rehearsal (keyless on GitHub): the public key, and the identity it stands for. */
  signing: { publicKey: string; identity: string };
}

/** The workflow that signs the image: its identity is what users verify (docs/verifying.md). */
export const SIGNING_WORKFLOW = ".github/workflows/release-image.yml";
const REPOSITORY = "alto9/kube9-operator";

async function git(cwd: string, args: string[]): Promise<string> {
  return (await exec("git", ["-C", cwd, ...args])).stdout.trim();
}

async function tagCommit(repository: string, tag: string): Promise<string> {
  try {
    return await git(repository, ["rev-parse", "--verify", "--quiet", `refs/tags/${tag}^{commit}`]);
  } catch {
    throw new ReleaseError("USAGE", `there is no tag ${tag} in ${repository}`, {
      field: "<tag>",
      fix: `create it first (git tag ${tag}): a release starts from a tag, as on GitHub`,
    });
  }
}

function releaseEvent(options: RehearseOptions, version: string): WorkflowEvent {
  if (options.workflow === "release.yml") {
    return {
      name: "release",
      payload: {
        action: "published",
        release: {
          tag_name: options.tag,
          name: options.tag,
          prerelease: version.includes("-"),
          draft: false,
        },
      },
    };
  }
  return {
    name: "workflow_dispatch",
    payload: { inputs: { tag: options.tag } },
    inputs: { tag: options.tag },
  };
}

/**
 * The job containers this machine can stand for: the release runs its build in Debian 12 (the
 * pinned buildah is a Debian 12 package), which is what a Debian 12 host is already.
 */
export async function hostImages(osRelease = "/etc/os-release"): Promise<RegExp[]> {
  const text = await readFile(osRelease, "utf8").catch(() => "");
  const debian12 = /^ID=debian$/m.test(text) && /^VERSION_ID="?12"?$/m.test(text);
  return debian12 ? [/^debian:(bookworm|12)(-slim)?(@sha256:[0-9a-f]{64})?$/] : [];
}

/** The environment of the rehearsal's runner: a clean machine, not the caller's shell. */
function runnerEnv(options: RehearseOptions, home: string): Record<string, string> {
  return {
    PATH: [
      dirname(process.execPath),
      "/usr/local/sbin",
      "/usr/local/bin",
      "/usr/sbin",
      "/usr/bin",
      "/sbin",
      "/bin",
    ].join(":"),
    HOME: home,
    LANG: "C.UTF-8",
    // The runner's npm cache is per run on GitHub; here the machine's is reused so that a rehearsal
    // does not download every package again. Only the download cache: nothing else is shared.
    npm_config_cache: join(homedir(), ".npm"),
    ...(options.toolsCache === undefined ? {} : { KUBE9_TOOLS_CACHE: options.toolsCache }),
  };
}

/** GitHub reads the workflow files of the commit it runs: so does the rehearsal. */
async function checkOutRelease(repository: string, sha: string, source: string): Promise<void> {
  await exec("git", ["clone", "--quiet", "--shared", "--no-checkout", repository, source]);
  await git(source, ["checkout", "--quiet", "--detach", sha]);
  await assertReleaseWorkflowContract(source);
}

/** The run of the release workflow as GitHub would start it for the tag, against the stand-in cloud. */
async function releaseRun(
  options: RehearseOptions,
  run: { source: string; sha: string; version: string; reportDir: string; signingBinDir: string },
): Promise<RunWorkflowOptions> {
  const { cloud } = options;
  return {
    workflow: join(".github", "workflows", options.workflow),
    repositoryRoot: run.source,
    event: releaseEvent(options, run.version),
    github: {
      repository: REPOSITORY,
      sha: run.sha,
      ref: `refs/tags/${options.tag}`,
      actor: cloud.registry.pusher.username,
    },
    vars: {
      ...cloud.vars(),
      ...(options.baseImages === undefined
        ? {}
        : { KUBE9_BUILD_IMAGE: options.baseImages.build, KUBE9_RUNTIME_IMAGE: options.baseImages.runtime }),
    },
    secrets: { GITHUB_TOKEN: cloud.registry.pusher.password },
    environmentSecrets: { release: cloud.releaseEnvironmentSecrets() },
    baseEnv: runnerEnv(options, join(options.workDir, "home")),
    actions: localActions({
      repository: options.repository,
      artifacts: join(options.workDir, "artifacts"),
      report: run.reportDir,
      trivy: options.trivy,
      aws: { env: cloud.awsEnv(), roleArn: cloud.publisherRoleArn },
      cosign: { version: options.cosign.version, binDir: run.signingBinDir },
    }),
    actionMapSource: "release/src/rehearse/local-actions.ts",
    hostImages: await hostImages(),
    runnerTemp: join(options.workDir, "runner"),
    progress: {
      jobStarted: (job, name) => options.progress(`job ${[...job.callers, job.jobId].join("/")}: ${name}`),
      stepStarted: (job, step) => options.progress(`  ${[...job.callers, job.jobId].join("/")} > ${step}`),
      ...(options.log === undefined ? {} : { line: options.log }),
    },
  };
}

/** What a user gets of the parts the rehearsed workflow releases, from the stand-in cloud. */
function checkReleasedView(options: RehearseOptions, version: string): Promise<UserView> {
  return checkUserView({
    cloud: options.cloud,
    version,
    helm: options.helm,
    ...(options.kubeconfig === undefined ? {} : { kubeconfig: options.kubeconfig }),
    progress: options.progress,
    parts: options.workflow === "release-image.yml" ? ["image"] : ["image", "chart"],
  });
}

export async function rehearse(options: RehearseOptions): Promise<Rehearsal> {
  const started = performance.now();
  const version = parseReleaseTag(options.tag);
  const sha = await tagCommit(options.repository, options.tag);
  const reportDir = join(options.workDir, "report");
  const source = join(options.workDir, "source");
  await mkdir(reportDir, { recursive: true });
  await checkOutRelease(options.repository, sha, source);
  // Keyless signing certifies the signing workflow at the release's ref; the stand-in signs with
  // a key made for this run and accepts only that identity.
  const sigstore = await startSigstoreStandIn({
    cosign: options.cosign.binary,
    dir: join(options.workDir, "sigstore"),
    identity: workflowIdentity(REPOSITORY, SIGNING_WORKFLOW, `refs/tags/${options.tag}`),
  });
  options.progress(`rehearsing ${options.workflow} for ${options.tag} (${sha.slice(0, 12)})`);
  const workflow = await runWorkflow(
    await releaseRun(options, { source, sha, version, reportDir, signingBinDir: sigstore.binDir }),
  );
  let text = renderReport(workflow);
  const finish = async (userView?: UserView): Promise<Rehearsal> => {
    const seconds = (performance.now() - started) / 1000;
    const result = {
      tag: options.tag,
      version,
      sha,
      workflow,
      ...(userView === undefined ? {} : { userView }),
      seconds,
      text,
      reportDir,
      signing: { publicKey: sigstore.publicKey, identity: sigstore.identity },
    };
    await writeFile(join(reportDir, "report.txt"), text);
    await writeFile(join(reportDir, "report.json"), `${JSON.stringify(result, null, 2)}\n`);
    return result;
  };
  if (workflow.status !== "success") {
    await finish();
    try {
      assertWorkflowSucceeded(workflow);
    } catch (error) {
      throw withReportPath(error, reportDir);
    }
  }
  let userView: UserView;
  try {
    userView = await checkReleasedView(options, version);
  } catch (error) {
    // The workflows succeeded but a user would not get the release: the report says so too.
    text += `\nWhat a user gets: FAILED: ${error instanceof Error ? error.message : String(error)}\n`;
    await finish();
    throw error;
  }
  text += renderUserView(userView, (performance.now() - started) / 1000);
  if (options.workflow !== "release-chart.yml")
    text += `signed with the rehearsal's key for ${sigstore.identity} (keyless on GitHub): cosign verify --key ${sigstore.publicKey} --insecure-ignore-tlog=true ...\n`;
  return finish(userView);
}

/** The rehearsal's error names where the whole report is (the error itself carries the failed step's last lines). */
function withReportPath(error: unknown, reportDir: string): unknown {
  if (!(error instanceof ReleaseError)) return error;
  return new ReleaseError(error.code, error.message, {
    ...(error.file === undefined ? {} : { file: error.file }),
    fix: `${error.fix ?? ""} (the whole report: ${join(reportDir, "report.txt")})`.trim(),
    cause: error,
  });
}

export function renderUserView(view: UserView, seconds: number): string {
  const lines = ["", "What a user gets:"];
  if (view.image !== undefined) {
    lines.push(`  image ${view.image.reference} ${view.image.digest}`);
    for (const p of view.image.platforms)
      lines.push(`    ${p.platform} ${p.digest} (${(p.compressedBytes / 1e6).toFixed(1)} MB compressed)`);
    lines.push(`    pulled anonymously: ${view.image.blobsPulled} blobs, digests checked`);
  }
  for (const chart of view.chart) {
    lines.push(
      `  ${chart.helm}: versions ${chart.listed.join(", ")}; default ${chart.defaultVersion ?? "none"}; pull digest ${chart.pulledDigest.slice(0, 12)} ok; install (${chart.installed}) renders ${chart.renderedImage}`,
    );
  }
  lines.push(`rehearsal done in ${seconds.toFixed(1)} s`);
  return `${lines.join("\n")}\n`;
}
