import { resolve } from "node:path";
import type { Command } from "commander";
import {
  type Cdn,
  DEFAULT_INVALIDATION_PATHS,
  parseCdnTarget,
  parseInvalidationPaths,
} from "../../cdn/cdn.js";
import { resolveSourceDateEpoch } from "../../chart/source-date-epoch.js";
import { packagedChartFrom } from "../../publish/chart-source.js";
import { planPublish } from "../../publish/plan.js";
import { httpRepositoryReader, storeRepositoryReader } from "../../publish/repository-reader.js";
import { runPublish } from "../../publish/run-publish.js";
import type { CliContext } from "../context.js";
import { DEFAULT_REPO_DIR } from "../defaults.js";
import { parseDuration } from "../duration.js";
import { runGit } from "../git.js";
import {
  addS3Options,
  isRemote,
  repositoryUrl,
  requestTimeoutMs,
  type S3Flags,
  storeFor,
} from "../options.js";
import { commandOutput } from "../output.js";

interface PublishFlags extends S3Flags {
  repo: string;
  url?: string;
  cdn?: string;
  invalidatePaths?: string;
  wait?: boolean;
  waitTimeout: string;
  verifyTimeout: string;
  version?: string;
  appVersion?: string;
  dryRun?: boolean;
  verify: boolean;
  json?: boolean;
}

