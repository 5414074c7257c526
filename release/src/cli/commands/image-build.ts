import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { ReleaseError } from "../../errors.js";
import { parseDockerfileStages } from "../../image/builder/dockerfile-stages.js";
import { writeGithubOutputs } from "../../image/github-output.js";
import { checkRfc3339 } from "../../image/labels.js";
import { parseImageReference } from "../../image/reference.js";
import { PASSWORD_ENV, registryCredentials, USERNAME_ENV } from "../../image/registry-credentials.js";
import { registryTls } from "../../image/registry-tls.js";
import { RELEASE_IMAGE_MAX_SIZE, RELEASE_IMAGE_PLATFORMS } from "../../image/release-platforms.js";
import { parseReleaseVersion } from "../../image/release-version.js";
import { parseSize } from "../../image/units.js";
import type { CliContext } from "../context.js";
import { runGit } from "../git.js";
import { commandOutput } from "../output.js";
import { renderImageBuild } from "./image-build-render.js";
import { type ImageBuildRequest, imageBuild } from "./image-build-run.js";

interface BuildFlags {
  push?: string;
  platform: string;
  file: string;
  context: string;
  buildArg: string[];
  revision?: string;
  created?: string;
  source: string;
  maxSize: string;
  buildah: string;
  storage?: string;
  ociLayout?: string;
  json?: boolean;
  githubOutput?: boolean;
}

const PLATFORM = /^linux\/(amd64|arm64|arm\/v7|ppc64le|s390x|riscv64)$/;

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parsePlatforms(text: string): string[] {
  const platforms = text
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
  const bad = platforms.find((p) => !PLATFORM.test(p));
  if (platforms.length === 0 || bad !== undefined) {
    throw new ReleaseError("USAGE", `${JSON.stringify(bad ?? text)} is not a platform`, {
      field: "--platform",
      fix: "write a comma-separated list such as linux/amd64,linux/arm64",
    });
  }
  return [...new Set(platforms)];
}

function parseBuildArgs(pairs: string[]): Record<string, string> {
  const args: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(pair.slice(0, eq))) {
      throw new ReleaseError("USAGE", `${JSON.stringify(pair)} is not NAME=value`, {
        field: "--build-arg",
        fix: "e.g. --build-arg RUNTIME_IMAGE=registry.example/node@sha256:...",
      });
    }
    const name = pair.slice(0, eq);
    if (["VERSION", "REVISION", "CREATED", "BUILDPLATFORM", "TARGETPLATFORM"].includes(name)) {
      throw new ReleaseError("USAGE", `--build-arg ${name} is set by image build itself`, {
        field: "--build-arg",
        fix: "use the <version> argument, --revision or --created (BUILDPLATFORM/TARGETPLATFORM follow --platform)",
      });
    }
    args[name] = pair.slice(eq + 1);
  }
  return args;
}

/** The commit and its time, unless given: the labels and timestamps of a reproducible build. */
async function commitFacts(
  flags: BuildFlags,
  context: CliContext,
  contextDir: string,
): Promise<{ revision: string; created: string; epoch: number }> {
  let revision = flags.revision;
  let created = flags.created;
  const epochText = context.env.SOURCE_DATE_EPOCH?.trim();
  if (created === undefined && epochText !== undefined && epochText !== "") {
    if (!/^\d+$/.test(epochText)) {
      throw new ReleaseError("USAGE", `SOURCE_DATE_EPOCH=${JSON.stringify(epochText)} is not whole seconds`, {
        field: "SOURCE_DATE_EPOCH",
        fix: "set it to the commit time in seconds: git log -1 --format=%ct",
      });
    }
    created = new Date(Number(epochText) * 1000).toISOString();
  }
  if (revision === undefined || created === undefined) {
    const git = await runGit(["log", "-1", "--format=%H %cI"], contextDir);
    const [sha, time] = git.stdout.trim().split(" ");
    if (!git.ok || sha === undefined || time === undefined) {
      throw new ReleaseError("USAGE", `cannot read the commit of ${contextDir} with git`, {
        field: "--revision",
        fix: "run inside a git checkout, or pass --revision <sha> and --created <time>",
      });
    }
    revision ??= sha;
    created ??= time;
  }
  const canonical = new Date(checkRfc3339(created, "--created")).toISOString().replace(/\.\d{3}Z$/, "Z");
  return { revision, created: canonical, epoch: Math.floor(Date.parse(canonical) / 1000) };
}

