/**
 * Typed readers over loaded YAML/JSON values, with Helm's rules for each kind of field and errors
 * that name the file, the field path and a fix.
 *
 * How Helm types index.yaml (sigs.k8s.io/yaml, checked against Helm 3.22 and 4.3):
 * - YAML goes through yaml.v2 (YAML 1.1) into `interface{}`, then to JSON, then into Go structs.
 * - Where the target Go field is *directly* a string (index `apiVersion`, `publicKeys`, index
 *   `annotations` values, an entry's `digest`/`urls`/`checksum`/`engine`/`tillerVersion`/`url`),
 *   sigs.k8s.io/yaml turns a YAML 1.1 number or bool into a string: `digest: 123` is "123",
 *   `digest: 1.0` is "1" (float32 formatting), `digest: yes` is "true". ("coerced" fields here.)
 * - Every Chart.yaml field of an entry (version, appVersion, description, keywords, annotations,
 *   maintainers, ...) sits in the embedded `*chart.Metadata`, where that conversion does not reach:
 *   `version: 1.0`, `appVersion: 7` or `appVersion: yes` make Helm reject the WHOLE index
 *   ("json: cannot unmarshal number into Go struct field ...").
 * - YAML null (`~`, `null`, an empty value) leaves the Go zero value: an absent field.
 *
 * Our decision: a non-string plain scalar in a Metadata field is refused, as Helm refuses it. In a
 * coerced field it is accepted only when Helm's string equals the text as written (`digest: 123`);
 * when they differ (`digest: 1.0` read as "1", `yes` as "true") we refuse, because keeping either
 * spelling would silently change what someone meant or what Helm users see: the fix is to quote it.
 * JSON (Helm's fast path, encoding/json) never converts: a number where a string belongs is refused.
 */
import { type ErrorCode, ReleaseError } from "../../errors.js";
import { goKeyOf, goStringOf, resolvePlain } from "../../yaml/yaml11-scalars.js";
import { isRfc3339 } from "../model/index-file.js";
import { KEY_MARK, PlainScalar } from "./load-yaml.js";

export interface Reader {
  /** The file being read, for messages; undefined for values built in code. */
  readonly file: string | undefined;
  readonly code: ErrorCode;
  /** Whether strings may hold lone surrogates (only escapes can make them): check each string then. */
  readonly checkSurrogates: boolean;
  /**
   * Whether the values read belong to the reader (a freshly parsed tree) and may be kept as they
   * are instead of copied. False for values a caller passed in (they are never changed or shared).
   */
  readonly inPlace: boolean;
  /** Object keys seen so far (the JSON path compares it with the keys in the text to find duplicates). */
  keys: number;
}

/** Longest mapping key we accept: YAML limits implicit (plain or quoted) keys to 1024 characters. */
export const MAX_KEY_LENGTH = 1000;

/** A field is named by its parent's path and its key; the path string is only built for messages. */
export type Key = string | number;

export function fail(r: Reader, field: string, message: string, fix: string): never {
  throw new ReleaseError(r.code, message, { file: r.file, field: field === "" ? undefined : field, fix });
}

/** `entries.kube9-operator[2].version`; keys that are not simple names are bracketed and quoted. */
export function fieldPath(parent: string, key: Key): string {
  if (typeof key === "number") return `${parent}[${key}]`;
  if (/^[A-Za-z0-9_][A-Za-z0-9_-]*$/.test(key)) return parent === "" ? key : `${parent}.${key}`;
  return `${parent}[${JSON.stringify(key)}]`;
}

function keyName(parent: string, key: Key): string {
  return typeof key === "string" ? key : (/(?:^|\.)([^.[\]]+)(?:\[\d+\])*$/.exec(parent)?.[1] ?? "value");
}

export function describe(v: unknown): string {
  if (v === null || v === undefined) return "nothing (null)";
  if (v instanceof PlainScalar) return `the YAML 1.1 ${v.resolved.kind} \`${v.text}\``;
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  if (typeof v === "string")
    return `the string ${JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v)}`;
  return `the JSON ${typeof v} ${String(v)}`;
}

const KIND_NAMES = { null: "null", bool: "boolean", int: "integer", float: "number" } as const;

export function isNull(v: unknown): boolean {
  return v === null || v === undefined || (v instanceof PlainScalar && v.resolved.kind === "null");
}

/** Any string in the model must be well-formed UTF-16: Go cannot carry a lone surrogate. */
export function wellFormed(r: Reader, s: string, parent: string, key: Key): string {
  if (r.checkSurrogates && /[\uD800-\uDFFF]/.test(s) && /\p{Cs}/u.test(s)) {
    fail(
      r,
      fieldPath(parent, key),
      "contains a lone UTF-16 surrogate (an invalid \\u escape)",
      "fix the escape sequence",
    );
  }
  return s;
}

