/**
 * `repo rollback`: put an earlier index.yaml back. Restoring a version with CopyObject is refused
 * by the bucket policy (index writes must be conditional, and S3 answers a conditional copy with
 * 501), so the rollback reads the earlier version's bytes and writes them as a new version with
 * `If-Match: <etag of the index it read>`: a publish that lands in between makes it fail instead
 * of being undone. Plan (reads only), then apply; --dry-run prints the plan.
 *
 * The archives are never touched: a rolled-back version's archive stays stored (create-only
 * objects are never deleted by a publisher), so rolling forward again is another rollback.
 */
import { isReleaseError, ReleaseError } from "../errors.js";
import type { IndexFile } from "../repo/model/index-file.js";
import { parseIndex } from "../repo/parse/parse-index.js";
import type { ObjectHistory, ObjectVersion } from "../storage/object-history.js";
import { INDEX_POLICY } from "../storage/object-policy.js";
import type { Store } from "../storage/store.js";
import { describeKey, INDEX_KEY } from "./read-index.js";

export interface RollbackPlan {
  repository: string;
  /** The index as it is now; undefined when it is absent (deleted). */
  current: { versionId: string; lastModified: string } | undefined;
  target: { versionId: string; lastModified: string };
  /** `name version` of the chart versions the rollback takes out of the index. */
  removed: string[];
  /** `name version` of the chart versions it puts back. */
  restored: string[];
  /** Every stored version of index.yaml, newest first. */
  history: Array<{
    versionId: string;
    lastModified: string;
    size: number;
    latest: boolean;
    deleted: boolean;
  }>;
}

export interface PlannedRollback {
  plan: RollbackPlan;
  /** The earlier version's bytes, written verbatim. */
  body: Uint8Array;
  /** ETag of the index read while planning: the write succeeds only if it is still current. */
  etag: string | undefined;
}

export interface RollbackOptions {
  /** The version to restore; default: the one just before the current one. */
  to?: string;
}

function refused(message: string, file: string, fix: string): ReleaseError {
  return new ReleaseError("ROLLBACK_REFUSED", message, { file, fix });
}

function chartVersions(index: IndexFile): Set<string> {
  return new Set(
    Object.entries(index.entries).flatMap(([name, versions]) => versions.map((v) => `${name} ${v.version}`)),
  );
}

