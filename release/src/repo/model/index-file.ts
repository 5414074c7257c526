/**
 * The index.yaml model (Helm's pkg/repo IndexFile and ChartVersion) with its constructors and
 * lookups. Parsing, merging, ordering and writing live next to this file, one job each.
 */
import type { ChartMetadata } from "../../helm-format/chart-metadata.js";
import { sameVersion } from "../../helm-format/version.js";

/** The only index apiVersion that exists. */
export const INDEX_API_VERSION = "v1";

/** Go's zero time.Time as Helm writes it: what Helm stores for a missing `created`/`generated`. */
export const ZERO_TIME = "0001-01-01T00:00:00Z";

/**
 * One published chart version: the Chart.yaml metadata fields Helm knows, plus where to download
 * it. Mirrors Helm's ChartVersion, including the keys Helm accepts only so that old indexes still
 * parse strictly (it ignores them; we keep them verbatim).
 */
export interface ChartVersion extends ChartMetadata {
  /** Download URLs; Helm uses `urls[0]`. Relative URLs resolve against the repository URL. */
  urls: string[];
  /** RFC 3339 time of first publication; set once, kept verbatim on every later merge. */
  created: string;
  /** Lowercase hex SHA-256 of the exact .tgz bytes. Empty when the file had none (Helm omits it). */
  digest: string;
  /** Helm's `removed` flag (ChartMuseum-era); kept verbatim. */
  removed?: boolean;
  /** Helm 2 `checksum`, superseded by `digest`; ignored by Helm 3 and 4, accepted by their strict parser. */
  checksum?: string;
  /** Helm 2 `engine`; ignored by Helm 3 and 4. */
  engine?: string;
  /** Helm 2 `tillerVersion`; ignored by Helm 3 and 4. */
  tillerVersion?: string;
  /** Helm 2 `url`, superseded by `urls`; ignored by Helm 3 and 4. */
  url?: string;
}

export interface IndexFile {
  apiVersion: "v1";
  /** Chart name -> its versions, newest first (SemVer precedence, pre-releases below their release). */
  entries: Record<string, ChartVersion[]>;
  /** RFC 3339 time of this write; injected by the caller, never read from the clock here. */
  generated: string;
  /** Helm >= 3.0 (optional). Dropped by `helm repo index --merge`: carry them over yourself. */
  publicKeys?: string[];
  /** Helm >= 3.4 (optional): strings only. */
  annotations?: Record<string, string>;
  /** Written by ChartMuseum (e.g. `contextPath`); Helm accepts and ignores it. Kept verbatim. */
  serverInfo?: Record<string, unknown>;
}

export function emptyIndex(generated: string): IndexFile {
  return { apiVersion: INDEX_API_VERSION, entries: {}, generated };
}

/**
 * The entry for a chart version, or undefined. An exact version string wins; otherwise the first
 * version with the same SemVer precedence (Helm ignores `+build` metadata and a leading `v`, so
 * `1.0.0+a` finds `1.0.0+b`: they are the same version to Helm).
 */
export function findEntry(index: IndexFile, name: string, version: string): ChartVersion | undefined {
  if (!Object.hasOwn(index.entries, name)) return undefined;
  const list = index.entries[name] ?? [];
  const exact = list.find((entry) => entry.version === version);
  if (exact !== undefined) return exact;
  return list.find((entry) => sameVersion(entry.version, version));
}

function daysIn(month: number, year: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** The number written with `width` ASCII digits at `at`, or -1. */
function digits(s: string, at: number, width: number): number {
  let n = 0;
  for (let i = at; i < at + width; i++) {
    const c = s.charCodeAt(i) - 48;
    if (!(c >= 0 && c <= 9)) return -1;
    n = n * 10 + c;
  }
  return n;
}

/**
 * Whether Go's time.Time JSON decoding (strict RFC 3339, as Helm reads `created`/`generated`)
 * accepts s: `2006-01-02T15:04:05[.fraction](Z|+hh:mm|-hh:mm)` with every field in range.
 */
export function isRfc3339(s: string): boolean {
  if (s.length < 20 || s[4] !== "-" || s[7] !== "-" || s[10] !== "T" || s[13] !== ":" || s[16] !== ":")
    return false;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysIn(month, year)) return false;
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return false;
  let i = 19;
  if (s[i] === ".") {
    i++;
    const start = i;
    while (digits(s, i, 1) >= 0) i++;
    if (i === start) return false;
  }
  if (s[i] === "Z") return i + 1 === s.length;
  if ((s[i] !== "+" && s[i] !== "-") || s[i + 3] !== ":" || i + 6 !== s.length) return false;
  const zh = digits(s, i + 1, 2);
  const zm = digits(s, i + 4, 2);
  return zh >= 0 && zh <= 23 && zm >= 0 && zm <= 59;
}

/** RFC 3339 in UTC the way Helm writes times (RFC3339Nano: no trailing zeros in the fraction). */
export function rfc3339(date: Date): string {
  const text = Number.isNaN(date.getTime())
    ? ""
    : date
        .toISOString()
        .replace(/\.(\d*?)0*Z$/, (_m, digits: string) => (digits === "" ? "Z" : `.${digits}Z`));
  if (!isRfc3339(text)) throw new RangeError(`cannot write ${String(date)} as RFC 3339`);
  return text;
}
