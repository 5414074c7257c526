/**
 * What the Artifact Hub validators report, and the small shape checks they share (YAML held in a
 * string, lists, mappings, strings, URLs). A problem names the file, the field (a path such as
 * `annotations["artifacthub.io/links"][0].url`) and the fix; the validators collect every problem
 * of a file so that one run shows them all.
 */
import yaml from "js-yaml";
import { YAML11_SCHEMA } from "../chart/yaml11.js";
import { ReleaseError } from "../errors.js";

export interface MetadataProblem {
  file: string;
  field: string;
  message: string;
  fix: string;
}

export class Problems {
  readonly list: MetadataProblem[] = [];

  constructor(readonly file: string) {}

  add(field: string, message: string, fix: string): void {
    this.list.push({ file: this.file, field, message, fix });
  }
}

/** One CHART_INVALID error naming every problem (`subject`: what holds them); the first one's field and fix lead. */
export function metadataError(
  problems: readonly MetadataProblem[],
  subject: string,
): ReleaseError | undefined {
  const [first] = problems;
  if (first === undefined) return undefined;
  const lines = problems.map((p) => `${p.field}: ${p.message} (fix: ${p.fix})`);
  return new ReleaseError(
    "CHART_INVALID",
    `Artifact Hub would not read ${subject} as meant (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n  - ${lines.join("\n  - ")}`,
    { file: first.file, field: first.field, fix: first.fix },
  );
}

/** `field.key`, or `key` at the top of a file (field ""). */
export function at(field: string, key: string): string {
  return field === "" ? key : `${field}.${key}`;
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Parses YAML held in a string. Artifact Hub reads it with Go's yaml.v2 (YAML 1.1), so `yes` and
 * `on` are booleans there: the YAML 1.1 schema makes them booleans here too.
 */
export function parseYamlString(
  text: string,
  field: string,
  problems: Problems,
): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: yaml.load(text, { schema: YAML11_SCHEMA }) };
  } catch (error) {
    const reason = error instanceof yaml.YAMLException ? error.reason : String(error);
    problems.add(
      field,
      `is not valid YAML (${reason})`,
      "write the value as a YAML block (`key: |` then the lines indented); quote strings that hold `: ` or start with `-`, `[`, `{`, `*`, `&`, `!`, `|`, `>`, `%`, `@`",
    );
    return { ok: false };
  }
}

/** The keys of `value` that are not in `known`; Artifact Hub ignores them, so each is most likely a typo. */
export function unknownKeys(
  value: Record<string, unknown>,
  known: readonly string[],
  field: string,
  problems: Problems,
): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      problems.add(
        at(field, key),
        "is not a field Artifact Hub reads (it would be ignored)",
        `use only ${known.join(", ")}`,
      );
    }
  }
}

/** A required (or, with `optional`, an absent-or-) non-empty string field. */
export function stringField(
  value: Record<string, unknown>,
  key: string,
  field: string,
  problems: Problems,
  options: { optional?: boolean; example: string },
): string | undefined {
  const raw = value[key];
  if (raw === undefined || raw === null) {
    if (options.optional !== true)
      problems.add(at(field, key), "is missing", `add ${key}: ${options.example}`);
    return undefined;
  }
  if (typeof raw !== "string") {
    problems.add(
      at(field, key),
      `must be a string, not ${describe(raw)}`,
      `quote it: ${key}: "${String(raw)}"`,
    );
    return undefined;
  }
  if (raw.trim() === "") {
    problems.add(at(field, key), "is empty", `give a value, e.g. ${key}: ${options.example}`);
    return undefined;
  }
  return raw;
}

export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `the ${typeof value} ${JSON.stringify(value)}`;
}

/** An absolute http(s) URL, as Artifact Hub links to it from a browser. */
export function isWebUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === "https:" || url.protocol === "http:") && url.hostname !== "";
  } catch {
    return false;
  }
}

/** A YAML list held in a string (an annotation's value). */
export function yamlList(value: string, field: string, problems: Problems): unknown[] | undefined {
  const parsed = parseYamlString(value, field, problems);
  if (!parsed.ok) return undefined;
  if (!Array.isArray(parsed.value)) {
    problems.add(field, `must be a YAML list, not ${describe(parsed.value)}`, "write one `- ` item per line");
    return undefined;
  }
  return parsed.value;
}

/** A YAML list of mappings held in a string; `each` checks one mapping. */
export function listOfMappings(
  value: string,
  field: string,
  problems: Problems,
  each: (item: Record<string, unknown>, at: string) => void,
): void {
  yamlList(value, field, problems)?.forEach((item, index) => {
    const at = `${field}[${index}]`;
    if (!isMapping(item)) {
      problems.add(
        at,
        `must be a mapping, not ${describe(item)}`,
        "write the item's fields as `key: value` lines",
      );
      return;
    }
    each(item, at);
  });
}

/** A required absolute http(s) URL field. */
export function webUrl(item: Record<string, unknown>, key: string, at: string, problems: Problems): void {
  const url = stringField(item, key, at, problems, { example: "https://github.com/alto9/kube9-operator" });
  if (url !== undefined && !isWebUrl(url))
    problems.add(
      `${at}.${key}`,
      `"${url}" is not an absolute http(s) URL`,
      "write the full URL, starting with https://",
    );
}
