/**
 * Chart versions as Helm reads and orders them: the one home of version parsing, checked against
 * the library Helm uses (github.com/Masterminds/semver/v3).
 * - chart versions we publish must be strict SemVer 2 (StrictNewVersion) without a leading `v`
 *   and without `+build` metadata (Helm ignores it when matching versions);
 * - subcharts and index entries only need what Helm's loader accepts (NewVersion, which coerces
 *   `1`, `v1.2`, `01.2.3`);
 * - kubeVersion and dependency versions are constraints (NewConstraint);
 * - versions order by SemVer precedence, newest first in an index (Helm's SortEntries).
 */
import semver from "semver";

const MAX_UINT64 = 18446744073709551615n;

const STRICT_SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

function fitsUint64(digits: string | undefined): boolean {
  return digits === undefined || digits === "" || BigInt(digits.replace(/^\./, "")) <= MAX_UINT64;
}

/** SemVer 2.0.0 as semver.org defines it (build metadata allowed here; callers refuse it). */
export function isStrictSemver(version: string): boolean {
  const match = STRICT_SEMVER.exec(version);
  return match !== null && fitsUint64(match[1]) && fitsUint64(match[2]) && fitsUint64(match[3]);
}

/**
 * Masterminds/semver v3 `NewVersion` (the parser Helm uses for chart versions, coercing mode): a
 * leading `v`, one to three numeric parts with leading zeros allowed, SemVer pre-release and build.
 */
const HELM_LOOSE =
  /^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

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
  if (parts.some((p) => p > MAX_UINT64)) {
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
 * A chart's versions (index entries, or anything with a `version`), newest first. Stable: entries of equal precedence keep their relative order.
 * Versions Helm cannot parse go last (as in Helm). Returns the same array when already in order.
 */
export function sortVersions<T extends { version: string }>(list: readonly T[]): T[] {
  const keys = list.map((entry) => cached(entry.version));
  const cmp = (i: number, j: number): number => {
    const a = keys[i];
    const b = keys[j];
    if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? 1 : -1;
    return b.compare(a);
  };
  let sorted = true;
  for (let i = 1; i < list.length && sorted; i++) sorted = cmp(i - 1, i) <= 0;
  if (sorted) return list as T[];
  const order = list.map((_entry, i) => i).sort((i, j) => cmp(i, j) || i - j);
  return order.map((i) => list[i] as T);
}

/** Masterminds semver.NewVersion: what Helm's loader accepts as a chart version. */
export function isHelmVersion(version: string): boolean {
  const check = checkHelmVersion(version);
  return check.ok || check.reason === "unsupported";
}

// Masterminds constraints.go, translated. Go's \s is [\t\n\f\r ]; Go's regexp picks the leftmost
// alternative first, like JavaScript's, so the same strings match.
const S = "[\\t\\n\\f\\r ]";
const CV =
  "v?([0-9|x|X|\\*]+)(\\.[0-9|x|X|\\*]+)?(\\.[0-9|x|X|\\*]+)?" +
  "(-([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?" +
  "(\\+([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?";
const OPS = "=||!=|>|<|>=|=>|<=|=<|~|~>|\\^";
const CONSTRAINT = new RegExp(`^${S}*(${OPS})${S}*(${CV})${S}*$`);
const CONSTRAINT_RANGE = new RegExp(`${S}*(${CV})${S}+-${S}+(${CV})${S}*`, "g");
const FIND_CONSTRAINT = new RegExp(`(${OPS})${S}*(${CV})`, "g");
const VALID_CONSTRAINT = new RegExp(
  `^(${S}*(${OPS})${S}*(${CV})${S}*)((?:${S}+|,${S}*)(${OPS})${S}*(${CV})${S}*)*$`,
);

function isX(part: string): boolean {
  return part === "x" || part === "X" || part === "*";
}

function rewriteRange(text: string): string {
  let out = text;
  for (const match of text.matchAll(CONSTRAINT_RANGE)) {
    const replacement = `>= ${match[1]}, <= ${match[11]} `;
    out = out.replace(match[0], () => replacement);
  }
  return out;
}

function parsesAsConstraint(text: string): boolean {
  if (text.length === 0) return true;
  const m = CONSTRAINT.exec(text);
  if (m === null) return false;
  const [major = "", minor = "", patch = "", pre = ""] = [m[3], m[4], m[5], m[6]];
  let version = m[2] ?? "";
  if (isX(major) || major === "") version = `0.0.0${pre}`;
  else if (isX(minor.replace(/^\./, "")) || minor === "") version = `${major}.0.0${pre}`;
  else if (isX(patch.replace(/^\./, "")) || patch === "") version = `${major}${minor}.0${pre}`;
  return isHelmVersion(version);
}

/** Masterminds semver.NewConstraint: whether Helm can evaluate this constraint at all. */
export function isValidConstraint(constraint: string): boolean {
  for (const group of rewriteRange(constraint).split("||")) {
    if (!VALID_CONSTRAINT.test(group)) return false;
    const found = [...group.matchAll(FIND_CONSTRAINT)].map((match) => match[0]);
    const parts = found.length === 0 ? [group] : found;
    if (!parts.every(parsesAsConstraint)) return false;
  }
  return true;
}
