import { resolve } from "node:path";
import type { Command } from "commander";
import { writeGithubOutputs } from "../../image/github-output.js";
import { assertReleaseConsistent, checkRelease, type ReleaseCheck } from "../../release/release-check.js";
import { readTextOption } from "../artifacthub-options.js";
import type { CliContext } from "../context.js";
import { commandOutput, type Rendering } from "../output.js";

export interface CheckFlags {
  chart: string;
  changesFrom?: string;
  json?: boolean;
  githubOutput?: boolean;
}

export const DEFAULT_CHART_DIR = "charts/kube9-operator";

export function registerReleaseCheck(release: Command, context: CliContext): void {
  release
    .command("check")
    .description(
      "check a release tag and the chart it publishes: version and appVersion come from the tag, the default image tag must follow them, and its Artifact Hub annotations must be valid",
    )
    .argument("<tag>", "release tag, e.g. v1.2.3")
    .option("--chart <dir>", "chart directory", DEFAULT_CHART_DIR)
    .option(
      "--changes-from <file>",
      "check that this CHANGELOG.md has the release's section (what chart package --changes-from will publish)",
    )
    .option("--json", "print the result as JSON")
    .option("--github-output", "also write version=, prerelease= and image-tag= to $GITHUB_OUTPUT")
    .action(async (tag: string, flags: CheckFlags) => {
      const output = commandOutput(context, flags);
      const check = await releaseCheck(await checkRequest(tag, flags, context));
      if (flags.githubOutput === true) writeGithubOutputs(context.env, releaseOutputs(check));
      output.render(renderReleaseCheck(check));
    });
}

export interface ReleaseCheckRequest {
  tag: string;
  chartDir: string;
  /** CHANGELOG.md, read: the release's section must be in it. */
  changelog?: { text: string; file: string };
}

/** The flags as a typed request: the changelog read (a missing one is a usage error) before the chart. */
export async function checkRequest(
  tag: string,
  flags: CheckFlags,
  context: CliContext,
): Promise<ReleaseCheckRequest> {
  const changelog =
    flags.changesFrom === undefined
      ? undefined
      : await readTextOption(flags.changesFrom, "--changes-from", context.cwd, "the changelog");
  return {
    tag,
    chartDir: resolve(context.cwd, flags.chart),
    ...(changelog === undefined ? {} : { changelog }),
  };
}

/** `release check` as a plain function: the tag and its chart checked; a mismatch throws. */
export async function releaseCheck(request: ReleaseCheckRequest): Promise<ReleaseCheck> {
  const { changelog } = request;
  return assertReleaseConsistent(
    await checkRelease(request.tag, request.chartDir, changelog === undefined ? {} : { changelog }),
  );
}

/** What --github-output writes: the release workflow's later jobs read these. */
export function releaseOutputs(check: ReleaseCheck): Record<string, string> {
  return {
    version: check.version,
    prerelease: String(check.prerelease),
    "image-tag": check.defaultImageTag ?? check.version,
  };
}

export function renderReleaseCheck(check: ReleaseCheck): Rendering {
  return {
    data: check,
    human: `OK ${check.tag}: chart ${check.chart} is published as version ${check.chartVersion}, appVersion ${check.appVersion} (Chart.yaml holds ${check.committedVersion}); default image tag ${check.defaultImageTag}`,
  };
}
