import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import type { Command } from "commander";
import { ReleaseError } from "../../errors.js";
import { startRehearsalCloud } from "../../rehearse/cloud.js";
import {
  REHEARSABLE_WORKFLOWS,
  type RehearsableWorkflow,
  type Rehearsal,
  type RehearseOptions,
  rehearse,
} from "../../rehearse/rehearse.js";
import { parseReleaseTag } from "../../release/release-check.js";
import type { CliContext } from "../context.js";
import { commandOutput } from "../output.js";

const exec = promisify(execFile);

interface RehearseFlags {
  workflow: string;
  repoDir?: string;
  out?: string;
  buildImage?: string;
  runtimeImage?: string;
  trivyDb?: string;
  kubeconfig?: string;
  json?: boolean;
}

interface ToolPaths {
  toolPath(name: string): string;
  toolSpec(name: string): { version: string };
  cacheRoot(): string;
}

/** The pinned tools of the rehearsed checkout (scripts/tools.json), each checked to be there. */
async function checkoutTools(repository: string): Promise<ToolPaths> {
  const module = join(repository, "scripts", "tool-paths.mjs");
  if (!existsSync(module)) {
    throw new ReleaseError(
      "USAGE",
      `${repository} is not a kube9-operator checkout (no scripts/tool-paths.mjs)`,
      {
        field: "--repo-dir",
        fix: "run the rehearsal inside the repository, or pass --repo-dir",
      },
    );
  }
  const paths = (await import(pathToFileURL(module).href)) as ToolPaths;
  return {
    ...paths,
    toolPath: (name) => {
      const path = paths.toolPath(name);
      if (!existsSync(path)) {
        throw new ReleaseError("TOOL_FAILED", `${name} is not installed at ${path}`, {
          file: path,
          fix: `npm run tools -- ${name} (in ${repository})`,
        });
      }
      return path;
    },
  };
}

export function registerReleaseRehearse(release: Command, context: CliContext): void {
  release
    .command("rehearse")
    .description(
      "run the release workflows themselves for a tag, on this machine, against local stand-ins of ghcr.io, S3 and CloudFront; then check what users get",
    )
    .argument("<tag>", "an existing release tag of the repository, e.g. v1.2.3")
    .option("--workflow <file>", `the workflow to start: ${REHEARSABLE_WORKFLOWS.join(", ")}`, "release.yml")
    .option("--repo-dir <dir>", "the repository (default: the git checkout of the current directory)")
    .option("--out <dir>", "where the run's folders and the report go (default: a new temporary folder)")
    .option("--build-image <ref>", "the Dockerfile's build base (vars.KUBE9_BUILD_IMAGE), e.g. a mirror")
    .option("--runtime-image <ref>", "the Dockerfile's runtime base (vars.KUBE9_RUNTIME_IMAGE)")
    .option(
      "--trivy-db <dir>",
      "scan offline with this Trivy cache folder (default: Trivy downloads its database)",
    )
    .option(
      "--kubeconfig <file>",
      "install the chart into this cluster at the end (default: a client-side dry run)",
    )
    .option("--json", "print the rehearsal as JSON")
    .action(async (tag: string, flags: RehearseFlags) => {
      const output = commandOutput(context, flags);
      const request = await rehearsalRequest(tag, flags, context);
      const result = await releaseRehearse(request, {
        progress: output.progress,
        ...(flags.json === true ? {} : { log: (line: string) => context.stderr(`    ${line}\n`) }),
      });
      output.render({ data: result, human: `${result.text}report: ${result.reportDir}` });
    });
}

/** What a rehearsal runs, checked before any stand-in starts. */
type RehearsalRequest = Omit<RehearseOptions, "cloud" | "progress" | "log"> & { tools: ToolPaths };

async function checkoutOf(flags: RehearseFlags, context: CliContext): Promise<string> {
  if (flags.repoDir !== undefined) return resolve(context.cwd, flags.repoDir);
  return exec("git", ["-C", context.cwd, "rev-parse", "--show-toplevel"]).then(
    (r) => r.stdout.trim(),
    () => {
      throw new ReleaseError("USAGE", `${context.cwd} is not inside a git repository`, {
        field: "--repo-dir",
        fix: "run the rehearsal inside the kube9-operator repository, or pass --repo-dir",
      });
    },
  );
}

async function rehearsalRequest(
  tag: string,
  flags: RehearseFlags,
  context: CliContext,
): Promise<RehearsalRequest> {
  if (!(REHEARSABLE_WORKFLOWS as readonly string[]).includes(flags.workflow)) {
    throw new ReleaseError("USAGE", `${JSON.stringify(flags.workflow)} is not a release workflow`, {
      field: "--workflow",
      fix: `give one of ${REHEARSABLE_WORKFLOWS.join(", ")}`,
    });
  }
  if ((flags.buildImage === undefined) !== (flags.runtimeImage === undefined)) {
    throw new ReleaseError("USAGE", "give --build-image and --runtime-image together", {
      field: "--build-image",
    });
  }
  const repository = await checkoutOf(flags, context);
  const tools = await checkoutTools(repository);
  // Before any stand-in starts: a tag that is not a release tag, or not in the repository.
  parseReleaseTag(tag);
  await exec("git", [
    "-C",
    repository,
    "rev-parse",
    "--verify",
    "--quiet",
    `refs/tags/${tag}^{commit}`,
  ]).catch(() => {
    throw new ReleaseError("USAGE", `there is no tag ${tag} in ${repository}`, {
      field: "<tag>",
      fix: `create it first (git tag ${tag}): a release starts from a tag, as on GitHub`,
    });
  });
  return {
    tools,
    repository,
    tag,
    workflow: flags.workflow as RehearsableWorkflow,
    trivy: {
      binary: tools.toolPath("trivy"),
      version: tools.toolSpec("trivy").version,
      ...(flags.trivyDb === undefined ? {} : { cacheDir: resolve(context.cwd, flags.trivyDb) }),
    },
    cosign: { binary: tools.toolPath("cosign"), version: tools.toolSpec("cosign").version },
    ...(flags.buildImage === undefined || flags.runtimeImage === undefined
      ? {}
      : { baseImages: { build: flags.buildImage, runtime: flags.runtimeImage } }),
    helm: [
      { label: "helm3", binary: tools.toolPath("helm3") },
      { label: "helm4", binary: tools.toolPath("helm4") },
    ],
    ...(flags.kubeconfig === undefined ? {} : { kubeconfig: resolve(context.cwd, flags.kubeconfig) }),
    workDir:
      flags.out === undefined
        ? await mkdtemp(join(tmpdir(), `kube9-rehearsal-${tag}-`))
        : resolve(context.cwd, flags.out),
    toolsCache: tools.cacheRoot(),
  };
}

/** `release rehearse` as a plain function: its own stand-in cloud, started and stopped around the run. */
async function releaseRehearse(
  request: RehearsalRequest,
  log: Pick<RehearseOptions, "progress" | "log">,
): Promise<Rehearsal> {
  const { tools, ...options } = request;
  const cloud = await startRehearsalCloud({
    registry: tools.toolPath("docker-registry"),
    versitygw: tools.toolPath("versitygw"),
    varnishd: tools.toolPath("varnish"),
  });
  try {
    return await rehearse({ ...options, cloud, ...log });
  } finally {
    await cloud.stop();
  }
}
