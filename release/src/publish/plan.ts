/**
 * A publish is first computed as a plan (plain data), then applied. `--dry-run` prints this same
 * plan, so what a dry run shows is what a real run does. Planning only reads: it refuses, before
 * anything is written, a version already published with other bytes or a repository whose index
 * is missing while archives exist.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { ReleaseError } from "../errors.js";
import { chartUrl } from "../repo/model/chart-url.js";
import { findEntry } from "../repo/model/index-file.js";
import type { Store } from "../storage/store.js";
import type { PackagedChart } from "./chart-source.js";
import { describeKey, INDEX_KEY, type IndexSnapshot, readIndex } from "./read-index.js";

export type IndexOutcome = "create-repository" | "add-version" | "already-published";

export interface PublishPlan {
  repository: string;
  chart: string;
  version: string;
  appVersion: string | undefined;
  digest: string;
  size: number;
  archiveKey: string;
  archiveUrl: string;
  indexKey: string;
  /** Versions of all charts in the index before this publish (0 for a new repository). */
  entriesBefore: number;
  outcome: IndexOutcome;
  steps: string[];
}

export interface Planned {
  plan: PublishPlan;
  /** The index as read while planning, reused by the first compare-and-swap attempt. */
  snapshot: IndexSnapshot | undefined;
}

export interface PlanOptions {
  baseUrl?: string;
  /** Archives younger than this may belong to another first publish in flight. Default 2 min. */
  firstPublishWindowMs?: number;
  /** How long to wait for that publish to create index.yaml. Default 20 s. */
  firstPublishWaitMs?: number;
  now: () => Date;
  delay?: (ms: number) => Promise<void>;
}

export async function planPublish(
  store: Store,
  chart: PackagedChart,
  options: PlanOptions,
): Promise<Planned> {
  const { name, version } = chart.metadata;
  const snapshot = (await readIndex(store)) ?? (await indexOfNewRepository(store, chart.fileName, options));
  const existing = snapshot === undefined ? undefined : findEntry(snapshot.index, name, version);
  if (existing !== undefined && existing.digest !== chart.digest) {
    throw versionConflict(store, chart, existing.digest);
  }
  const outcome: IndexOutcome =
    snapshot === undefined
      ? "create-repository"
      : existing === undefined
        ? "add-version"
        : "already-published";
  const archiveUrl = chartUrl(options.baseUrl, chart.fileName);
  const entriesBefore =
    snapshot === undefined
      ? 0
      : Object.values(snapshot.index.entries).reduce((sum, list) => sum + list.length, 0);
  const steps = [
    `upload ${chart.fileName} (${chart.bytes.byteLength} bytes, sha256 ${chart.digest}) create-only; identical bytes already stored count as a retry`,
    outcome === "already-published"
      ? `leave ${INDEX_KEY} as it is: ${name} ${version} is already published with this digest`
      : outcome === "create-repository"
        ? `create ${INDEX_KEY} with ${name} ${version} (create-only, so a concurrent first publish is merged, not overwritten)`
        : `add ${name} ${version} to ${INDEX_KEY} (${entriesBefore} versions kept verbatim) with compare-and-swap on its ETag`,
    `verify: ${INDEX_KEY} lists ${name} ${version} and ${archiveUrl} has digest ${chart.digest}`,
  ];
  return {
    plan: {
      repository: store.location,
      chart: name,
      version,
      appVersion: chart.metadata.appVersion,
      digest: chart.digest,
      size: chart.bytes.byteLength,
      archiveKey: chart.fileName,
      archiveUrl,
      indexKey: INDEX_KEY,
      entriesBefore,
      outcome,
      steps,
    },
    snapshot,
  };
}

export function versionConflict(store: Store, chart: PackagedChart, publishedDigest: string): ReleaseError {
  return new ReleaseError(
    "VERSION_CONFLICT",
    `${chart.metadata.name} ${chart.metadata.version} is already published with other bytes (published sha256 ${publishedDigest}, this archive sha256 ${chart.digest})`,
    {
      file: describeKey(store, chart.fileName),
      fix: "a published version is never overwritten: bump `version` in Chart.yaml (or pass --version) and publish again",
    },
  );
}

/**
 * A missing index starts a new repository only when no other archive is stored. Otherwise the
 * index was lost, and starting empty would hide every published version: stop and point to
 * `repo reindex`. One exception is waited out: archives stored moments ago may belong to other
 * publishers of a brand-new repository, one of which is about to create the index. If it appears
 * within the wait, publishing merges into it.
 */
async function indexOfNewRepository(
  store: Store,
  ownArchive: string,
  options: PlanOptions,
): Promise<IndexSnapshot | undefined> {
  const archives = (await store.list()).filter(
    (object) => object.key.endsWith(".tgz") && object.key !== ownArchive,
  );
  if (archives.length === 0) return undefined;
  const window = options.firstPublishWindowMs ?? 120_000;
  const recent = archives.every(
    (object) => options.now().getTime() - object.lastModified.getTime() <= window,
  );
  if (recent) {
    const delay = options.delay ?? ((ms: number) => sleep(ms));
    const deadline = Date.now() + (options.firstPublishWaitMs ?? 20_000);
    for (let attempt = 0; Date.now() < deadline; attempt += 1) {
      await delay(Math.min(5_000, 200 * 2 ** attempt));
      const appeared = await readIndex(store);
      if (appeared !== undefined) return appeared;
    }
  }
  throw new ReleaseError(
    "INDEX_MISSING",
    `${INDEX_KEY} is missing but ${archives.length} chart archive(s) are stored (e.g. ${archives[0]?.key}); publishing now would start an index without them`,
    {
      file: describeKey(store, INDEX_KEY),
      fix: `rebuild the index from the stored archives with \`kube9-release repo reindex --repo ${store.location}\`, then publish again`,
    },
  );
}
