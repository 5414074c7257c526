/**
 * `chart publish` as a plain function: a parsed request in, what happened out. The plan is built
 * whole first, as data (every write, the CDN invalidation and the verification), so that
 * `--dry-run` prints exactly what a run does; chart-publish-render.ts turns the outcome into text.
 */

import { REPOSITORY_METADATA_KEY } from "../../artifacthub/repository-metadata.js";
import { resolveSourceDateEpoch } from "../../chart/source-date-epoch.js";
import { checkServedProvenance, type ProvenanceCheck } from "../../provenance/verify-served.js";
import { type PackagedChart, packagedChartFrom } from "../../publish/chart-source.js";
import { type Planned, type PublishPlan, planPublish } from "../../publish/plan.js";
import { putRepositoryMetadata, type RepositoryMetadataResult } from "../../publish/repository-metadata.js";
import {
  httpRepositoryReader,
  type RepositoryReader,
  storeRepositoryReader,
} from "../../publish/repository-reader.js";
import { type RunPublishResult, runPublish } from "../../publish/run-publish.js";
import type { BackendSettings, CdnTarget, Repository } from "../composition.js";
import type { CliContext } from "../context.js";
import { runGit } from "../git.js";
import {
  type PublishSigning,
  type PublishSigningFlags,
  publishSigning,
  withSigningSteps,
} from "../signing.js";

export interface ChartPublishRequest {
  /** A chart directory or a packaged `.tgz`. */
  chartPath: string;
  repository: Repository;
  /** What opening a CDN client needs (region, endpoint, timeouts from the flags). */
  backendSettings: BackendSettings;
  baseUrl?: string;
  cdn?: { target: CdnTarget; paths: string[]; wait: boolean; timeoutMs: number };
  verify: boolean;
  verifyTimeoutMs: number;
  dryRun: boolean;
  version?: string;
  appVersion?: string;
  repositoryMetadata?: { bytes: Uint8Array; file: string };
  signingFlags: PublishSigningFlags;
}

/** What was planned: the same for a dry run and a real one. */
export interface ChartPublishPlan {
  plan: PublishPlan;
  /** Every step in order, as the dry run prints them. */
  steps: string[];
}

export type ChartPublishOutcome =
  | ({ dryRun: true } & ChartPublishPlan)
  | ({
      dryRun: false;
      published: RunPublishResult;
      repositoryMetadata: RepositoryMetadataResult | undefined;
      provenance: ProvenanceCheck | undefined;
      signing: PublishSigning | undefined;
    } & ChartPublishPlan);

/** The whole plan, as data: the reads done, nothing written. */
function planSteps(
  request: ChartPublishRequest,
  plan: PublishPlan,
  chart: PackagedChart,
  signing: PublishSigning | undefined,
  reader: RepositoryReader | undefined,
): string[] {
  const { cdn, repositoryMetadata } = request;
  return [
    ...(repositoryMetadata === undefined
      ? []
      : [
          `put ${REPOSITORY_METADATA_KEY} from ${repositoryMetadata.file} (created, or replaced if it differs)`,
        ]),
    ...withSigningSteps(plan.steps.slice(0, -1), signing, chart),
    ...(cdn === undefined
      ? []
      : [
          `invalidate ${cdn.paths.join(",")} on ${cdn.target.description}${cdn.wait ? " and wait for completion" : ""}`,
        ]),
    ...(reader === undefined
      ? []
      : [
          `verify through ${reader.indexLocation}: lists ${plan.chart} ${plan.version}, archive digest ${plan.digest}${signing?.provenance === undefined ? "" : ", its .prov"}`,
        ]),
  ];
}

/** What the plan was built from, kept for the run. */
interface Prepared extends ChartPublishPlan {
  chart: PackagedChart;
  planned: Planned;
  signing: PublishSigning | undefined;
  /** Where the result is read back from; undefined with --no-verify. */
  reader: RepositoryReader | undefined;
}

