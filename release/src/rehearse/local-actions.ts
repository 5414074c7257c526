/**
 * The local equivalent of every action the release workflows use, for the rehearsal. A workflow
 * that adds an action not listed here fails the rehearsal before anything runs (the engine checks
 * every `uses:` up front), so the workflows cannot drift from what is rehearsed.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { cp, mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { basename, dirname, isAbsolute, join } from "node:path";
import { promisify } from "node:util";
import { artifactActions } from "./workflow/artifact-actions.js";
import type { ActionContext, ActionMap, ActionOutcome } from "./workflow/index.js";

const exec = promisify(execFile);

export interface LocalActionSettings {
  /** The repository being rehearsed: what actions/checkout clones. */
  repository: string;
  /** Artifacts of the run (upload-artifact / download-artifact), one folder per name. */
  artifacts: string;
  /** The rehearsal's report folder: SARIF uploads and attestations land here. */
  report: string;
  /** The pinned Trivy, and the database folder it scans with offline (none: it downloads one, as on GitHub). */
  trivy: { binary: string; version: string; cacheDir?: string };
  /** What configure-aws-credentials hands out: the S3 and CloudFront stand-ins' settings. */
  aws: { env: Record<string, string>; roleArn: string };
  /** The pinned cosign's version, and the keyless stand-in's folder of commands (stand-ins/sigstore.ts). */
  cosign: { version: string; binDir: string };
}

function required(inputs: Record<string, string>, name: string): string {
  const value = inputs[name];
  if (value === undefined || value === "") throw new Error(`input "${name}" is required`);
  return value;
}

function inWorkspace(context: ActionContext, path: string): string {
  return isAbsolute(path) ? path : join(context.workspace, path);
}

/** actions/checkout: the repository at `ref`, detached, in the job's workspace. */
async function checkout(
  settings: LocalActionSettings,
  inputs: Record<string, string>,
  context: ActionContext,
) {
  const ref = required(inputs, "ref");
  if ((await readdir(context.workspace)).length > 0)
    throw new Error(`the workspace ${context.workspace} is not empty`);
  // --shared: objects are read from the rehearsed repository, nothing is copied.
  await exec("git", [
    "clone",
    "--quiet",
    "--shared",
    "--no-checkout",
    settings.repository,
    context.workspace,
  ]);
  try {
    await exec("git", ["-C", context.workspace, "checkout", "--quiet", "--detach", ref]);
  } catch (error) {
    throw new Error(
      `cannot check out ${ref}: ${(error as { stderr?: string }).stderr?.trim() ?? String(error)}`,
    );
  }
  const { stdout } = await exec("git", ["-C", context.workspace, "rev-parse", "HEAD"]);
  context.log(`checked out ${ref} at ${stdout.trim()}`);
  return {};
}

/** actions/setup-node: this machine's Node.js (the rehearsal says when its major differs). */
async function setupNode(inputs: Record<string, string>, context: ActionContext): Promise<ActionOutcome> {
  const wanted = required(inputs, "node-version");
  const have = process.versions.node;
  if (wanted.split(".")[0] !== have.split(".")[0]) {
    context.log(`the workflow asks for Node.js ${wanted}; the rehearsal runs ${have}`);
  }
  return { path: [dirname(process.execPath)] };
}

/** A setup action installs the version the rehearsal runs, or the rehearsal proves nothing of it. */
function requirePinned(tool: string, wanted: string, rehearsed: string): void {
  if (wanted !== rehearsed) {
    throw new Error(
      `the workflow installs ${tool} ${wanted}, the rehearsal has ${rehearsed}: pin the same version in scripts/tools.json`,
    );
  }
}

