/**
 * Ordering, as Helm writes an index: chart versions by SemVer precedence, newest first (Helm's
 * SortEntries), and map keys in go yaml.v2's key order (what sigs.k8s.io/yaml produces).
 */
import semver from "semver";
import type { ChartVersion, IndexFile } from "./index-file.js";

/**
 * Masterminds/semver v3 `NewVersion` (the parser Helm uses for chart versions, coercing mode): a
 * leading `v`, one to three numeric parts with leading zeros allowed, SemVer pre-release and build.
 */
const HELM_LOOSE =
  /^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;
const UINT64_MAX = 2n ** 64n - 1n;

export type VersionCheck =
  | { ok: true; version: semver.SemVer }
  | { ok: false; reason: "invalid" | "unsupported"; message: string };

/**
 * Checks a chart version the way Helm does (Masterminds NewVersion), and returns it as a `semver`
 * SemVer for comparisons (build metadata dropped: Helm ignores it when comparing). `unsupported`:
 * valid to Helm, but beyond what the `semver` package can compare (a part above 2^53 - 1, or
 * longer than 256 characters); no real chart needs that.
 */
export function checkHelmVersion(version: string): VersionCheck {
  const m = HELM_LOOSE.exec(version);
  if (m === null) return { ok: false, reason: "invalid", message: `"${version}" is not a semantic version` };
  const parts = [m[1] ?? "0", (m[2] ?? ".0").slice(1), (m[3] ?? ".0").slice(1)].map((p) => BigInt(p));
  if (parts.some((p) => p > UINT64_MAX)) {
    return { ok: false, reason: "invalid", message: `"${version}" has a number above 2^64 - 1` };
  }
  const pre = m[4];
  if (pre !== undefined) {
    for (const id of pre.split(".")) {
      if (/^[0-9]+$/.test(id) && id.length > 1 && id.startsWith("0")) {
        return {
          ok: false,
          reason: "invalid",
          message: `"${version}" has a numeric pre-release part with a leading zero ("${id}")`,
        };
      }
    }
  }
  const normal = `${parts.join(".")}${pre === undefined ? "" : `-${pre}`}`;
  try {
    return { ok: true, version: new semver.SemVer(normal) };
  } catch {
    return {
      ok: false,
      reason: "unsupported",
      message: `"${version}" is valid to Helm but too large to compare (a part above ${Number.MAX_SAFE_INTEGER}, or over 256 characters)`,
    };
  }
}

/** The version as Helm compares it, or undefined when Helm would reject it. */
export function helmVersion(version: string): semver.SemVer | undefined {
  const check = checkHelmVersion(version);
  return check.ok ? check.version : undefined;
}

// Checks are cached by version string for this module's own use (an index repeats the same few
// thousand version strings); the cached SemVer objects never leave this module, so nobody mutates them.
const checks = new Map<string, VersionCheck>();

/** checkHelmVersion, cached. */
export function cachedCheck(version: string): VersionCheck {
  let check = checks.get(version);
  if (check === undefined) {
    check = checkHelmVersion(version);
    if (checks.size >= 100_000) checks.clear();
    checks.set(version, check);
  }
  return check;
}

function cached(version: string): semver.SemVer | undefined {
  const check = cachedCheck(version);
  return check.ok ? check.version : undefined;
}

/**
 * Helm's precedence of two chart versions: < 0 when a is older, 0 when Helm sees one version,
 * > 0 when a is newer. Undefined when Helm cannot parse one of them.
 */
export function compareVersions(a: string, b: string): number | undefined {
  const va = cached(a);
  const vb = cached(b);
  return va === undefined || vb === undefined ? undefined : va.compare(vb);
}

/** True when Helm treats the two versions as one (same precedence: `1.0.0+a` and `1.0.0+b`, `v1.0.0` and `1.0.0`). */
export function sameVersion(a: string, b: string): boolean {
  return a === b || compareVersions(a, b) === 0;
}

/**
 * A chart's versions, newest first. Stable: entries of equal precedence keep their relative order.
 * Versions Helm cannot parse go last (as in Helm). Returns the same array when already in order.
 */
export function sortVersions(list: readonly ChartVersion[]): ChartVersion[] {
  const keys = list.map((entry) => cached(entry.version));
  const cmp = (i: number, j: number): number => {
    const a = keys[i];
    const b = keys[j];
    if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? 1 : -1;
    return b.compare(a);
  };
  let sorted = true;
  for (let i = 1; i < list.length && sorted; i++) sorted = cmp(i - 1, i) <= 0;
  if (sorted) return list as ChartVersion[];
  const order = list.map((_entry, i) => i).sort((i, j) => cmp(i, j) || i - j);
  return order.map((i) => list[i] as ChartVersion);
}

