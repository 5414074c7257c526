/**
 * Reading a parsed YAML tree with errors that name the file and the dotted field. The loader
 * refuses what it does not know rather than skipping it: a rehearsal that ignored a key would
 * rehearse something other than what GitHub runs.
 */
import { ReleaseError } from "../../errors.js";

export class Where {
  constructor(
    readonly file: string,
    readonly field: string,
  ) {}

  at(key: string | number): Where {
    if (typeof key === "number") return new Where(this.file, `${this.field}[${key}]`);
    return new Where(this.file, this.field === "" ? key : `${this.field}.${key}`);
  }

  fail(message: string, fix: string): never {
    const field = this.field === "" ? undefined : this.field;
    throw new ReleaseError("WORKFLOW_INVALID", message, {
      file: this.file,
      ...(field === undefined ? {} : { field }),
      fix,
    });
  }

  unsupported(
    what: string,
    fix = "remove it, or extend the rehearsal's workflow runner to support it",
  ): never {
    this.fail(`${what} is not supported by the rehearsal`, fix);
  }
}

export type YamlMap = Record<string, unknown>;

export function isMap(value: unknown): value is YamlMap {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function expectMap(value: unknown, where: Where): YamlMap {
  if (!isMap(value))
    where.fail(`expected a mapping, found ${describe(value)}`, "write it as `key: value` lines");
  return value;
}

/** A mapping that may be absent or empty (`outputs:` with nothing under it is null in YAML). */
export function optionalMap(value: unknown, where: Where): YamlMap {
  return value === undefined || value === null ? {} : expectMap(value, where);
}

export function expectString(value: unknown, where: Where): string {
  if (typeof value !== "string") where.fail(`expected a string, found ${describe(value)}`, "quote the value");
  return value;
}

export function optionalString(value: unknown, where: Where): string | undefined {
  return value === undefined ? undefined : expectString(value, where);
}

/** A scalar that may hold `${{ }}` (strings, numbers, booleans); lists and maps are refused. */
export function expectScalar(value: unknown, where: Where): string | number | boolean {
  if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
    where.fail(`expected a string, number or boolean, found ${describe(value)}`, "write a single value");
  }
  return value;
}

export function optionalScalar(value: unknown, where: Where): string | number | boolean | undefined {
  return value === undefined ? undefined : expectScalar(value, where);
}

/** A string or a list of strings (`needs:`, `types:`). */
export function stringList(value: unknown, where: Where): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.map((item, index) => expectString(item, where.at(index)));
  return where.fail(
    `expected a string or a list of strings, found ${describe(value)}`,
    "write a name or a list",
  );
}

/** A map of names to scalars (`env:`, `with:`, `outputs:`). */
export function scalarMap(value: unknown, where: Where): Record<string, string | number | boolean> {
  const map = optionalMap(value, where);
  const out: Record<string, string | number | boolean> = {};
  for (const [key, item] of Object.entries(map)) out[key] = expectScalar(item, where.at(key));
  return out;
}

/**
 * Refuses keys outside `known`, and keys in `unsupported` (valid on GitHub but not rehearsable)
 * with their own message.
 */
export function checkKeys(
  map: YamlMap,
  where: Where,
  known: readonly string[],
  unsupported: Record<string, string> = {},
) {
  for (const key of Object.keys(map)) {
    const reason = unsupported[key];
    if (reason !== undefined) where.at(key).unsupported(reason);
    if (!known.includes(key)) {
      where.at(key).fail(`unknown key "${key}"`, `use one of: ${known.join(", ")} (or fix the spelling)`);
    }
  }
}

export function describe(value: unknown): string {
  if (value === null || value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `${typeof value} ${JSON.stringify(value)}`;
}