export function registerImageBuild(image: Command, context: CliContext): void {
  image
    .command("build")
    .description(
      "build the Dockerfile with buildah for every platform (no Docker engine), check and measure the result, and push it under the release tags",
    )
    .argument("<version>", "release tag or version, e.g. v1.2.3")
    .option("--push <repository>", "push to this repository (host/name), e.g. ghcr.io/alto9/kube9-operator")
    .option("--platform <list>", "comma-separated target platforms", RELEASE_IMAGE_PLATFORMS.join(","))
    .option("--file <path>", "the Dockerfile", "Dockerfile")
    .option("--context <dir>", "the build context", ".")
    .option("--build-arg <name=value>", "a build argument, e.g. RUNTIME_IMAGE=... (repeatable)", collect, [])
    .option("--revision <sha>", "commit of the build (default: git HEAD of the context)")
    .option(
      "--created <time>",
      "commit time, RFC 3339 (default: SOURCE_DATE_EPOCH, else the commit time of HEAD)",
    )
    .option("--source <url>", "source repository URL", "https://github.com/alto9/kube9-operator")
    .option(
      "--max-size <size>",
      "budget per platform, uncompressed (1 MB = 10^6 bytes)",
      RELEASE_IMAGE_MAX_SIZE,
    )
    .option("--buildah <path>", "the buildah binary", "buildah")
    .option("--storage <dir>", "keep buildah's storage here (default: a temporary folder, removed)")
    .option(
      "--oci-layout <dir>",
      "also keep the built image as an OCI image layout in this new folder (e.g. for `image scan DIR`)",
    )
    .option("--json", "print the result as JSON")
    .option("--github-output", "also write digest= (the image index) to $GITHUB_OUTPUT")
    .addHelpText(
      "after",
      `
Registry credentials for --push come from ${USERNAME_ENV} and ${PASSWORD_ENV}.
Registries on loopback (localhost, 127.0.0.1) are spoken to over plain HTTP, each named in a
registries.conf for this run; every other registry keeps TLS verification.`,
    )
    .action(async (versionText: string, flags: BuildFlags) => {
      const output = commandOutput(context, flags);
      const request = await buildRequest(versionText, flags, context);
      const outcome = await imageBuild(request, {
        progress: output.progress,
        ...(flags.json === true ? {} : { buildahLine: (line: string) => context.stderr(`  ${line}\n`) }),
      });
      if (flags.githubOutput === true) writeGithubOutputs(context.env, { digest: outcome.result.digest });
      output.render(renderImageBuild(outcome));
    });
}

/** The flags as a typed request: every refusal before buildah starts (a build takes minutes). */
async function buildRequest(
  versionText: string,
  flags: BuildFlags,
  context: CliContext,
): Promise<ImageBuildRequest> {
  const version = parseReleaseVersion(versionText).version;
  const platforms = parsePlatforms(flags.platform);
  const buildArgs = parseBuildArgs(flags.buildArg);
  const maxBytes = parseSize(flags.maxSize, "--max-size");
  const contextDir = resolve(context.cwd, flags.context);
  const dockerfile = resolve(context.cwd, flags.file);
  if (!existsSync(dockerfile) || !statSync(dockerfile).isFile()) {
    throw new ReleaseError("USAGE", `no Dockerfile at ${dockerfile}`, {
      file: dockerfile,
      field: "--file",
      fix: "pass --file <path> of the Dockerfile itself (relative to the current directory)",
    });
  }
  if (!existsSync(contextDir) || !statSync(contextDir).isDirectory()) {
    throw new ReleaseError("USAGE", `the build context ${contextDir} is not a folder`, {
      file: contextDir,
      field: "--context",
      fix: "pass --context <folder> (the folder the Dockerfile's COPY reads from)",
    });
  }
  const ociLayout = flags.ociLayout === undefined ? undefined : resolve(context.cwd, flags.ociLayout);
  checkNewLayoutFolder(ociLayout);
  const stages = parseDockerfileStages(readFileSync(dockerfile, "utf8"), dockerfile);
  const repository =
    flags.push === undefined ? undefined : parseImageReference(flags.push, "--push", "latest");
  const credentials = repository === undefined ? undefined : registryCredentials(context.env);
  const facts = await commitFacts(flags, context, contextDir);
  return {
    version,
    platforms,
    buildArgs,
    maxBytes,
    contextDir,
    dockerfile,
    stages,
    facts,
    source: flags.source,
    buildah: flags.buildah,
    storage: flags.storage === undefined ? undefined : resolve(context.cwd, flags.storage),
    ...(ociLayout === undefined ? {} : { ociLayout }),
    ...(repository === undefined ? {} : { push: { repository, credentials } }),
    // TLS is verified for every registry but the loopback ones named in a registries.conf.
    tls: registryTls([...Object.values(buildArgs), flags.push ?? ""]),
  };
}

function checkNewLayoutFolder(ociLayout: string | undefined): void {
  if (ociLayout === undefined || !existsSync(ociLayout)) return;
  if (!statSync(ociLayout).isDirectory()) {
    throw new ReleaseError("USAGE", `${ociLayout} is a file`, {
      file: ociLayout,
      field: "--oci-layout",
      fix: "give a new or empty folder for the OCI layout",
    });
  }
  if (readdirSync(ociLayout).length > 0) {
    throw new ReleaseError("USAGE", `${ociLayout} is not empty`, {
      file: ociLayout,
      field: "--oci-layout",
      fix: "give a new or empty folder: the layout of another build is never overwritten",
    });
  }
}
