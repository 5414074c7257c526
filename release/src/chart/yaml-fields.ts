/**
 * Typed access to the fields of a parsed Chart.yaml, with errors that name the file, the field and
 * the fix. Shared by the strict parser (our chart) and the lenient one (subcharts).
 */
import yaml from "js-yaml";
import { ReleaseError } from "../errors.js";
import { YAML11_SCHEMA } from "./yaml11.js";

export type YamlMap = Record<string, unknown>;

export function chartInvalid(
  file: string,
  field: string | undefined,
  message: string,
  fix: string,
): ReleaseError {
  return new ReleaseError("CHART_INVALID", message, { file, ...(field === undefined ? {} : { field }), fix });
}

export function isMap(value: unknown): value is YamlMap {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** One YAML document that must be a mapping; YAML 1.1 plain scalars become booleans and numbers. */
export function loadYamlMap(text: string, file: string, what: string): YamlMap {
  let doc: unknown;
  try {
    doc = yaml.load(text, { schema: YAML11_SCHEMA, filename: file });
  } catch (error) {
    const reason = error instanceof yaml.YAMLException ? error.message : String(error);
    throw new ReleaseError("CHART_INVALID", `${what} is not valid YAML: ${reason}`, {
      file,
      fix: `fix the YAML syntax of ${what} (one document, no duplicate keys)`,
      cause: error,
    });
  }
  if (!isMap(doc)) {
    throw chartInvalid(
      file,
      undefined,
      `${what} must be a YAML mapping of fields`,
      `write ${what} as "key: value" lines`,
    );
  }
  return doc;
}

/** What YAML made of a value, for messages. */
export function describeValue(value: unknown): string {
  if (value instanceof Date) return "a date";
  if (Array.isArray(value)) return "a list";
  if (isMap(value)) return "a mapping";
  if (typeof value === "number") return `the number ${value}`;
  if (typeof value === "boolean") return `the boolean ${value}`;
  return `a ${typeof value}`;
}

/**
 * The source text of a top-level `key: value` line, to show users what to quote. Only used in
 * messages; undefined when the key is not written on one plain line.
 */
function rawTopLevelScalar(text: string | undefined, key: string): string | undefined {
  if (text === undefined) return undefined;
  const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const match = new RegExp(`^${escaped}[ \\t]*:[ \\t]+([^\\s#'"][^#\\n]*?)[ \\t]*(?:#.*)?$`, "m").exec(text);
  return match?.[1];
}

/** Reads fields of one mapping; `prefix` is the field path of the mapping itself (e.g. `maintainers[0]`). */
export class FieldReader {
  readonly seen = new Set<string>();

  constructor(
    readonly file: string,
    readonly fields: YamlMap,
    readonly prefix = "",
    readonly sourceText?: string,
  ) {}

  path(key: string): string {
    return this.prefix === "" ? key : `${this.prefix}.${key}`;
  }

  raw(key: string): unknown {
    this.seen.add(key);
    return Object.hasOwn(this.fields, key) ? this.fields[key] : undefined;
  }

  /** A string field; null and absent are undefined. Anything else YAML typed is refused. */
  string(key: string): string | undefined {
    const value = this.raw(key);
    if (value === undefined || value === null) return undefined;
    if (typeof value === "string") return value;
    const scalar = typeof value === "number" || typeof value === "boolean" || value instanceof Date;
    const written = this.prefix === "" ? rawTopLevelScalar(this.sourceText, key) : undefined;
    const example = written === undefined ? `${key}: "..."` : `${key}: "${written}"`;
    throw chartInvalid(
      this.file,
      this.path(key),
      `${this.path(key)} must be a string, but YAML reads it as ${describeValue(value)}`,
      scalar
        ? `quote it: ${example} (unquoted, YAML turns values such as 1.10 into 1.1 and yes into true)`
        : `write ${this.path(key)} as a single string`,
    );
  }

  boolean(key: string): boolean | undefined {
    const value = this.raw(key);
    if (value === undefined || value === null) return undefined;
    if (typeof value === "boolean") return value;
    throw chartInvalid(
      this.file,
      this.path(key),
      `${this.path(key)} must be true or false, not ${describeValue(value)}`,
      `write ${key}: true or ${key}: false, without quotes`,
    );
  }

  list(key: string): unknown[] | undefined {
    const value = this.raw(key);
    if (value === undefined || value === null) return undefined;
    if (Array.isArray(value)) return value;
    throw chartInvalid(
      this.file,
      this.path(key),
      `${this.path(key)} must be a list, not ${describeValue(value)}`,
      `write ${key} as a YAML list ("- item" lines)`,
    );
  }

  stringList(key: string): string[] | undefined {
    const items = this.list(key);
    if (items === undefined) return undefined;
    return items.map((item, index) => {
      if (typeof item === "string") return item;
      throw chartInvalid(
        this.file,
        `${this.path(key)}[${index}]`,
        `${this.path(key)}[${index}] must be a string, but YAML reads it as ${describeValue(item)}`,
        "quote the item",
      );
    });
  }

  map(key: string): YamlMap | undefined {
    const value = this.raw(key);
    if (value === undefined || value === null) return undefined;
    if (isMap(value)) return value;
    throw chartInvalid(
      this.file,
      this.path(key),
      `${this.path(key)} must be a mapping, not ${describeValue(value)}`,
      `write ${key} as "key: value" lines`,
    );
  }

  /** Keys of the mapping that no accessor asked for. */
  unknownKeys(): string[] {
    return Object.keys(this.fields)
      .filter((key) => !this.seen.has(key))
      .map((key) => this.path(key));
  }
}

// Go's unicode.IsSpace, and unicode.IsPrint (letters, marks, numbers, punctuation, symbols).
const GO_SPACE = /[\t\n\v\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]/gu;
const GO_NOT_PRINTABLE = /[^\p{L}\p{M}\p{N}\p{P}\p{S} ]/gu;

/**
 * Helm's sanitizeString (pkg/chart/v2 metadata.go): every whitespace character becomes a space and
 * non-printable characters are dropped. Helm applies it when it loads a chart, so the Chart.yaml it
 * writes into an archive and the index entry carry the sanitized text; we do the same.
 */
export function sanitizeString(value: string): string {
  return value.replace(GO_SPACE, " ").replace(GO_NOT_PRINTABLE, "");
}

export function nonEmpty(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const sanitized = sanitizeString(value);
  return sanitized === "" ? undefined : sanitized;
}

export function nonEmptyList<T>(items: T[] | undefined): T[] | undefined {
  return items === undefined || items.length === 0 ? undefined : items;
}