/** The stored key an entry URL names: a relative URL as is, an absolute one by its file name. */
function archiveKeyOf(url: string): string {
  const path = /^[a-z][a-z0-9+.-]*:/i.test(url) ? (new URL(url).pathname.split("/").pop() ?? "") : url;
  return decodeURIComponent(path.replace(/^\.?\//, ""));
}

function chooseTarget(versions: ObjectVersion[], to: string | undefined, file: string): ObjectVersion {
  if (to !== undefined) {
    const chosen = versions.find((v) => v.versionId === to);
    if (chosen === undefined) {
      throw new ReleaseError("USAGE", `index.yaml has no version ${JSON.stringify(to)}`, {
        field: "--to",
        file,
        fix: "give a version id listed by `repo rollback --dry-run` (the history of index.yaml)",
      });
    }
    if (chosen.latest) {
      throw new ReleaseError("USAGE", `version ${to} is the current index.yaml`, {
        field: "--to",
        file,
        fix: "give an earlier version id, or leave --to out to restore the one before the current",
      });
    }
    if (chosen.deleteMarker) {
      throw new ReleaseError("USAGE", `version ${to} is a deletion, not an index`, {
        field: "--to",
        file,
        fix: "give the id of a stored index.yaml version",
      });
    }
    return chosen;
  }
  const latest = versions.findIndex((v) => v.latest);
  const earlier = versions.slice(latest + 1).find((v) => !v.deleteMarker);
  if (earlier === undefined) {
    throw refused(
      "no earlier version of index.yaml is stored",
      file,
      "rollback needs a versioned bucket (the infrastructure stack's is) and an index written at least twice; " +
        "a bad entry can also be dropped with `repo reindex` after its archive is removed by an administrator",
    );
  }
  return earlier;
}

/** The earlier index, which must parse: Helm would refuse it as the repository's index. */
function parseTarget(body: Uint8Array, target: ObjectVersion, file: string): IndexFile {
  try {
    return parseIndex(body, `${file} (version ${target.versionId})`);
  } catch (error) {
    if (!isReleaseError(error)) throw error;
    throw refused(
      `version ${target.versionId} of index.yaml does not parse: ${error.message}`,
      file,
      "choose another version with --to; Helm would refuse this one",
    );
  }
}

/** Every archive the earlier index names must still be stored, or Helm would get 404s. */
async function assertArchivesStored(
  store: Store,
  targetIndex: IndexFile,
  target: ObjectVersion,
  file: string,
): Promise<void> {
  const stored = new Set((await store.list()).map((object) => object.key));
  const missing = Object.values(targetIndex.entries)
    .flat()
    .flatMap((entry) => (entry.urls[0] === undefined ? [] : [archiveKeyOf(entry.urls[0])]))
    .filter((key) => !stored.has(key));
  if (missing.length > 0) {
    throw refused(
      `version ${target.versionId} of index.yaml names archives that are not stored: ${missing.join(", ")}`,
      file,
      "choose a version whose archives are all stored (--to), or rebuild the index from the archives with `repo reindex`",
    );
  }
}

export async function planRollback(
  store: Store,
  history: ObjectHistory,
  options: RollbackOptions = {},
): Promise<PlannedRollback> {
  const file = describeKey(store, INDEX_KEY);
  const versions = await history.versions(INDEX_KEY);
  const target = chooseTarget(versions, options.to, file);

  const body = await history.getVersion(INDEX_KEY, target.versionId);
  const targetIndex = parseTarget(body, target, file);
  await assertArchivesStored(store, targetIndex, target, file);

  const current = await store.get(INDEX_KEY);
  const currentIndex = current === undefined ? undefined : parseIndex(current.body, file);
  const latest = versions.find((v) => v.latest && !v.deleteMarker);
  const before = currentIndex === undefined ? new Set<string>() : chartVersions(currentIndex);
  const after = chartVersions(targetIndex);
  return {
    plan: {
      repository: store.location,
      current:
        current === undefined || latest === undefined
          ? undefined
          : { versionId: latest.versionId, lastModified: latest.lastModified.toISOString() },
      target: { versionId: target.versionId, lastModified: target.lastModified.toISOString() },
      removed: [...before].filter((v) => !after.has(v)).sort(),
      restored: [...after].filter((v) => !before.has(v)).sort(),
      history: versions.map((v) => ({
        versionId: v.versionId,
        lastModified: v.lastModified.toISOString(),
        size: v.size,
        latest: v.latest,
        deleted: v.deleteMarker,
      })),
    },
    body,
    etag: current?.etag,
  };
}

/** Writes the earlier bytes if index.yaml is still what the plan read; otherwise nothing. */
export async function applyRollback(store: Store, planned: PlannedRollback): Promise<{ etag: string }> {
  const options = { contentType: INDEX_POLICY.contentType, cacheControl: INDEX_POLICY.cacheControl };
  try {
    return planned.etag === undefined
      ? await store.putIfAbsent(INDEX_KEY, planned.body, options)
      : await store.putIfMatch(INDEX_KEY, planned.body, planned.etag, options);
  } catch (error) {
    if (isReleaseError(error) && error.code === "PRECONDITION_FAILED") {
      throw refused(
        "index.yaml changed while the rollback was being planned (a publish ran); nothing was written",
        describeKey(store, INDEX_KEY),
        "run repo rollback --dry-run again to see the new history, then roll back from there",
      );
    }
    throw error;
  }
}
