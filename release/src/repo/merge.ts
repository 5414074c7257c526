/**
 * Adding one published chart version to an index. Pure: the input index is never changed; every
 * other entry and every other chart is kept as it is (the same objects).
 */
import { ReleaseError } from "../errors.js";
import { compareVersions } from "../helm-format/version.js";
import type { ChartVersion, IndexFile } from "./model/index-file.js";
import { readChartVersion } from "./parse/read-entry.js";
import { setOwn } from "./parse/read-maps.js";
import { fieldPath, type Reader } from "./parse/read-values.js";

export interface MergeResult {
  index: IndexFile;
  /** "unchanged": the version was already there with the same digest (a retry); the index is returned as given. */
  change: "added" | "unchanged";
  /** The entry now in the index for this version: the new one, or the existing one kept verbatim. */
  entry: ChartVersion;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Digests compare without a `sha256:` prefix and ignoring case (old tools wrote both forms). */
function sameDigest(a: string, b: string): boolean {
  const norm = (d: string): string => d.replace(/^sha256:/i, "").toLowerCase();
  return a !== "" && norm(a) === norm(b);
}

/**
 * The new entry, checked with the rules parseIndex applies (Helm's, strictly: no unknown key, valid
 * version, ...) plus what a merge needs: a digest to compare and a URL to download from.
 */
function checkNewEntry(entry: ChartVersion): ChartVersion {
  const where = `${String(entry?.name)} ${String(entry?.version)}`;
  const r: Reader = {
    file: `new index entry ${where}`,
    code: "CHART_INVALID",
    checkSurrogates: true,
    inPlace: false,
    keys: 0,
  };
  const checked = readChartVersion(r, entry, "", undefined);
  const fix = (field: string, message: string, hint: string): never => {
    throw new ReleaseError("CHART_INVALID", message, { file: r.file, field, fix: hint });
  };
  if (!SHA256_HEX.test(checked.digest)) {
    fix(
      "digest",
      `digest "${checked.digest}" is not a lowercase hex SHA-256`,
      "pass the SHA-256 of the .tgz bytes, without a sha256: prefix",
    );
  }
  if (checked.urls.length === 0 || checked.urls.some((u) => u === "")) {
    fix("urls", "a published version needs a download URL", "set urls to [chartUrl(baseUrl, fileName)]");
  }
  return checked;
}

/**
 * Adds `entry` to the index, in order (newest first). The same name and version (ignoring `+build`
 * metadata, as Helm does) with the same digest is a no-op that keeps the existing entry verbatim,
 * `created` included. The same version with another digest throws VERSION_CONFLICT: a published
 * version is never overwritten. Throws CHART_INVALID for an entry Helm or we would refuse.
 * `generated` is not touched: the caller sets it from its clock.
 */
export function mergeEntry(index: IndexFile, entry: ChartVersion): MergeResult {
  const added = checkNewEntry(entry);
  const name = added.name;
  const list = Object.hasOwn(index.entries, name) ? (index.entries[name] ?? []) : [];
  for (const [i, existing] of list.entries()) {
    if (compareVersions(existing.version, added.version) !== 0) continue;
    if (sameDigest(existing.digest, added.digest)) return { index, change: "unchanged", entry: existing };
    const same =
      existing.version === added.version
        ? ""
        : ` (Helm ignores build metadata, so ${existing.version} and ${added.version} are the same version)`;
    throw new ReleaseError(
      "VERSION_CONFLICT",
      `${name} ${added.version} is already published with digest ${existing.digest === "" ? "(none)" : existing.digest}; the new archive has digest ${added.digest}${same}`,
      {
        field: `${fieldPath(fieldPath("entries", name), i)}.digest`,
        fix: `bump the chart version: a published version is never overwritten (users and caches already have ${existing.version})`,
      },
    );
  }
  // Before the first older version (or one Helm cannot parse: those sort last).
  let at = list.findIndex((existing) => (compareVersions(existing.version, added.version) ?? -1) < 0);
  if (at === -1) at = list.length;
  const entries: Record<string, ChartVersion[]> = {};
  for (const key of Object.keys(index.entries)) setOwn(entries, key, index.entries[key]);
  setOwn(entries, name, [...list.slice(0, at), added, ...list.slice(at)]);
  return { index: { ...index, entries }, change: "added", entry: added };
}
