/**
 * YAML 1.1 scalar rules, as Helm applies them. Helm (3 and 4) reads index.yaml with sigs.k8s.io/yaml,
 * which decodes with go.yaml.in/yaml/v2 (YAML 1.1 resolution) into `interface{}` and then converts
 * to JSON. This module answers two questions:
 *
 * - reading: what does Go make of a *plain* (unquoted) scalar? (`resolvePlain`, mirrors yaml.v2's
 *   resolve.go: `yes` is a bool, `0123` is octal 83, `1.0` is a float, `1_000` is 1000, ...)
 * - writing: may a string be written plain, or must it be quoted so that every YAML 1.1 and 1.2
 *   reader (Go yaml.v2, js-yaml, PyYAML) reads back the same string? (`needsQuotes`)
 */
import yaml from "js-yaml";

export type PlainValue =
  | { readonly kind: "str" }
  | { readonly kind: "null" }
  | { readonly kind: "bool"; readonly value: boolean }
  | { readonly kind: "int"; readonly value: bigint }
  | { readonly kind: "float"; readonly value: number };

const STR: PlainValue = { kind: "str" };
const NULL: PlainValue = { kind: "null" };
const TRUE: PlainValue = { kind: "bool", value: true };
const FALSE: PlainValue = { kind: "bool", value: false };

