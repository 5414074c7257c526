import { resolve } from "node:path";
import type { Command } from "commander";
import { assertReleaseConsistent, checkRelease } from "../../release/release-check.js";
import type { CliContext } from "../context.js";
import { commandOutput } from "../output.js";

interface CheckFlags {
  chart: string;
  json?: boolean;
}

export const DEFAULT_CHART_DIR = "charts/kube9-operator";

export function registerReleaseCheck(release: Command, context: CliContext): void {
  release
    .command("check")
    .description(
      "check that the release tag, Chart.yaml version, appVersion and the chart's default image tag agree",
    )
    .argument("<tag>", "release tag, e.g. v1.2.3")
    .option("--chart <dir>", "chart directory", DEFAULT_CHART_DIR)
    .option("--json", "print the result as JSON")
    .action(async (tag: string, flags: CheckFlags) => {
      const output = commandOutput(context, flags);
      const check = assertReleaseConsistent(await checkRelease(tag, resolve(context.cwd, flags.chart)));
      output.result(
        check,
        `OK ${check.tag}: chart ${check.chart} version ${check.chartVersion}, appVersion ${check.appVersion}, default image tag ${check.defaultImageTag}`,
      );
    });
}