/** aquasecurity/setup-trivy: the pinned Trivy with a local database, offline. */
async function setupTrivy(
  settings: LocalActionSettings,
  inputs: Record<string, string>,
): Promise<ActionOutcome> {
  requirePinned("Trivy", required(inputs, "version"), settings.trivy.version);
  const offline: Record<string, string> =
    settings.trivy.cacheDir === undefined
      ? {}
      : {
          TRIVY_CACHE_DIR: settings.trivy.cacheDir,
          TRIVY_SKIP_DB_UPDATE: "true",
          TRIVY_SKIP_JAVA_DB_UPDATE: "true",
          TRIVY_OFFLINE_SCAN: "true",
        };
  return { path: [dirname(settings.trivy.binary)], env: offline };
}

/**
 * github/codeql-action/upload-sarif: a SARIF file, or every .sarif file of a folder, checked to be
 * SARIF 2.1.0 with a category (the `category` input, or each run's automationDetails.id), kept in
 * the report.
 */
async function uploadSarif(
  settings: LocalActionSettings,
  inputs: Record<string, string>,
  context: ActionContext,
) {
  const path = inWorkspace(context, required(inputs, "sarif_file"));
  const files = (await stat(path)).isDirectory()
    ? (await readdir(path)).filter((name) => name.endsWith(".sarif")).map((name) => join(path, name))
    : [path];
  if (files.length === 0) throw new Error(`no .sarif file in ${path}`);
  await mkdir(join(settings.report, "sarif"), { recursive: true });
  for (const file of files) {
    const sarif = JSON.parse(await readFile(file, "utf8")) as {
      version?: string;
      runs?: Array<{ automationDetails?: { id?: string } }>;
    };
    if (sarif.version !== "2.1.0" || !Array.isArray(sarif.runs))
      throw new Error(`${file} is not SARIF 2.1.0`);
    const category = inputs.category || sarif.runs[0]?.automationDetails?.id;
    if (category === undefined || category === "") {
      throw new Error(`${file} has no category: give the category input or set automationDetails.id`);
    }
    await cp(file, join(settings.report, "sarif", basename(file)));
    context.log(`SARIF ${basename(file)} kept (category ${category})`);
  }
  return {};
}

/** aws-actions/configure-aws-credentials: the stand-ins' credentials and endpoints. */
async function configureAws(
  settings: LocalActionSettings,
  inputs: Record<string, string>,
): Promise<ActionOutcome> {
  const role = required(inputs, "role-to-assume");
  if (role !== settings.aws.roleArn)
    throw new Error(`role-to-assume is ${role}, not the publisher role ${settings.aws.roleArn}`);
  return { env: { ...settings.aws.env, AWS_REGION: required(inputs, "aws-region") } };
}

/**
 * sigstore/cosign-installer: the pinned cosign, behind the keyless stand-in (stand-ins/sigstore.ts).
 * The job gets the variables GitHub gives a job with `id-token: write`, so that keyless signing is
 * chosen as on GitHub; the stand-in signs with the rehearsal key and never asks for a token.
 */
async function installCosign(
  settings: LocalActionSettings,
  inputs: Record<string, string>,
): Promise<ActionOutcome> {
  requirePinned("cosign", required(inputs, "cosign-release"), settings.cosign.version);
  return {
    path: [settings.cosign.binDir],
    env: {
      ACTIONS_ID_TOKEN_REQUEST_URL: "http://127.0.0.1:9/rehearsal-keyless-stand-in",
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: "rehearsal",
    },
  };
}

/** The Docker config.json of the job's HOME, where docker/login-action writes and other actions read. */
function dockerConfigPath(context: ActionContext): string {
  const home = context.env.HOME;
  if (home === undefined || home === "") throw new Error("the job has no HOME for ~/.docker/config.json");
  return join(home, ".docker", "config.json");
}

async function readDockerAuths(context: ActionContext): Promise<Record<string, { auth?: string }>> {
  const text = await readFile(dockerConfigPath(context), "utf8").catch(() => "{}");
  return (JSON.parse(text) as { auths?: Record<string, { auth?: string }> }).auths ?? {};
}