export function registerChartPublish(chart: Command, context: CliContext): void {
  const command = chart
    .command("publish")
    .description(
      "publish a chart version: archive create-only, index.yaml merged with compare-and-swap, CDN invalidated, then verified",
    )
    .argument("<chart>", "chart directory, or a packaged <name>-<version>.tgz")
    .option(
      "--repo <dir or s3 url>",
      "repository: a directory, or s3://<bucket>[/<prefix>]",
      DEFAULT_REPO_DIR,
    )
    .option(
      "--url <url>",
      "public base URL of the repository: index entries get absolute URLs, and an S3 publish is verified through it",
    )
    .option("--cdn <cdn>", "CDN to invalidate after the index write: cloudfront:<distribution id>")
    .option(
      "--invalidate-paths <paths>",
      `comma-separated paths to invalidate (default: ${DEFAULT_INVALIDATION_PATHS.join(",")})`,
    )
    .option("--wait", "wait until the CDN invalidation has completed")
    .option("--wait-timeout <duration>", "how long --wait waits", "15m")
    .option(
      "--verify-timeout <duration>",
      "how long verification retries until the new version is visible",
      "5m",
    )
    .option("--version <version>", "set the chart version (chart directory only)")
    .option("--app-version <version>", "set appVersion (chart directory only)")
    .option("--dry-run", "print the plan and change nothing")
    .option("--no-verify", "skip reading the repository back after publishing")
    .option("--json", "print the plan and result as JSON");
  addS3Options(command).action(async (source: string, flags: PublishFlags) => {
    const output = commandOutput(context, flags);
    const chartPath = resolve(context.cwd, source);
    const store = await storeFor(flags.repo, context.cwd, flags);
    const baseUrl = flags.url === undefined ? undefined : repositoryUrl(flags.url, "--url");
    const cdnTarget = flags.cdn === undefined ? undefined : parseCdnTarget(flags.cdn);
    const paths =
      flags.invalidatePaths === undefined
        ? DEFAULT_INVALIDATION_PATHS
        : parseInvalidationPaths(flags.invalidatePaths);
    const waitTimeoutMs = parseDuration(flags.waitTimeout, "--wait-timeout");
    const verifyTimeoutMs = parseDuration(flags.verifyTimeout, "--verify-timeout");
    const chartArchive = await packagedChartFrom({
      path: chartPath,
      sourceDateEpoch: async () =>
        (await resolveSourceDateEpoch({ env: context.env, chartDir: chartPath, runGit })).epoch,
      ...(flags.version === undefined ? {} : { version: flags.version }),
      ...(flags.appVersion === undefined ? {} : { appVersion: flags.appVersion }),
    });
    const planned = await planPublish(store, chartArchive, {
      now: context.now,
      ...(baseUrl === undefined ? {} : { baseUrl }),
    });
    const { plan } = planned;
    // What users get is read through the public URL when the repository is remote and has one.
    const reader =
      flags.verify === false
        ? undefined
        : isRemote(store) && baseUrl !== undefined
          ? httpRepositoryReader(baseUrl)
          : storeRepositoryReader(store, baseUrl);
    const steps = [
      ...plan.steps.slice(0, -1),
      ...(cdnTarget === undefined
        ? []
        : [
            `invalidate ${paths.join(",")} on cloudfront:${cdnTarget.distributionId}${flags.wait === true ? " and wait for completion" : ""}`,
          ]),
      ...(reader === undefined
        ? []
        : [
            `verify through ${reader.indexLocation}: lists ${plan.chart} ${plan.version}, archive digest ${plan.digest}`,
          ]),
    ];
    if (flags.dryRun === true) {
      output.result(
        { dryRun: true, plan: { ...plan, steps } },
        [
          `Plan (dry run, nothing written) for ${plan.chart} ${plan.version} into ${plan.repository}:`,
          ...steps.map((step, i) => `  ${i + 1}. ${step}`),
        ].join("\n"),
      );
      return;
    }
    const cdn =
      cdnTarget === undefined
        ? undefined
        : await cloudFrontCdn(cdnTarget.distributionId, requestTimeoutMs(flags));
    if (cdn !== undefined) {
      output.progress(`checking ${cdn.description} before writing`);
      await cdn.preflight();
    }
    output.progress(`publishing ${plan.chart} ${plan.version} to ${plan.repository}`);
    const published = await runPublish(store, chartArchive, planned, {
      now: context.now,
      log: output.progress,
      verifyTimeoutMs,
      ...(reader === undefined ? {} : { verifyWith: reader }),
      ...(cdn === undefined
        ? {}
        : { cdn: { cdn, paths, wait: flags.wait === true, timeoutMs: waitTimeoutMs } }),
    });
    const { result: applied, verified, invalidation, visibleAfterMs } = published;
    if (verified !== undefined) {
      output.progress(
        `verified: ${verified.index} lists ${plan.chart} ${plan.version}; ${verified.archive} has the claimed digest (visible after ${((visibleAfterMs ?? 0) / 1000).toFixed(1)} s)`,
      );
    }
    output.result(
      {
        dryRun: false,
        plan: { ...plan, steps },
        result: applied,
        invalidation: invalidation ?? null,
        verified: verified ?? null,
        visibleAfterMs: visibleAfterMs ?? null,
      },
      [
        `${plan.chart} ${plan.version} ${applied.index === "unchanged" ? "was already published" : "published"} in ${plan.repository}`,
        `  archive ${plan.archiveUrl} (${applied.archive})`,
        `  sha256 ${plan.digest}`,
        `  index.yaml: ${applied.entriesAfter} version${applied.entriesAfter === 1 ? "" : "s"}`,
        ...(invalidation === undefined
          ? []
          : [`  invalidation ${invalidation.id} (${invalidation.completed ? "completed" : "in progress"})`]),
        ...(verified === undefined
          ? []
          : [
              `  verified through ${verified.index}, visible after ${((visibleAfterMs ?? 0) / 1000).toFixed(1)} s`,
            ]),
      ].join("\n"),
    );
    output.summary(
      [
        `### Chart ${plan.chart} ${plan.version}`,
        "",
        "| | |",
        "|---|---|",
        `| repository | ${plan.repository} |`,
        `| archive | ${plan.archiveUrl} (${applied.archive}) |`,
        `| sha256 | \`${plan.digest}\` |`,
        `| index | ${applied.index}, ${applied.entriesAfter} versions |`,
        `| CDN | ${invalidation === undefined ? "none" : `${invalidation.id} (${invalidation.completed ? "completed" : "in progress"})`} |`,
        `| verified | ${verified === undefined ? "skipped" : `yes, visible after ${((visibleAfterMs ?? 0) / 1000).toFixed(1)} s`} |`,
      ].join("\n"),
    );
  });
}

/** Loaded on demand, like the S3 client: only a CDN publish needs the CloudFront SDK. */
async function cloudFrontCdn(distributionId: string, timeoutMs: number): Promise<Cdn> {
  const [{ CloudFrontCdn }, { cloudFrontClient }] = await Promise.all([
    import("../../cdn/cloudfront.js"),
    import("../aws-clients.js"),
  ]);
  return new CloudFrontCdn(cloudFrontClient({ requestTimeoutMs: timeoutMs }), distributionId);
}
