import { resolve } from "node:path";
import type { Command } from "commander";
import { parseInvalidationPaths } from "../../cdn/cdn.js";
import {
  DEFAULT_INVALIDATION_PATHS,
  INVALIDATION_WAIT_TIMEOUT_SECONDS,
  VERIFY_TIMEOUT_SECONDS,
} from "../../policy/repository-policy.js";
import { readRepositoryMetadata } from "../artifacthub-options.js";
import { DEFAULT_BACKENDS } from "../composition.js";
import type { CliContext } from "../context.js";
import { DEFAULT_REPO_DIR } from "../defaults.js";
import { formatDuration, parseDuration } from "../duration.js";
import { addS3Options, repositoryUrl, type S3Flags } from "../options.js";
import { commandOutput } from "../output.js";
import { addPublicKeyOption, addSigningOptions, type PublishSigningFlags } from "../signing.js";
import { renderChartPublish } from "./chart-publish-render.js";
import { type ChartPublishRequest, chartPublish } from "./chart-publish-run.js";

interface PublishFlags extends S3Flags, PublishSigningFlags {
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
  artifacthubRepo?: string;
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
      `--repo ${DEFAULT_BACKENDS.repoPlaceholder()}`,
      `repository: ${DEFAULT_BACKENDS.repoHelp()}`,
      DEFAULT_REPO_DIR,
    )
    .option(
      "--url <url>",
      "public base URL of the repository: index entries get absolute URLs, and an S3 publish is verified through it",
    )
    .option("--cdn <cdn>", `CDN to invalidate after the index write: ${DEFAULT_BACKENDS.cdnHelp()}`)
    .option(
      "--invalidate-paths <paths>",
      `comma-separated paths to invalidate (default: ${DEFAULT_INVALIDATION_PATHS.join(",")})`,
    )
    .option("--wait", "wait until the CDN invalidation has completed")
    .option(
      "--wait-timeout <duration>",
      "how long --wait waits",
      formatDuration(INVALIDATION_WAIT_TIMEOUT_SECONDS),
    )
    .option(
      "--verify-timeout <duration>",
      "how long verification retries until the new version is visible",
      formatDuration(VERIFY_TIMEOUT_SECONDS),
    )
    .option("--version <version>", "set the chart version (chart directory only)")
    .option("--app-version <version>", "set appVersion (chart directory only)")
    .option(
      "--artifacthub-repo <file>",
      "also put this Artifact Hub repository file (artifacthub-repo.yml) next to index.yaml, before the index write",
    )
    .option("--dry-run", "print the plan and change nothing")
    .option("--no-verify", "skip reading the repository back after publishing")
    .option("--json", "print the plan and result as JSON");
  addPublicKeyOption(addSigningOptions(command));
  addS3Options(command).action(async (source: string, flags: PublishFlags) => {
    const output = commandOutput(context, flags);
    const outcome = await chartPublish(
      await publishRequest(source, flags, context),
      context,
      output.progress,
    );
    output.render(renderChartPublish(outcome));
  });
}

/** The flags as a typed request, each checked in the order users meet them (nothing read yet). */
async function publishRequest(
  source: string,
  flags: PublishFlags,
  context: CliContext,
): Promise<ChartPublishRequest> {
  const backendSettings = { cwd: context.cwd, flags };
  const repository = await DEFAULT_BACKENDS.openRepository(flags.repo, backendSettings);
  const baseUrl = flags.url === undefined ? undefined : repositoryUrl(flags.url, "--url");
  const target = flags.cdn === undefined ? undefined : DEFAULT_BACKENDS.cdnTarget(flags.cdn);
  const paths =
    flags.invalidatePaths === undefined
      ? [...DEFAULT_INVALIDATION_PATHS]
      : parseInvalidationPaths(flags.invalidatePaths);
  const waitTimeoutMs = parseDuration(flags.waitTimeout, "--wait-timeout");
  const repositoryMetadata =
    flags.artifacthubRepo === undefined
      ? undefined
      : await readRepositoryMetadata(flags.artifacthubRepo, context.cwd);
  return {
    chartPath: resolve(context.cwd, source),
    repository,
    backendSettings,
    ...(baseUrl === undefined ? {} : { baseUrl }),
    ...(target === undefined
      ? {}
      : { cdn: { target, paths, wait: flags.wait === true, timeoutMs: waitTimeoutMs } }),
    verify: flags.verify !== false,
    verifyTimeoutMs: parseDuration(flags.verifyTimeout, "--verify-timeout"),
    dryRun: flags.dryRun === true,
    ...(flags.version === undefined ? {} : { version: flags.version }),
    ...(flags.appVersion === undefined ? {} : { appVersion: flags.appVersion }),
    ...(repositoryMetadata === undefined ? {} : { repositoryMetadata }),
    signingFlags: flags,
  };
}
