/**
 * The value rules of GitHub's expression language, as the Actions runner applies them: loose
 * equality that coerces to numbers when the kinds differ, case-insensitive string comparison,
 * truthiness, and how a value becomes a string when it is interpolated.
 */

export type ValueKind = "null" | "boolean" | "number" | "string" | "array" | "object";

/** An error in an expression: its syntax, or a function that refused its arguments. */
export class ExpressionError extends Error {
  override readonly name = "ExpressionError";
}

/** Arrays produced by a `.*` filter: a property read on them maps over their elements. */
const filtered = new WeakSet<unknown[]>();

export function filteredArray(items: unknown[]): unknown[] {
  filtered.add(items);
  return items;
}

export function isFilteredArray(value: unknown): value is unknown[] {
  return Array.isArray(value) && filtered.has(value);
}

export function kindOf(value: unknown): ValueKind {
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean") return "boolean";
  if (typeof value === "number") return "number";
  if (typeof value === "string") return "string";
  if (Array.isArray(value)) return "array";
  return "object";
}

export function isTruthy(value: unknown): boolean {
  switch (kindOf(value)) {
    case "null":
      return false;
    case "boolean":
      return value as boolean;
    case "number":
      return value !== 0 && !Number.isNaN(value);
    case "string":
      return value !== "";
    default:
      return true;
  }
}

const DECIMAL = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;
const HEX = /^0[xX][0-9a-fA-F]+$/;

/** A string's number as the runner reads it: trimmed, empty is 0, decimal or hex, else NaN. */
export function parseNumber(text: string): number {
  const trimmed = text.trim();
  if (trimmed === "") return 0;
  if (DECIMAL.test(trimmed)) return Number(trimmed);
  if (HEX.test(trimmed)) return Number.parseInt(trimmed.slice(2), 16);
  return Number.NaN;
}

export function toNumber(value: unknown): number {
  switch (kindOf(value)) {
    case "null":
      return 0;
    case "boolean":
      return value ? 1 : 0;
    case "number":
      return value as number;
    case "string":
      return parseNumber(value as string);
    default:
      return Number.NaN;
  }
}

export function formatNumber(value: number): string {
  if (Object.is(value, -0)) return "0";
  return String(value);
}

/** How a value reads inside a string (`${{ }}` in text, format(), join(), contains()). */
export function toText(value: unknown): string {
  switch (kindOf(value)) {
    case "null":
      return "";
    case "boolean":
      return value ? "true" : "false";
    case "number":
      return formatNumber(value as number);
    case "string":
      return value as string;
    case "array":
      return "Array";
    default:
      return "Object";
  }
}

/** Brings two values to one kind as the runner does before comparing them. */
function coerce(left: unknown, right: unknown): [unknown, unknown] {
  const l = kindOf(left);
  const r = kindOf(right);
  if (l === r) return [left, right];
  if (l === "number" && r === "string") return [left, toNumber(right)];
  if (l === "string" && r === "number") return [toNumber(left), right];
  if (l === "boolean" || l === "null") return coerce(toNumber(left), right);
  if (r === "boolean" || r === "null") return coerce(left, toNumber(right));
  return [left, right];
}

function sameText(a: string, b: string): boolean {
  return a.toUpperCase() === b.toUpperCase();
}

export function looseEquals(left: unknown, right: unknown): boolean {
  const [l, r] = coerce(left, right);
  const kind = kindOf(l);
  if (kind !== kindOf(r)) return false;
  switch (kind) {
    case "null":
      return true;
    case "number":
      return (l as number) === (r as number);
    case "string":
      return sameText(l as string, r as string);
    default:
      return l === r;
  }
}

/** -1, 0 or 1 when the two values can be ordered (numbers, or two strings ignoring case), else undefined. */
export function compareValues(left: unknown, right: unknown): number | undefined {
  const [l, r] = coerce(left, right);
  if (typeof l === "number" && typeof r === "number") {
    if (Number.isNaN(l) || Number.isNaN(r)) return undefined;
    return l < r ? -1 : l > r ? 1 : 0;
  }
  if (typeof l === "string" && typeof r === "string") {
    const a = l.toUpperCase();
    const b = r.toUpperCase();
    return a < b ? -1 : a > b ? 1 : 0;
  }
  return undefined;
}

/** A property of an object, matched exactly first and then ignoring case (contexts are case-insensitive). */
export function readProperty(value: unknown, name: string): unknown {
  if (isFilteredArray(value)) {
    const mapped: unknown[] = [];
    for (const item of value) {
      const picked = readProperty(item, name);
      if (picked !== null) mapped.push(picked);
    }
    return filteredArray(mapped);
  }
  if (kindOf(value) !== "object") return null;
  const record = value as Record<string, unknown>;
  if (Object.hasOwn(record, name)) return record[name] ?? null;
  const upper = name.toUpperCase();
  for (const key of Object.keys(record)) {
    if (key.toUpperCase() === upper) return record[key] ?? null;
  }
  return null;
}

export function readIndex(value: unknown, index: unknown): unknown {
  if (Array.isArray(value) && !isFilteredArray(value)) {
    const position = toNumber(index);
    if (!Number.isInteger(position) || position < 0) return null;
    return value[position] ?? null;
  }
  if (typeof index === "string") return readProperty(value, index);
  return null;
}
