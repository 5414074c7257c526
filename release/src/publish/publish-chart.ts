/**
 * The publish pipeline (docs/architecture.md): archive create-only, then index.yaml merged and
 * written with compare-and-swap, retried on a lost race. The archive always lands before the
 * index names it, so a run killed at any point leaves a repository Helm can use, and running the
 * same command again completes the job.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { isReleaseError, ReleaseError } from "../errors.js";
import type { PublicKey } from "../provenance/keys.js";
import { publishProvenance, publishPublicKey, type Written } from "../provenance/publish-provenance.js";
import { mergeEntry } from "../repo/merge.js";
import { chartEntry } from "../repo/model/chart-entry.js";
import { emptyIndex, findEntry, type IndexFile } from "../repo/model/index-file.js";
import { serializeIndex } from "../repo/serialize/serialize-index.js";
import { ARCHIVE_POLICY, INDEX_POLICY } from "../storage/object-policy.js";
import type { Store } from "../storage/store.js";
import { type PackagedChart, sha256Hex } from "./chart-source.js";
import { type Planned, versionConflict } from "./plan.js";
import { type IndexSnapshot, readIndex } from "./read-index.js";

export interface ApplyOptions {
  now: () => Date;
  log: (line: string) => void;
  /** Compare-and-swap attempts on index.yaml before giving up. Default 10. */
  maxAttempts?: number;
  /** Waits between attempts; injected so tests need no real time. */
  delay?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Signed publish: the public key at the repository's root, then `<archive>.prov`, before the index. */
  signing?: SignedObjects;
}

export interface SignedObjects {
  /** The .prov text for this archive; undefined publishes only the key. */
  provenance?: string;
  /** The key users verify with; published, and an existing .prov is checked against it. */
  publicKey?: PublicKey;
}

export interface ApplyResult {
  archive: "uploaded" | "already-stored";
  index: "created" | "added" | "unchanged";
  /** The .prov and the public key, when the publish is signed. */
  provenance?: Written;
  publicKey?: Written;
  /** Compare-and-swap attempts used (1 when no other publisher interfered). */
  attempts: number;
  /** Versions of all charts in the index after the publish. */
  entriesAfter: number;
  /** The index this run wrote, with its exact bytes; undefined when it wrote none. */
  written?: { bytes: Uint8Array; index: IndexFile };
}

export async function applyPublish(
  store: Store,
  chart: PackagedChart,
  planned: Planned,
  options: ApplyOptions,
): Promise<ApplyResult> {
  const { signing } = options;
  const publicKey =
    signing?.publicKey === undefined
      ? undefined
      : await publishPublicKey(store, signing.publicKey, options.log);
  const archive = await uploadArchive(store, chart, options);
  const provenance =
    signing?.provenance === undefined
      ? undefined
      : await publishProvenance(store, chart, signing.provenance, signing.publicKey, options.log);
  const signed = {
    ...(provenance === undefined ? {} : { provenance }),
    ...(publicKey === undefined ? {} : { publicKey }),
  };
  return { archive, ...signed, ...(await listInIndex(store, chart, planned, options)) };
}

/**
 * index.yaml with the chart's entry, written with compare-and-swap: on a lost race it is read
 * again and the entry merged into the other publisher's index, up to `maxAttempts` times.
 */