/** A string field. `coerce`: the Go field is directly a string (see the header). Undefined for null. */
export function readString(
  r: Reader,
  v: unknown,
  parent: string,
  key: Key,
  coerce: boolean,
): string | undefined {
  if (typeof v === "string") return r.checkSurrogates ? wellFormed(r, v, parent, key) : v;
  if (isNull(v)) return undefined;
  const path = fieldPath(parent, key);
  const fix = `quote it: ${keyName(parent, key)}: "${v instanceof PlainScalar ? v.text : String(v)}"`;
  if (v instanceof PlainScalar) {
    const go = goStringOf(v.resolved, v.text);
    if (coerce && go === v.text) return v.text;
    const kind = KIND_NAMES[v.resolved.kind];
    fail(
      r,
      path,
      coerce
        ? `\`${v.text}\` is a YAML 1.1 ${kind}: Helm reads it as the string "${go}", not "${v.text}"`
        : `\`${v.text}\` is a YAML 1.1 ${kind}, not a string: Helm rejects the whole index ("cannot unmarshal ${kind === "boolean" ? "bool" : "number"} into ... of type string")`,
      fix,
    );
  }
  if (typeof v === "number" || typeof v === "boolean") {
    fail(r, path, `expected a string, found ${describe(v)}: Helm rejects the whole index`, fix);
  }
  return fail(r, path, `expected a string, found ${describe(v)}`, "write a single string value");
}

export function readBool(r: Reader, v: unknown, parent: string, key: Key): boolean | undefined {
  if (typeof v === "boolean") return v;
  if (isNull(v)) return undefined;
  if (v instanceof PlainScalar && v.resolved.kind === "bool") return v.resolved.value;
  const name = keyName(parent, key);
  return fail(
    r,
    fieldPath(parent, key),
    `expected true or false, found ${describe(v)}: Helm rejects the whole index`,
    `write ${name}: true or ${name}: false, unquoted`,
  );
}

/** An RFC 3339 time as Go's time.Time reads it from JSON; undefined for null. */
export function readTime(r: Reader, v: unknown, parent: string, key: Key): string | undefined {
  if (typeof v === "string" && isRfc3339(v)) return v;
  if (isNull(v)) return undefined;
  return fail(
    r,
    fieldPath(parent, key),
    `expected an RFC 3339 time, found ${describe(v)}: Helm rejects the whole index`,
    `write it like ${keyName(parent, key)}: "2024-01-31T12:00:00Z"`,
  );
}

export function readList(r: Reader, v: unknown, parent: string, key: Key): unknown[] | undefined {
  if (Array.isArray(v)) return v;
  if (isNull(v)) return undefined;
  return fail(
    r,
    fieldPath(parent, key),
    `expected a list, found ${describe(v)}`,
    "write a YAML list (lines starting with `- `)",
  );
}

export function readMap(
  r: Reader,
  v: unknown,
  parent: string,
  key: Key,
): Record<string, unknown> | undefined {
  if (typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof PlainScalar)) {
    r.keys += Object.keys(v).length;
    return v as Record<string, unknown>;
  }
  if (isNull(v)) return undefined;
  return fail(
    r,
    fieldPath(parent, key),
    `expected a mapping, found ${describe(v)}`,
    "write `key: value` lines",
  );
}

/** A list of strings; a null item is the empty string (Go's zero value), as Helm reads it. */
export function readStringList(
  r: Reader,
  v: unknown,
  parent: string,
  key: Key,
  coerce: boolean,
): string[] | undefined {
  const list = readList(r, v, parent, key);
  if (list === undefined) return undefined;
  if (r.inPlace && !r.checkSurrogates && list.every((item) => typeof item === "string"))
    return list as string[];
  const path = fieldPath(parent, key);
  return list.map((item, i) => readString(r, item, path, i, coerce) ?? "");
}

/** A key of a map whose keys are data (chart names, annotation keys): the string Helm sees. */
export function mapKey(r: Reader, raw: string, parent: string): string {
  let key = raw;
  if (raw.startsWith(KEY_MARK)) {
    const text = raw.slice(KEY_MARK.length);
    const resolved = resolvePlain(text);
    const go = goKeyOf(resolved, text);
    if (go === undefined) {
      fail(
        r,
        parent,
        `the key \`${text}\` is YAML null: Helm rejects the whole index`,
        `quote it: "${text}":`,
      );
    }
    if (go !== text) {
      fail(
        r,
        fieldPath(parent, text),
        `the key \`${text}\` is a YAML 1.1 ${resolved.kind}: Helm reads it as "${go}"`,
        `quote it: "${text}":`,
      );
    }
    key = text;
  }
  if (key.length > MAX_KEY_LENGTH) {
    fail(
      r,
      parent,
      `a key of ${key.length} characters is too long (at most ${MAX_KEY_LENGTH})`,
      "shorten the key",
    );
  }
  return wellFormed(r, key, parent, key);
}

/** A key of a fixed-shape object: must be one of `known`, spelled exactly. */
export function structKey(r: Reader, raw: string, parent: string, known: ReadonlySet<string>): string {
  if (known.has(raw)) return raw;
  const text = raw.startsWith(KEY_MARK) ? raw.slice(KEY_MARK.length) : raw;
  const folded = [...known].find((k) => k.toLowerCase() === text.toLowerCase());
  const hint =
    folded === undefined
      ? ""
      : ` (Helm matches it to \`${folded}\` ignoring case, but every tool writes \`${folded}\`)`;
  return fail(
    r,
    fieldPath(parent, text),
    `unknown key \`${text}\`${hint}: Helm >= 3.3.2 parses index.yaml strictly and rejects the whole file`,
    folded === undefined
      ? `remove it; the keys allowed here are: ${[...known].join(", ")}`
      : `rename it to \`${folded}\``,
  );
}