/** yaml.v2 resolve.go resolveMap: exact spellings only (`yEs` is a string). */
const RESOLVE_MAP = new Map<string, PlainValue>();
for (const s of ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"])
  RESOLVE_MAP.set(s, TRUE);
for (const s of ["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"])
  RESOLVE_MAP.set(s, FALSE);
for (const s of ["~", "null", "Null", "NULL"]) RESOLVE_MAP.set(s, NULL);
for (const s of [".nan", ".NaN", ".NAN"]) RESOLVE_MAP.set(s, { kind: "float", value: Number.NaN });
for (const s of [".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"])
  RESOLVE_MAP.set(s, { kind: "float", value: Number.POSITIVE_INFINITY });
for (const s of ["-.inf", "-.Inf", "-.INF"])
  RESOLVE_MAP.set(s, { kind: "float", value: Number.NEGATIVE_INFINITY });

/** The longest spelling in RESOLVE_MAP: a longer text is never one of them. */
const MAX_MAPPED_LENGTH = Math.max(...[...RESOLVE_MAP.keys()].map((s) => s.length));

const HINT = new Uint8Array(128);
for (const ch of "0123456789+-.yYnNtTfFoO~") HINT[ch.charCodeAt(0)] = 1;
const NUMBER_CHARS = /^[-+0-9a-fA-F_.xXoO]+$/;
/** yaml.v2 yamlStyleFloat. */
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
/** What Go's strconv.ParseFloat accepts for a string starting with `.`. */
const DOT_FLOAT = /^\.[0-9]+([eE][-+]?[0-9]+)?$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
const DIGITS: Record<number, RegExp> = {
  2: /^[01]+$/,
  8: /^[0-7]+$/,
  10: /^[0-9]+$/,
  16: /^[0-9a-fA-F]+$/,
};
const RADIX_PREFIX: Record<number, string> = { 2: "0b", 8: "0o", 10: "", 16: "0x" };

/**
 * Go's strconv.ParseInt(s, 0, 64), then ParseUint(s, 0, 64): base prefixes 0x, 0o, 0b and a bare
 * leading 0 (octal). Returns undefined where both fail.
 */
function goParseInt(s: string): bigint | undefined {
  let i = 0;
  const sign = s[0];
  if (sign === "+" || sign === "-") i = 1;
  let digits = s.slice(i);
  let radix = 10;
  if (digits.length > 1 && digits[0] === "0") {
    const p = digits[1]?.toLowerCase();
    if (p === "x") radix = 16;
    else if (p === "b") radix = 2;
    else if (p === "o") radix = 8;
    else radix = 8;
    digits = digits.slice(p === "x" || p === "b" || p === "o" ? 2 : 1);
  }
  if (digits.length === 0 || !DIGITS[radix]?.test(digits)) return undefined;
  let value = BigInt(`${RADIX_PREFIX[radix]}${digits}`);
  if (sign === "-") value = -value;
  if (value >= INT64_MIN && value <= INT64_MAX) return value;
  // ParseUint takes no sign.
  if (i === 0 && value <= UINT64_MAX) return value;
  return undefined;
}

/** What go.yaml.in/yaml/v2 resolves a plain (unquoted, untagged) scalar to. Timestamps count as
 * strings: yaml.v2 hands them to `interface{}` targets as the original text. */
export function resolvePlain(text: string): PlainValue {
  if (text.length === 0) return NULL;
  const c = text.charCodeAt(0);
  // yaml.v2's resolveTable: only these first characters can start a non-string (non-ASCII: none).
  if (c >= 128 || HINT[c] === 0) return STR;
  const isDigit = c >= 48 && c <= 57;
  if (isDigit || c === 43 /* + */ || c === 45 /* - */) {
    const mapped = text.length > MAX_MAPPED_LENGTH ? undefined : RESOLVE_MAP.get(text);
    if (mapped !== undefined) return mapped;
    // An int has no `.` and a float one at most: `1.2.3` (a version) is a string.
    const dot = text.indexOf(".");
    if (dot !== -1 && text.indexOf(".", dot + 1) !== -1) return STR;
    // Numbers use only these characters; anything else is a string (or a timestamp: a string to Go).
    if (!NUMBER_CHARS.test(text)) return STR;
    const plain = text.includes("_") ? text.replaceAll("_", "") : text;
    const int = goParseInt(plain);
    if (int !== undefined) return { kind: "int", value: int };
    if (YAML_STYLE_FLOAT.test(plain)) {
      const value = Number(plain);
      if (Number.isFinite(value)) return { kind: "float", value };
    }
    return STR;
  }
  if (c === 46 /* . */) {
    const mapped = RESOLVE_MAP.get(text);
    if (mapped !== undefined) return mapped;
    if (DOT_FLOAT.test(text)) {
      const value = Number(text);
      if (Number.isFinite(value)) return { kind: "float", value };
    }
    return STR;
  }
  // Hint 'M' characters (yYnNtTfFoO~): only the exact spellings of the map.
  if (text.length > MAX_MAPPED_LENGTH) return STR;
  return RESOLVE_MAP.get(text) ?? STR;
}

/**
 * Go's strconv.FormatFloat(f, 'g', -1, 32), which sigs.k8s.io/yaml uses when it turns a YAML float
 * into a string field: the shortest float32 digits, exponent form when exp < -4 or exp >= 6.
 */
export function goFormatFloat32(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  const f = Math.fround(value);
  if (f === Number.POSITIVE_INFINITY) return "+Inf";
  if (f === Number.NEGATIVE_INFINITY) return "-Inf";
  if (f === 0) return Object.is(f, -0) ? "-0" : "0";
  let exp = "";
  for (let p = 1; p <= 9; p++) {
    const candidate = Math.abs(f).toExponential(p - 1);
    if (Math.fround(Number(candidate)) === Math.abs(f)) {
      exp = candidate;
      break;
    }
  }
  const [mantissa = "", e = "0"] = exp.split("e");
  const digits = mantissa.replace(".", "");
  const x = Number(e);
  const sign = f < 0 ? "-" : "";
  if (x < -4 || x >= 6) {
    const frac = digits.length > 1 ? `.${digits.slice(1)}` : "";
    const ex = Math.abs(x) < 10 ? `0${Math.abs(x)}` : `${Math.abs(x)}`;
    return `${sign}${digits[0]}${frac}e${x < 0 ? "-" : "+"}${ex}`;
  }
  if (x < 0) return `${sign}0.${"0".repeat(-x - 1)}${digits}`;
  if (digits.length <= x + 1) return `${sign}${digits}${"0".repeat(x + 1 - digits.length)}`;
  return `${sign}${digits.slice(0, x + 1)}.${digits.slice(x + 1)}`;
}

/**
 * The string sigs.k8s.io/yaml puts into a Go string field for a non-string plain scalar (it does so
 * only where the target field is directly a string, see repo/parse/parse-index.ts); undefined for null.
 */
export function goStringOf(value: PlainValue, text: string): string | undefined {
  switch (value.kind) {
    case "str":
      return text;
    case "null":
      return undefined;
    case "bool":
      return value.value ? "true" : "false";
    case "int":
      return value.value.toString();
    case "float":
      return goFormatFloat32(value.value);
  }
}

/** The same conversion for a map key (sigs.k8s.io/yaml spells infinities and NaN the YAML way there). */
export function goKeyOf(value: PlainValue, text: string): string | undefined {
  if (value.kind === "float") {
    const s = goFormatFloat32(value.value);
    return s === "+Inf" ? ".inf" : s === "-Inf" ? "-.inf" : s === "NaN" ? ".nan" : s;
  }
  return goStringOf(value, text);
}

// ---------------------------------------------------------------------------------------------
// Writing

/** Characters that may not start a plain scalar (YAML 1.1 and 1.2 indicators, plus a few reserved). */
const BAD_FIRST = new Uint8Array(128);
for (const ch of "-?:,[]{}#&*!|>'\"%@`\\ \t=~<") BAD_FIRST[ch.charCodeAt(0)] = 1;
/** YAML 1.1 words some reader treats as bool/null, in any case (covers PyYAML and yaml.v2). */
const YAML11_WORDS = /^(y|yes|n|no|true|false|on|off|null|~|\.nan|[-+]?\.inf)$/i;
/** YAML 1.1 timestamp prefix and sexagesimal numbers (yaml.v2 still quotes them on output). */
const YAML11_TIMESTAMP = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}/;
const YAML11_SEXAGESIMAL = /^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$/;
/** js-yaml's built-in types: exported at runtime (`types`), missing from @types/js-yaml. */
export const jsYamlTypes = (yaml as unknown as { types: Record<string, yaml.Type> }).types;
/** YAML 1.2 (js-yaml) types a string starting with a digit, sign or dot may resolve to. */
const YAML12_NUMERIC = ["int", "float", "timestamp"].map((name) => {
  const type = jsYamlTypes?.[name];
  if (type === undefined) throw new Error(`js-yaml does not export its ${name} type`);
  return type;
});