async function listInIndex(
  store: Store,
  chart: PackagedChart,
  planned: Planned,
  options: ApplyOptions,
): Promise<Pick<ApplyResult, "index" | "attempts" | "entriesAfter" | "written">> {
  const { plan } = planned;
  const maxAttempts = options.maxAttempts ?? 10;
  const delay = options.delay ?? ((ms: number) => sleep(ms));
  const random = options.random ?? Math.random;
  let snapshot: IndexSnapshot | undefined = planned.snapshot;
  for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
    if (attempt > 1) snapshot = await readIndex(store, plan.indexKey);
    const merged = mergeChart(store, chart, plan, snapshot, options.now);
    const entriesAfter = countEntries(merged.index.entries);
    if (merged.change === "unchanged" && snapshot !== undefined) {
      options.log(
        `${plan.indexKey}: ${plan.chart} ${plan.version} already listed with this digest; nothing to write`,
      );
      return { index: "unchanged", attempts: attempt, entriesAfter };
    }
    const index = { ...merged.index, generated: options.now().toISOString() };
    const body = new TextEncoder().encode(serializeIndex(index));
    const writeOptions = { contentType: INDEX_POLICY.contentType, cacheControl: INDEX_POLICY.cacheControl };
    try {
      if (snapshot === undefined) await store.putIfAbsent(plan.indexKey, body, writeOptions);
      else await store.putIfMatch(plan.indexKey, body, snapshot.etag, writeOptions);
      options.log(
        `${plan.indexKey}: ${snapshot === undefined ? "created" : "updated"} with ${plan.chart} ${plan.version} (${entriesAfter} version${entriesAfter === 1 ? "" : "s"})`,
      );
      return {
        index: snapshot === undefined ? "created" : "added",
        attempts: attempt,
        entriesAfter,
        written: { bytes: body, index },
      };
    } catch (error) {
      if (!isReleaseError(error, "PRECONDITION_FAILED")) throw error;
      // Another publisher wrote index.yaml since we read it: read again and merge into theirs.
      if (attempt === maxAttempts) break;
      const backoff = Math.min(2_000, 50 * 2 ** (attempt - 1)) * (0.5 + random());
      options.log(
        `${plan.indexKey}: changed by another publisher; re-reading (attempt ${attempt + 1} of ${maxAttempts})`,
      );
      await delay(backoff);
    }
  }
  throw new ReleaseError(
    "STORAGE_FAILED",
    `${plan.indexKey} kept changing under ${maxAttempts} attempts to add ${plan.chart} ${plan.version}`,
    {
      file: `${store.location}/${plan.indexKey}`,
      fix: "other publishers are writing continuously; the archive is stored, so run the same command again",
    },
  );
}

/** The index as read (a new one when there is none) with the chart's entry merged in. */
function mergeChart(
  store: Store,
  chart: PackagedChart,
  plan: Planned["plan"],
  snapshot: IndexSnapshot | undefined,
  now: () => Date,
): ReturnType<typeof mergeEntry> {
  const base = snapshot?.index ?? emptyIndex(now().toISOString());
  const existing = findEntry(base, plan.chart, plan.version);
  // The same version with other bytes is another chart: never replaced in place.
  if (existing !== undefined && existing.digest !== chart.digest)
    throw versionConflict(store, chart, existing.digest);
  const entry = chartEntry(chart.metadata, {
    urls: [plan.archiveUrl],
    created: now().toISOString(),
    digest: chart.digest,
  });
  return mergeEntry(base, entry);
}

async function uploadArchive(
  store: Store,
  chart: PackagedChart,
  options: ApplyOptions,
): Promise<ApplyResult["archive"]> {
  const writeOptions = { contentType: ARCHIVE_POLICY.contentType, cacheControl: ARCHIVE_POLICY.cacheControl };
  try {
    await store.putIfAbsent(chart.fileName, chart.bytes, writeOptions);
    options.log(`${chart.fileName}: uploaded (${chart.bytes.byteLength} bytes)`);
    return "uploaded";
  } catch (error) {
    if (!isReleaseError(error, "PRECONDITION_FAILED")) throw error;
  }
  const stored = await store.get(chart.fileName);
  if (stored === undefined) {
    throw new ReleaseError(
      "STORAGE_FAILED",
      `${chart.fileName} was reported as existing but cannot be read back`,
      {
        file: `${store.location}/${chart.fileName}`,
        fix: "run the same command again",
      },
    );
  }
  const storedDigest = sha256Hex(stored.body);
  if (storedDigest !== chart.digest) throw versionConflict(store, chart, storedDigest);
  options.log(`${chart.fileName}: already stored with the same bytes (a retry); going on`);
  return "already-stored";
}

function countEntries(entries: Record<string, unknown[]>): number {
  return Object.values(entries).reduce((sum, list) => sum + list.length, 0);
}
