/**
 * Version rules, checked against the library Helm uses (github.com/Masterminds/semver/v3):
 * - chart versions we publish must be strict SemVer 2 (StrictNewVersion) without a leading `v`
 *   and without `+build` metadata (Helm ignores it when matching versions);
 * - subcharts only need what Helm's loader accepts (NewVersion, which coerces `1`, `v1.2`, `01.2.3`);
 * - kubeVersion and dependency versions are constraints (NewConstraint).
 */

import { checkHelmVersion } from "../repo/order.js";

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

/** Masterminds semver.NewVersion: what Helm's loader accepts as a chart version (repo/order.ts is its one home). */
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
