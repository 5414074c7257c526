/** What `chart publish` prints: the --json document, the human text and the GitHub step summary. */
import { REPOSITORY_METADATA_KEY } from "../../artifacthub/repository-metadata.js";
import { fingerprintOf } from "../../provenance/keys.js";
import type { Rendering } from "../output.js";
import type { ChartPublishOutcome } from "./chart-publish-run.js";

const seconds = (ms: number | undefined) => ((ms ?? 0) / 1000).toFixed(1);

function renderDryRun(outcome: Extract<ChartPublishOutcome, { dryRun: true }>): Rendering {
  const { plan, steps } = outcome;
  return {
    data: { dryRun: true, plan: { ...plan, steps } },
    human: [
      `Plan (dry run, nothing written) for ${plan.chart} ${plan.version} into ${plan.repository}:`,
      ...steps.map((step, i) => `  ${i + 1}. ${step}`),
    ].join("\n"),
  };
}

type Published = Extract<ChartPublishOutcome, { dryRun: false }>;

function humanText(outcome: Published): string {
  const { plan, published, provenance, signing, repositoryMetadata } = outcome;
  const { result: applied, invalidation, verified, visibleAfterMs } = published;
  return [
    `${plan.chart} ${plan.version} ${applied.index === "unchanged" ? "was already published" : "published"} in ${plan.repository}`,
    `  archive ${plan.archiveUrl} (${applied.archive})`,
    `  sha256 ${plan.digest}`,
    ...(applied.provenance === undefined
      ? []
      : [`  provenance ${plan.archiveUrl}.prov (${applied.provenance})`]),
    ...(signing?.publicKey === undefined
      ? []
      : [`  public key ${fingerprintOf(signing.publicKey)} (${applied.publicKey ?? "unchanged"})`]),
    `  index.yaml: ${applied.entriesAfter} version${applied.entriesAfter === 1 ? "" : "s"}`,
    ...(repositoryMetadata === undefined ? [] : [`  ${REPOSITORY_METADATA_KEY}: ${repositoryMetadata}`]),
    ...(invalidation === undefined
      ? []
      : [`  invalidation ${invalidation.id} (${invalidation.completed ? "completed" : "in progress"})`]),
    ...(verified === undefined
      ? []
      : [`  verified through ${verified.index}, visible after ${seconds(visibleAfterMs)} s`]),
    ...(provenance === undefined
      ? []
      : [
          `  provenance verified at ${provenance.location}: ${provenance.signatureChecked ? `signed by ${provenance.signedBy}` : "signs this digest"}`,
        ]),
  ].join("\n");
}

function summary(outcome: Published): string {
  const { plan, published, signing, repositoryMetadata } = outcome;
  const { result: applied, invalidation, verified, visibleAfterMs } = published;
  const key = signing?.publicKey === undefined ? "" : `, key \`${fingerprintOf(signing.publicKey)}\``;
  return [
    `### Chart ${plan.chart} ${plan.version}`,
    "",
    "| | |",
    "|---|---|",
    `| repository | ${plan.repository} |`,
    `| archive | ${plan.archiveUrl} (${applied.archive}) |`,
    `| sha256 | \`${plan.digest}\` |`,
    `| provenance | ${applied.provenance === undefined ? "unsigned" : `${plan.archiveUrl}.prov (${applied.provenance})${key}`} |`,
    `| index | ${applied.index}, ${applied.entriesAfter} versions |`,
    ...(repositoryMetadata === undefined ? [] : [`| ${REPOSITORY_METADATA_KEY} | ${repositoryMetadata} |`]),
    `| CDN | ${invalidation === undefined ? "none" : `${invalidation.id} (${invalidation.completed ? "completed" : "in progress"})`} |`,
    `| verified | ${verified === undefined ? "skipped" : `yes, visible after ${seconds(visibleAfterMs)} s`} |`,
  ].join("\n");
}

export function renderChartPublish(outcome: ChartPublishOutcome): Rendering {
  if (outcome.dryRun) return renderDryRun(outcome);
  const { plan, steps, published, repositoryMetadata, provenance } = outcome;
  return {
    data: {
      dryRun: false,
      plan: { ...plan, steps },
      result: published.result,
      invalidation: published.invalidation ?? null,
      artifacthubRepo: repositoryMetadata ?? null,
      verified: published.verified ?? null,
      visibleAfterMs: published.visibleAfterMs ?? null,
      provenance: provenance ?? null,
    },
    human: humanText(outcome),
    summary: summary(outcome),
  };
}
