/**
 * `repo reindex`: rebuild index.yaml from the archives actually stored, the documented way out of
 * a lost or corrupt index. Every `created` time is kept from the current index when it still
 * parses (same version, same digest), otherwise taken from the archive's storage time. The new
 * index is written with the same compare-and-swap as a publish.
 */

import { readChartArchive } from "../chart/read-chart-archive.js";
import { isReleaseError, ReleaseError } from "../errors.js";
import type { ChartMetadata } from "../helm-format/chart-metadata.js";
import { mergeEntry } from "../repo/merge.js";
import { chartEntry } from "../repo/model/chart-entry.js";
import { chartUrl } from "../repo/model/chart-url.js";
import { type ChartVersion, emptyIndex, findEntry, type IndexFile } from "../repo/model/index-file.js";
import { parseIndex } from "../repo/parse/parse-index.js";
import { serializeIndex } from "../repo/serialize/serialize-index.js";
import { INDEX_POLICY } from "../storage/object-policy.js";
import type { ObjectInfo, Store } from "../storage/store.js";
import { sha256Hex } from "./chart-source.js";
import { describeKey, INDEX_KEY } from "./read-index.js";

export interface ReindexPlan {
  repository: string;
  /** What the current index is: absent, unreadable (and why), or parsed. */
  currentIndex: "missing" | "corrupt" | "valid";
  currentIndexProblem: string | undefined;
  added: string[];
  removed: string[];
  kept: string[];
  skipped: Array<{ key: string; reason: string }>;
}

export interface Reindexed {
  plan: ReindexPlan;
  index: IndexFile;
  /** ETag of the index that was read, for the compare-and-swap; undefined when there was none. */
  etag: string | undefined;
}

/** The stored index, or why it does not parse: a corrupt index is what a reindex replaces. */
function readPrevious(body: Uint8Array, indexFile: string): { previous?: IndexFile; problem?: string } {
  try {
    return { previous: parseIndex(body, indexFile) };
  } catch (error) {
    if (!isReleaseError(error)) throw error;
    return { problem: error.describe() };
  }
}

/**
 * The index entry of one stored archive (the previous index's when it lists the same bytes, to
 * keep its `created`), or why the archive is skipped; undefined when it is gone since the listing.
 */
async function archiveEntry(
  store: Store,
  object: ObjectInfo,
  previous: IndexFile | undefined,
  baseUrl: string | undefined,
): Promise<{ entry: ChartVersion } | { skipped: string } | undefined> {
  const stored = await store.get(object.key);
  if (stored === undefined) return undefined;
  let metadata: ChartMetadata;
  try {
    ({ metadata } = await readChartArchive(stored.body, describeKey(store, object.key)));
  } catch (error) {
    if (!isReleaseError(error)) throw error;
    return { skipped: error.describe() };
  }
  if (object.key !== `${metadata.name}-${metadata.version}.tgz`) {
    return {
      skipped: `holds ${metadata.name} ${metadata.version}; expected the name ${metadata.name}-${metadata.version}.tgz`,
    };
  }
  const digest = sha256Hex(stored.body);
  const before = previous === undefined ? undefined : findEntry(previous, metadata.name, metadata.version);
  const known = before !== undefined && before.digest === digest ? before : undefined;
  const entry =
    known ??
    chartEntry(metadata, {
      urls: [chartUrl(baseUrl, object.key)],
      created: object.lastModified.toISOString(),
      digest,
    });
  return { entry };
}

export async function planReindex(
  store: Store,
  options: { baseUrl?: string; now: () => Date },
): Promise<Reindexed> {
  const indexFile = describeKey(store, INDEX_KEY);
  const current = await store.get(INDEX_KEY);
  const { previous, problem } = current === undefined ? {} : readPrevious(current.body, indexFile);
  let index = emptyIndex(options.now().toISOString());
  const skipped: ReindexPlan["skipped"] = [];
  const archives = (await store.list()).filter((object) => object.key.endsWith(".tgz"));
  if (current === undefined && archives.length === 0) {
    // Neither an index nor an archive: a mistyped location, not a repository to rebuild. Writing
    // an empty index there would make a new, empty repository that nobody asked for.
    throw new ReleaseError("INDEX_MISSING", "no repository here: no index.yaml and no chart archive", {
      file: store.location,
      fix: "check --repo: a chart repository holds index.yaml and <name>-<version>.tgz archives (a new one is made by chart publish)",
    });
  }
  for (const object of archives) {
    const found = await archiveEntry(store, object, previous, options.baseUrl);
    if (found === undefined) continue;
    if ("skipped" in found) skipped.push({ key: object.key, reason: found.skipped });
    else index = mergeEntry(index, found.entry).index;
  }
  const names = (file: IndexFile | undefined) =>
    new Set(
      Object.values(file?.entries ?? {}).flatMap((list) =>
        list.map((entry) => `${entry.name} ${entry.version}`),
      ),
    );
  const now = names(index);
  const then = names(previous);
  return {
    plan: {
      repository: store.location,
      currentIndex: current === undefined ? "missing" : previous === undefined ? "corrupt" : "valid",
      currentIndexProblem: problem,
      added: [...now].filter((name) => !then.has(name)),
      removed: [...then].filter((name) => !now.has(name)),
      kept: [...now].filter((name) => then.has(name)),
      skipped,
    },
    index: { ...index, ...pickTopLevel(previous) },
    etag: current?.etag,
  };
}

export async function applyReindex(store: Store, reindexed: Reindexed, now: () => Date): Promise<void> {
  const body = new TextEncoder().encode(
    serializeIndex({ ...reindexed.index, generated: now().toISOString() }),
  );
  const options = { contentType: INDEX_POLICY.contentType, cacheControl: INDEX_POLICY.cacheControl };
  try {
    if (reindexed.etag === undefined) await store.putIfAbsent(INDEX_KEY, body, options);
    else await store.putIfMatch(INDEX_KEY, body, reindexed.etag, options);
  } catch (error) {
    if (!isReleaseError(error, "PRECONDITION_FAILED")) throw error;
    throw new ReleaseError("PRECONDITION_FAILED", "index.yaml changed while it was being rebuilt", {
      file: describeKey(store, INDEX_KEY),
      fix: "a publish ran meanwhile; run repo reindex again",
    });
  }
}

function pickTopLevel(previous: IndexFile | undefined): Partial<IndexFile> {
  return {
    ...(previous?.publicKeys === undefined ? {} : { publicKeys: previous.publicKeys }),
    ...(previous?.annotations === undefined ? {} : { annotations: previous.annotations }),
  };
}