/**
 * docker/login-action: the credentials checked against the registry's token endpoint (as
 * `docker login` does), then stored in ~/.docker/config.json.
 */
async function dockerLogin(inputs: Record<string, string>, context: ActionContext): Promise<ActionOutcome> {
  const registry = required(inputs, "registry");
  const username = required(inputs, "username");
  const password = required(inputs, "password");
  const basic = Buffer.from(`${username}:${password}`).toString("base64");
  const scheme = /^(localhost|127\.0\.0\.1)(:\d+)?$/.test(registry) ? "http" : "https";
  const challenge = (await fetch(`${scheme}://${registry}/v2/`)).headers.get("www-authenticate") ?? "";
  const realm = /realm="([^"]+)"/.exec(challenge)?.[1];
  if (realm === undefined) throw new Error(`${registry} asks for no token (WWW-Authenticate: ${challenge})`);
  const answer = await fetch(realm, { headers: { authorization: `Basic ${basic}` } });
  if (!answer.ok) throw new Error(`login to ${registry} failed: HTTP ${answer.status}`);
  const auths = { ...(await readDockerAuths(context)), [registry]: { auth: basic } };
  await mkdir(dirname(dockerConfigPath(context)), { recursive: true });
  await writeFile(dockerConfigPath(context), `${JSON.stringify({ auths }, null, 2)}\n`, { mode: 0o600 });
  context.log(`logged in to ${registry} as ${username}`);
  return {};
}

/**
 * actions/attest-build-provenance: the statement's subject, kept in the report. With
 * push-to-registry, the registry of the subject must have a login (the action pushes with the
 * Docker credentials of docker/login-action).
 */
async function attest(settings: LocalActionSettings, inputs: Record<string, string>, context: ActionContext) {
  // subject-path: a file of the job (the chart archive), named and digested as the action does.
  const path = inputs["subject-path"];
  const name = path === undefined || path === "" ? required(inputs, "subject-name") : basename(path);
  const digest =
    path === undefined || path === ""
      ? required(inputs, "subject-digest")
      : `sha256:${createHash("sha256")
          .update(await readFile(inWorkspace(context, path)))
          .digest("hex")}`;
  if (!/^sha256:[0-9a-f]{64}$/.test(digest))
    throw new Error(`subject-digest ${JSON.stringify(digest)} is not a digest`);
  const pushed = inputs["push-to-registry"] === "true";
  if (pushed) {
    const registry = name.slice(0, name.indexOf("/"));
    if ((await readDockerAuths(context))[registry] === undefined)
      throw new Error(`push-to-registry: no login for ${registry} (docker/login-action before this step)`);
  }
  await mkdir(join(settings.report, "attestations"), { recursive: true });
  const file = join(settings.report, "attestations", `${digest.slice(7, 19)}.json`);
  await writeFile(
    file,
    `${JSON.stringify({ subject: [{ name, digest }], workflow: context.workflowFile, pushToRegistry: pushed }, null, 2)}\n`,
  );
  return { outputs: { "bundle-path": file } };
}

export function localActions(settings: LocalActionSettings): ActionMap {
  return {
    "actions/checkout": (inputs, context) => checkout(settings, inputs, context),
    "actions/setup-node": (inputs, context) => setupNode(inputs, context),
    // As v4 does: hidden files left out, names unique per run, file modes not kept.
    ...artifactActions(settings.artifacts),
    "aquasecurity/setup-trivy": (inputs) => setupTrivy(settings, inputs),
    "github/codeql-action/upload-sarif": (inputs, context) => uploadSarif(settings, inputs, context),
    "aws-actions/configure-aws-credentials": (inputs) => configureAws(settings, inputs),
    "actions/attest-build-provenance": (inputs, context) => attest(settings, inputs, context),
    "sigstore/cosign-installer": (inputs) => installCosign(settings, inputs),
    "docker/login-action": (inputs, context) => dockerLogin(inputs, context),
  };
}
