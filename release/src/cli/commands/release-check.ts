import { resolve } from "node:path";
import type { Command } from "commander";
import { writeGithubOutputs } from "../../image/github-output.js";
import { assertReleaseConsistent, checkRelease } from "../../release/release-check.js";
import { readTextOption } from "../artifacthub-options.js";
import type { CliContext } from "../context.js";
import { commandOutput } from "../output.js";

interface CheckFlags {
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
      const changelog =
        flags.changesFrom === undefined
          ? undefined
          : await readTextOption(flags.changesFrom, "--changes-from", context.cwd, "the changelog");
      const check = assertReleaseConsistent(
        await checkRelease(
          tag,
          resolve(context.cwd, flags.chart),
          changelog === undefined ? {} : { changelog },
        ),
      );
      if (flags.githubOutput === true) {
        writeGithubOutputs(context.env, {
          version: check.version,
          prerelease: String(check.prerelease),
          "image-tag": check.defaultImageTag ?? check.version,
        });
      }
      output.result(
        check,
        `OK ${check.tag}: chart ${check.chart} is published as version ${check.chartVersion}, appVersion ${check.appVersion} (Chart.yaml holds ${check.committedVersion}); default image tag ${check.defaultImageTag}`,
      );
    });
}