/**
 * Anything that cannot stay in a plain scalar: characters to escape (see mustEscape), any surrogate
 * (checked, and kept raw when paired, by doubleQuote), and `: ` or ` #`, which end a plain scalar.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const NEEDS_ESCAPE_OR_BREAKS_PLAIN = /[\x00-\x1F\x7F-\x9F\u2028\u2029\uFEFF\uFFFE\uFFFF\uD800-\uDFFF]|: | #/;

/** True for UTF-16 code units that YAML cannot carry raw (must be escaped in double quotes), or that
 * YAML 1.1 reads as a line break (NEL, LS, PS). */
function mustEscape(c: number): boolean {
  return (
    c < 0x20 ||
    (c >= 0x7f && c <= 0x9f) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0xfeff ||
    c === 0xfffe ||
    c === 0xffff
  );
}

/**
 * Whether a string must be quoted to be read back as the same string by Go yaml.v2 (Helm), by
 * js-yaml and by other YAML 1.1 readers, in block context (as a value, a sequence item or a key).
 * Conservative by design: quoting a string that did not need it costs two bytes; the opposite turns
 * `yes` into `true` or `1.10` into `1.1` for Helm.
 */
export function needsQuotes(s: string): boolean {
  const n = s.length;
  if (n === 0) return true;
  const c0 = s.charCodeAt(0);
  if (c0 < 128 && BAD_FIRST[c0] === 1) return true;
  const last = s.charCodeAt(n - 1);
  if (last === 32 || last === 58 /* : */) return true;
  if (NEEDS_ESCAPE_OR_BREAKS_PLAIN.test(s)) return true;
  // Only a string starting with a digit, a sign or a dot can be a number or a timestamp; other
  // typed forms are the few bool/null words, at most 5 characters long.
  if ((c0 >= 48 && c0 <= 57) || c0 === 43 || c0 === 46) {
    const dot = s.indexOf(".");
    if (dot !== -1 && s.indexOf(".", dot + 1) !== -1) {
      // Two dots (a version: 1.2.3): no number of either YAML, nor a sexagesimal or a bool/null word,
      // has them; only a timestamp (its fraction) or a document end marker can.
      return YAML11_TIMESTAMP.test(s) || s.startsWith("...");
    }
    if (resolvePlain(s).kind !== "str") return true;
    if (YAML11_TIMESTAMP.test(s) || YAML11_SEXAGESIMAL.test(s) || YAML11_WORDS.test(s)) return true;
    if (s.startsWith("...")) return true; // a document end marker at the start of a line
    for (const type of YAML12_NUMERIC) {
      if (type.resolve(s)) return true;
    }
    return false;
  }
  return n <= 5 && YAML11_WORDS.test(s);
}

/** Characters doubleQuote must escape (or check: surrogates). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const ESCAPED = /["\\\x00-\x1F\x7F-\x9F\u2028\u2029\uFEFF\uFFFE\uFFFF\uD800-\uDFFF]/;

function hex(c: number, width: number): string {
  return c.toString(16).toUpperCase().padStart(width, "0");
}

/**
 * A YAML double-quoted scalar. Escapes only what must be escaped (`"`, `\`, control and
 * non-printable characters, YAML 1.1 line breaks); printable Unicode stays as it is. Throws on a
 * lone UTF-16 surrogate, which no YAML (nor Go) can carry.
 */
export function doubleQuote(s: string): string {
  if (!ESCAPED.test(s)) return `"${s}"`;
  let out = '"';
  let start = 0;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    let esc: string | undefined;
    if (c === 34) esc = '\\"';
    else if (c === 92) esc = "\\\\";
    else if (c < 0x20 || c >= 0x7f) {
      if (c >= 0xd800 && c <= 0xdbff) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          i++;
          continue;
        }
        throw new RangeError(`lone UTF-16 surrogate at offset ${i}`);
      }
      if (c >= 0xdc00 && c <= 0xdfff) throw new RangeError(`lone UTF-16 surrogate at offset ${i}`);
      if (c === 0x0a) esc = "\\n";
      else if (c === 0x09) esc = "\\t";
      else if (c === 0x0d) esc = "\\r";
      else if (mustEscape(c)) esc = c <= 0xff ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`;
    }
    if (esc !== undefined) {
      out += s.slice(start, i) + esc;
      start = i + 1;
    }
  }
  return `${out}${s.slice(start)}"`;
}

/** A string as a YAML scalar: plain when that is safe for every reader, double-quoted otherwise. */
export function scalar(s: string): string {
  return needsQuotes(s) ? doubleQuote(s) : s;
}
