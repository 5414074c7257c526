import { resolve } from "node:path";
import type { Command } from "commander";
import { resolveSourceDateEpoch } from "../../chart/source-date-epoch.js";
import { packagedChartFrom } from "../../publish/chart-source.js";
import { planPublish } from "../../publish/plan.js";
import { applyPublish } from "../../publish/publish-chart.js";
import { storeRepositoryReader } from "../../publish/repository-reader.js";
import { verifyPublished } from "../../publish/verify.js";
import type { CliContext } from "../context.js";
import { DEFAULT_REPO_DIR } from "../defaults.js";
import { runGit } from "../git.js";
import { repositoryUrl, storeFor } from "../options.js";
import { commandOutput } from "../output.js";

interface PublishFlags {
  repo: string;
  url?: string;
  version?: string;
  appVersion?: string;
  dryRun?: boolean;
  verify: boolean;
  json?: boolean;
}

export function registerChartPublish(chart: Command, context: CliContext): void {
  chart
    .command("publish")
    .description(
      "publish a chart version: archive create-only, index.yaml merged with compare-and-swap, then verified",
    )
    .argument("<chart>", "chart directory, or a packaged <name>-<version>.tgz")
    .option("--repo <dir>", "repository to publish to (a directory)", DEFAULT_REPO_DIR)
    .option(
      "--url <url>",
      "public base URL of the repository; index entries then use absolute URLs (default: relative URLs)",
    )
    .option("--version <version>", "set the chart version (chart directory only)")
    .option("--app-version <version>", "set appVersion (chart directory only)")
    .option("--dry-run", "print the plan and change nothing")
    .option("--no-verify", "skip reading the repository back after publishing")
    .option("--json", "print the plan and result as JSON")
    .action(async (source: string, flags: PublishFlags) => {
      const output = commandOutput(context, flags);
      const chartPath = resolve(context.cwd, source);
      const store = storeFor(flags.repo, context.cwd);
      const baseUrl = flags.url === undefined ? undefined : repositoryUrl(flags.url, "--url");
      const epoch = await resolveSourceDateEpoch({ env: context.env, chartDir: chartPath, runGit });
      const chartArchive = await packagedChartFrom({
        path: chartPath,
        sourceDateEpoch: epoch.epoch,
        ...(flags.version === undefined ? {} : { version: flags.version }),
        ...(flags.appVersion === undefined ? {} : { appVersion: flags.appVersion }),
      });
      const planned = await planPublish(store, chartArchive, {
        now: context.now,
        ...(baseUrl === undefined ? {} : { baseUrl }),
      });
      const { plan } = planned;
      if (flags.dryRun === true) {
        output.result(
          { dryRun: true, plan },
          [
            `Plan (dry run, nothing written) for ${plan.chart} ${plan.version} into ${plan.repository}:`,
            ...plan.steps.map((step, i) => `  ${i + 1}. ${step}`),
          ].join("\n"),
        );
        return;
      }
      output.progress(`publishing ${plan.chart} ${plan.version} to ${plan.repository}`);
      const applied = await applyPublish(store, chartArchive, planned, {
        now: context.now,
        log: output.progress,
      });
      const verified =
        flags.verify === false
          ? undefined
          : await verifyPublished(storeRepositoryReader(store, baseUrl), {
              chart: plan.chart,
              version: plan.version,
              expectedDigest: plan.digest,
            });
      if (verified !== undefined)
        output.progress(
          `verified: ${verified.index} lists ${plan.chart} ${plan.version}; ${verified.archive} has the claimed digest`,
        );
      const result = { dryRun: false, plan, result: applied, verified: verified ?? null };
      output.result(
        result,
        `${plan.chart} ${plan.version} ${applied.index === "unchanged" ? "was already published" : "published"} in ${plan.repository}\n  archive ${plan.archiveUrl} (${applied.archive})\n  sha256 ${plan.digest}\n  index.yaml: ${applied.entriesAfter} versions${verified === undefined ? "" : "; verified"}`,
      );
      output.summary(
        `### Chart ${plan.chart} ${plan.version}\n\n| | |\n|---|---|\n| repository | ${plan.repository} |\n| archive | ${plan.archiveUrl} (${applied.archive}) |\n| sha256 | \`${plan.digest}\` |\n| index | ${applied.index}, ${applied.entriesAfter} versions |\n| verified | ${verified === undefined ? "skipped" : "yes"} |`,
      );
    });
}
