/**
 * A fast reader for the block-YAML layout that Helm and serializeIndex write (2-space mappings,
 * `- ` sequences; scalars plain, "double" or 'single' quoted, `[]`, `{}`, block scalars `|` and `>`,
 * and plain scalars folded over several lines as go-yaml folds long strings). It returns exactly the
 * value js-yaml returns with HELM_YAML_SCHEMA (load-yaml.ts), or `undefined` as soon as it meets
 * anything else (flow collections, anchors, tags, multi-line quoted scalars, duplicate keys, tabs,
 * CR, odd indentation...), in which case the caller uses js-yaml.
 *
 * Why: js-yaml needs about a second for a 15,000-entry index on a small machine; this reads the same
 * file several times faster, so publishing one version stays well under a second. Being a strict
 * subset with a fallback, it can only change speed, never the result; tests check it against js-yaml.
 */

import { resolvePlain } from "../../yaml/yaml11-scalars.js";
import { DEPENDENCY_KEYS, ENTRY_KEYS, INDEX_KEYS, MAINTAINER_KEYS } from "../model/index-keys.js";
import { advance, BAIL, Bail, blockScalar, type Cursor, plainLines } from "./fast-yaml-lines.js";
import { KEY_MARK, PlainScalar } from "./load-yaml.js";

/** Control characters (tab and CR included), C1, NEL, LS, PS, surrogates, BOM, U+FFFE/FFFF: one scan of the text. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const UNSUPPORTED_CHARS = /[\x00-\x09\x0B-\x1F\x7F-\x9F\u2028\u2029\uD800-\uDFFF\uFEFF\uFFFE\uFFFF]/;
/** A plain scalar may not start with these (YAML indicators); `-?:` are allowed by YAML in some cases, not here. */
const INDICATOR = new Uint8Array(128);
for (const ch of "-?:,[]{}#&*!|>'\"%@`") INDICATOR[ch.charCodeAt(0)] = 1;

function hexValue(t: string, from: number, digits: number, end: number): number {
  if (from + digits > end) throw BAIL;
  const hex = t.slice(from, from + digits);
  if (!/^[0-9a-fA-F]+$/.test(hex)) throw BAIL;
  return Number.parseInt(hex, 16);
}

const SIMPLE_ESCAPES: Record<string, string> = {
  "0": "\0",
  a: "\x07",
  b: "\b",
  t: "\t",
  n: "\n",
  v: "\v",
  f: "\f",
  r: "\r",
  e: "\x1b",
  " ": " ",
  '"': '"',
  "/": "/",
  "\\": "\\",
  N: "\x85",
  _: "\xa0",
  L: "\u2028",
  P: "\u2029",
};

/** Offset just after the last quoted scalar read (saves allocating a [value, end] pair per scalar). */
let afterQuote = 0;

/** A double-quoted scalar at `from`, closed before `end`; sets afterQuote. */
function doubleQuoted(t: string, from: number, end: number): string {
  let out = "";
  let start = from + 1;
  for (let k = start; k < end; k++) {
    const quote = t.indexOf('"', k);
    if (quote === -1 || quote >= end) throw BAIL; // not closed on this line
    let backslash = k;
    while (backslash < quote && t.charCodeAt(backslash) !== 92) backslash++;
    if (backslash === quote) {
      afterQuote = quote + 1;
      return out + t.slice(start, quote);
    }
    k = backslash;
    out += t.slice(start, k);
    if (k + 1 >= end) throw BAIL; // escaped line break: a multi-line scalar
    const e = t[k + 1] as string;
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      out += simple;
      k += 1;
    } else {
      const digits = e === "x" ? 2 : e === "u" ? 4 : e === "U" ? 8 : 0;
      if (digits === 0) throw BAIL;
      const code = hexValue(t, k + 2, digits, end);
      if (code > 0x10ffff) throw BAIL;
      // As js-yaml: one UTF-16 unit up to 0xFFFF (a lone surrogate stays one), a pair above.
      out += code <= 0xffff ? String.fromCharCode(code) : String.fromCodePoint(code);
      k += 1 + digits;
    }
    start = k + 1;
  }
  throw BAIL;
}

/** A single-quoted scalar at `from` (`''` is a quote), closed before `end`; sets afterQuote. */
function singleQuoted(t: string, from: number, end: number): string {
  let out = "";
  let start = from + 1;
  for (;;) {
    const k = t.indexOf("'", start);
    if (k === -1 || k >= end) throw BAIL;
    out += t.slice(start, k);
    if (t.charCodeAt(k + 1) !== 39 || k + 1 >= end) {
      afterQuote = k + 1;
      return out;
    }
    out += "'";
    start = k + 2;
  }
}