/** The index with every chart's versions in Helm's order (charts whose order is right are kept as they are). */
export function sortIndex(index: IndexFile): IndexFile {
  let changed = false;
  const entries: Record<string, ChartVersion[]> = {};
  for (const name of Object.keys(index.entries)) {
    const list = index.entries[name] ?? [];
    const sorted = sortVersions(list);
    if (sorted !== list) changed = true;
    Object.defineProperty(entries, name, {
      value: sorted,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return changed ? { ...index, entries } : index;
}

const LETTER = /\p{L}/u;
const DIGIT = /\p{Nd}/u;

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c > 127 && LETTER.test(String.fromCodePoint(c)));
}

function isDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c > 127 && DIGIT.test(String.fromCodePoint(c)));
}

/** go yaml.v2 keyList.Less over runes (code points). */
function goKeyLess(ar: readonly number[], br: readonly number[]): boolean {
  const n = Math.min(ar.length, br.length);
  for (let i = 0; i < n; i++) {
    const x = ar[i] as number;
    const y = br[i] as number;
    if (x === y) continue;
    const al = isLetter(x);
    const bl = isLetter(y);
    if (al && bl) return x < y;
    if (al || bl) return bl;
    let an = 0n;
    let bn = 0n;
    if (x === 48 || y === 48) {
      for (let j = i - 1; j >= 0 && isDigit(ar[j] as number); j--) {
        if (ar[j] !== 48) {
          an = 1n;
          bn = 1n;
          break;
        }
      }
    }
    let ai = i;
    for (; ai < ar.length && isDigit(ar[ai] as number); ai++) {
      an = BigInt.asIntN(64, an * 10n + BigInt((ar[ai] as number) - 48));
    }
    let bi = i;
    for (; bi < br.length && isDigit(br[bi] as number); bi++) {
      bn = BigInt.asIntN(64, bn * 10n + BigInt((br[bi] as number) - 48));
    }
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return x < y;
  }
  return ar.length < br.length;
}

/** Code points of the keys compared so far: an index repeats the same annotation keys in every entry. */
const RUNES = new Map<string, readonly number[]>();
const MAX_CACHED_KEYS = 10_000;

function runes(s: string): readonly number[] {
  let out = RUNES.get(s);
  if (out === undefined) {
    const points: number[] = [];
    for (const ch of s) points.push(ch.codePointAt(0) as number);
    if (RUNES.size >= MAX_CACHED_KEYS) RUNES.clear();
    RUNES.set(s, points);
    out = points;
  }
  return out;
}

function compareRunes(a: readonly number[], b: readonly number[]): number {
  return goKeyLess(a, b) ? -1 : goKeyLess(b, a) ? 1 : 0;
}

/**
 * go yaml.v2's keyList.Less for string keys (sorter.go): a natural order in which runs of digits
 * compare as numbers (`chart2` < `chart10`) and, at the first difference, a non-letter sorts before
 * a letter (`a-b` < `ab`). Helm writes every map (entries, annotations) in this order.
 */
export function compareKeys(a: string, b: string): number {
  return a === b ? 0 : compareRunes(runes(a), runes(b));
}

/**
 * Object keys in Helm's order. Go's comparison is not transitive for some mixes of digits and
 * letters (`1e3` < `2` < `10` < `1e3`), so for such keys Helm's own order changes from run to run
 * (Go randomizes map iteration). We sort the keys by code unit first, so that the result depends
 * only on the set of keys, never on insertion order; for every other key set it is Helm's order.
 */
export function sortedKeys(map: object): string[] {
  const keys = Object.keys(map);
  if (keys.length < 2) return keys;
  if (keys.length === 2) {
    // What the two sorts below do with two keys (an insertion sort compares the second to the first).
    const [a, b] = keys as [string, string];
    const [low, high] = a < b ? [a, b] : [b, a];
    return compareKeys(high, low) < 0 ? [high, low] : [low, high];
  }
  keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const decorated = keys.map((key) => ({ key, runes: runes(key) }));
  decorated.sort((x, y) => compareRunes(x.runes, y.runes));
  return decorated.map((d) => d.key);
}
