/**
 * Ordering, as Helm writes an index: each chart's versions newest first (Helm's SortEntries; the
 * version precedence itself is helm-format/version.ts), and map keys in go yaml.v2's key order
 * (what sigs.k8s.io/yaml produces).
 */
import { sortVersions } from "../../helm-format/version.js";
import type { ChartVersion, IndexFile } from "../model/index-file.js";

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