function quoted(t: string, from: number, end: number): string {
  return t.charCodeAt(from) === 34 ? doubleQuoted(t, from, end) : singleQuoted(t, from, end);
}

/** A plain scalar as js-yaml + HELM_YAML_SCHEMA returns it: a string, or a PlainScalar for YAML 1.1 typed values. */
function plainValue(text: string): string | PlainScalar {
  const resolved = resolvePlain(text);
  return resolved.kind === "str" ? text : new PlainScalar(text, resolved);
}

/** Plain scalar text that js-yaml reads back exactly (else bail). */
function plainText(t: string, from: number, end: number): string {
  const c0 = t.charCodeAt(from);
  if (from >= end || (c0 < 128 && INDICATOR[c0] === 1)) throw BAIL;
  const last = t.charCodeAt(end - 1);
  if (last === 32 || last === 58) throw BAIL;
  const text = t.slice(from, end);
  if (text.includes(" ") && (text.includes(" #") || text.includes(": "))) throw BAIL;
  return text;
}

/** A scalar value that must end the line: plain, quoted, `[]` or `{}`. */
function scalarToEnd(t: string, from: number, end: number): unknown {
  const c0 = t.charCodeAt(from);
  if (c0 === 34 || c0 === 39) {
    const value = quoted(t, from, end);
    if (afterQuote !== end) throw BAIL;
    return value;
  }
  if (end - from === 2 && c0 === 91 && t.charCodeAt(from + 1) === 93) return [];
  if (end - from === 2 && c0 === 123 && t.charCodeAt(from + 1) === 125) return {};
  return plainValue(plainText(t, from, end));
}

/**
 * The value that starts at `at` on the current line and may go on over the next lines (a block
 * scalar, or a plain scalar folded by the writer). `nodeIndent`: the key's or the dash's indent + 1.
 */
function inlineValue(c: Cursor, at: number, nodeIndent: number): unknown {
  const t = c.text;
  const c0 = t.charCodeAt(at);
  if (c0 === 124 || c0 === 62) return blockScalar(c, at, nodeIndent); // | or >
  if (c0 === 34 || c0 === 39 || c0 === 91 || c0 === 123) return scalarToEnd(t, at, c.end);
  return plainValue(plainLines(c, plainText(t, at, c.end), nodeIndent));
}

/** Set by colonSpace: a hash of the characters before the `: ` it found (or before the last character). */
let scannedHash = 0;

function hashStep(h: number, ch: number): number {
  return (Math.imul(h, 31) + ch) | 0;
}

/**
 * The first `: ` in [from, end), or -1 (a plain loop: lines are short, indexOf would search the whole
 * text). Sets scannedHash.
 */
function colonSpace(t: string, from: number, end: number): number {
  let h = 0;
  for (let k = from; k < end - 1; k++) {
    const ch = t.charCodeAt(k);
    if (ch === 58 && t.charCodeAt(k + 1) === 32) {
      scannedHash = h;
      return k;
    }
    h = hashStep(h, ch);
  }
  scannedHash = h;
  return -1;
}

/** Known key names by their hash: a plain key equal to one of them is returned as that (interned) string. */
const KEYS_BY_HASH = new Map<number, string[]>();
for (const key of new Set([...INDEX_KEYS, ...ENTRY_KEYS, ...MAINTAINER_KEYS, ...DEPENDENCY_KEYS])) {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = hashStep(h, key.charCodeAt(i));
  KEYS_BY_HASH.set(h, [...(KEYS_BY_HASH.get(h) ?? []), key]);
}

/** Where the value of the last key read starts (-1: on the next lines). */
let valueAt = 0;