/** The chart packaged (or read), its signing settled and its publish planned: reads only. */
async function preparePublish(request: ChartPublishRequest, context: CliContext): Promise<Prepared> {
  const { chartPath, baseUrl } = request;
  const { store, remote } = request.repository;
  const chart = await packagedChartFrom({
    path: chartPath,
    sourceDateEpoch: async () =>
      (await resolveSourceDateEpoch({ env: context.env, chartDir: chartPath, runGit })).epoch,
    ...(request.version === undefined ? {} : { version: request.version }),
    ...(request.appVersion === undefined ? {} : { appVersion: request.appVersion }),
  });
  const signing = await publishSigning(request.signingFlags, context, chartPath, chart);
  const planned: Planned = await planPublish(store, chart, {
    now: context.now,
    ...(baseUrl === undefined ? {} : { baseUrl }),
  });
  const { plan } = planned;
  // What users get is read through the public URL when the repository is remote and has one.
  const reader = !request.verify
    ? undefined
    : remote && baseUrl !== undefined
      ? httpRepositoryReader(baseUrl)
      : storeRepositoryReader(store, baseUrl);
  const steps = planSteps(request, plan, chart, signing, reader);
  return { plan, steps, chart, planned, signing, reader };
}

/** The writes: the CDN checked first, then Artifact Hub's file, the chart and the index, the invalidation. */
async function applyPublish(
  request: ChartPublishRequest,
  prepared: Prepared,
  now: () => Date,
  progress: (line: string) => void,
): Promise<{ published: RunPublishResult; repositoryMetadata: RepositoryMetadataResult | undefined }> {
  const { store } = request.repository;
  const { plan, chart, planned, signing, reader } = prepared;
  const cdn = await request.cdn?.target.connect(request.backendSettings);
  if (cdn !== undefined) {
    progress(`checking ${cdn.description} before writing`);
    await cdn.preflight();
  }
  const repositoryMetadata =
    request.repositoryMetadata === undefined
      ? undefined
      : await putRepositoryMetadata(store, request.repositoryMetadata.bytes, progress);
  progress(`publishing ${plan.chart} ${plan.version} to ${plan.repository}`);
  const published = await runPublish(store, chart, planned, {
    now,
    log: progress,
    verifyTimeoutMs: request.verifyTimeoutMs,
    ...(signing === undefined ? {} : { signing }),
    ...(reader === undefined ? {} : { verifyWith: reader }),
    ...(cdn === undefined || request.cdn === undefined
      ? {}
      : { cdn: { cdn, paths: request.cdn.paths, wait: request.cdn.wait, timeoutMs: request.cdn.timeoutMs } }),
  });
  return { published, repositoryMetadata };
}

/** The .prov read back from where users get it, as `helm install --verify` downloads it. */
async function servedProvenance({ plan, signing, reader }: Prepared): Promise<ProvenanceCheck | undefined> {
  if (reader === undefined || signing?.provenance === undefined) return undefined;
  return checkServedProvenance(
    reader.readProvenance,
    { url: plan.archiveUrl, digest: plan.digest },
    signing.publicKey === undefined ? undefined : [signing.publicKey],
  );
}

export async function chartPublish(
  request: ChartPublishRequest,
  context: CliContext,
  progress: (line: string) => void,
): Promise<ChartPublishOutcome> {
  const prepared = await preparePublish(request, context);
  const { plan, steps, signing } = prepared;
  if (request.dryRun) return { dryRun: true, plan, steps };
  const { published, repositoryMetadata } = await applyPublish(request, prepared, context.now, progress);
  const provenance = await servedProvenance(prepared);
  const { verified, visibleAfterMs } = published;
  if (verified !== undefined) {
    progress(
      `verified: ${verified.index} lists ${plan.chart} ${plan.version}; ${verified.archive} has the claimed digest (visible after ${((visibleAfterMs ?? 0) / 1000).toFixed(1)} s)`,
    );
  }
  return { dryRun: false, plan, steps, published, repositoryMetadata, provenance, signing };
}