/** The key of a `key: ...` line at `from`, as js-yaml stores it; sets valueAt. */
function keyOf(t: string, from: number, end: number): string {
  const c0 = t.charCodeAt(from);
  let key: string | undefined;
  let colon: number;
  if (c0 === 34 || c0 === 39) {
    key = quoted(t, from, end);
    colon = afterQuote;
    if (t.charCodeAt(colon) !== 58 || colon >= end) throw BAIL;
  } else {
    colon = colonSpace(t, from, end);
    if (colon === -1) {
      if (t.charCodeAt(end - 1) !== 58) throw BAIL;
      colon = end - 1;
    }
    // scannedHash covers [from, colon) in both cases above.
    const candidates = KEYS_BY_HASH.get(scannedHash);
    if (candidates !== undefined) {
      for (const known of candidates) {
        if (known.length === colon - from && t.startsWith(known, from)) {
          key = known;
          break;
        }
      }
    }
    if (key === undefined) {
      const text = plainText(t, from, colon);
      if (text === "<<") throw BAIL; // a merge key
      const value = plainValue(text);
      key = typeof value === "string" ? value : `${KEY_MARK}${text}`;
    }
  }
  // After the colon: the end of the line, or one space and a value.
  if (colon + 1 === end) valueAt = -1;
  else if (t.charCodeAt(colon + 1) !== 32 || colon + 2 >= end || t.charCodeAt(colon + 2) === 32) throw BAIL;
  else valueAt = colon + 2;
  return key;
}

function setKey(target: Record<string, unknown>, key: string, value: unknown): void {
  if (target[key] !== undefined && Object.hasOwn(target, key)) throw BAIL; // a duplicate: let js-yaml report it
  if (key === "__proto__")
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** Whether the current line has a sequence dash (`- ` or a lone `-`) at indent `col`. */
function isItem(c: Cursor, col: number): boolean {
  const at = c.start + col;
  return c.text.charCodeAt(at) === 45 && (at + 1 === c.end || c.text.charCodeAt(at + 1) === 32);
}

/** The block value after `key:` on its own line, whose key sits at indent `keyCol`. */
function nestedValue(c: Cursor, keyCol: number): unknown {
  advance(c);
  if (c.col === -1) return null;
  if (c.col >= keyCol && isItem(c, c.col)) return sequence(c, c.col);
  if (c.col > keyCol) return mapping(c, c.col);
  return null; // `key:` with nothing under it
}

/** A block mapping whose keys are at indent `col`; the cursor is on its first line. */
function mapping(c: Cursor, col: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (;;) {
    if (isItem(c, col)) throw BAIL; // a dash where a key belongs
    const key = keyOf(c.text, c.start + col, c.end);
    if (valueAt === -1) {
      setKey(out, key, nestedValue(c, col));
    } else {
      setKey(out, key, inlineValue(c, valueAt, col + 1));
      advance(c);
    }
    if (c.col === -1 || c.col < col) return out;
    if (c.col > col) throw BAIL; // a continuation line or bad indentation
    if (isItem(c, col)) return out; // the rest of a compact sequence this mapping sits in
  }
}

/** A block sequence whose dashes are at indent `col`; the cursor is on its first item. */
function sequence(c: Cursor, col: number): unknown[] {
  const out: unknown[] = [];
  const t = c.text;
  for (;;) {
    if (!isItem(c, col)) throw BAIL;
    const at = c.start + col + 2;
    const end = c.end;
    const ch = t.charCodeAt(at);
    if (at >= end || ch === 32 || ch === 45) throw BAIL; // empty item, odd spacing or a nested `- -`
    let isMapping: boolean;
    if (ch === 34 || ch === 39) {
      quoted(t, at, end);
      isMapping = afterQuote < end && t.charCodeAt(afterQuote) === 58;
    } else {
      isMapping = colonSpace(t, at, end) !== -1 || t.charCodeAt(end - 1) === 58;
    }
    if (isMapping) {
      // `- key: value`: a mapping whose keys are at indent col + 2.
      c.col = col + 2;
      out.push(mapping(c, col + 2));
    } else {
      out.push(inlineValue(c, at, col + 1));
      advance(c);
    }
    if (c.col === -1 || c.col < col) return out;
    if (c.col > col) throw BAIL;
    if (!isItem(c, col)) return out; // the parent mapping's next key (a compact sequence)
  }
}

function atEnd(c: Cursor): boolean {
  return c.col === -1;
}

/**
 * The document as js-yaml would load it with HELM_YAML_SCHEMA, or undefined when the text is not in
 * the simple layout (then use js-yaml).
 */
export function readSimpleYaml(text: string): unknown {
  if (UNSUPPORTED_CHARS.test(text)) return undefined;
  const c: Cursor = { text, start: 0, end: -1, col: -1 };
  try {
    advance(c);
    if (
      c.col !== 0 ||
      text.startsWith("---", c.start) ||
      text.startsWith("...", c.start) ||
      text.startsWith("%", c.start)
    ) {
      return undefined;
    }
    const doc = mapping(c, 0);
    return atEnd(c) ? doc : undefined; // else something is left over
  } catch (error) {
    if (error instanceof Bail) return undefined;
    throw error;
  }
}
