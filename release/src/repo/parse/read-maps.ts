/**
 * Readers for maps whose keys are data (annotations, serverInfo, import-values): keys converted the
 * way Helm converts them, and two keys that end up equal refused.
 */
import { KEY_MARK, PlainScalar } from "./load-yaml.js";
import {
  fail,
  fieldPath,
  type Key,
  MAX_KEY_LENGTH,
  mapKey,
  type Reader,
  readMap,
  readString,
  wellFormed,
} from "./read-values.js";

/** Sets a property even when the key is `__proto__`. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/** Whether every key is a plain string key of acceptable length and every value a string. */
function isPlainStringMap(map: Record<string, unknown>): boolean {
  for (const key of Object.keys(map)) {
    if (typeof map[key] !== "string" || key.length > MAX_KEY_LENGTH || key.startsWith(KEY_MARK)) return false;
  }
  return true;
}

/** A map key after YAML 1.1 conversion, refused when an earlier key of `out` converted to the same. */
function uniqueKey(r: Reader, raw: string, path: string, out: Record<string, unknown>): string {
  const name = mapKey(r, raw, path);
  if (Object.hasOwn(out, name)) {
    fail(
      r,
      fieldPath(path, name),
      `duplicate key \`${name}\` (after YAML 1.1 conversion)`,
      "keep one of the two keys",
    );
  }
  return name;
}

/** A map of strings (annotations). Keys converted as Helm does; two keys that end up equal are refused. */
export function readStringMap(
  r: Reader,
  v: unknown,
  parent: string,
  key: Key,
  coerce: boolean,
): Record<string, string> | undefined {
  const map = readMap(r, v, parent, key);
  if (map === undefined) return undefined;
  if (r.inPlace && !r.checkSurrogates && isPlainStringMap(map)) return map as Record<string, string>;
  const path = fieldPath(parent, key);
  const out: Record<string, string> = {};
  for (const raw of Object.keys(map)) {
    const name = uniqueKey(r, raw, path, out);
    setOwn(out, name, readString(r, map[raw], path, name, coerce) ?? "");
  }
  return out;
}

/**
 * A free-form value (serverInfo, a dependency's import-values) as Helm holds it after its YAML->JSON
 * step: YAML 1.1 numbers and bools become JSON numbers and bools.
 */
export function readAny(r: Reader, v: unknown, parent: string, key: Key): unknown {
  if (typeof v === "string") return wellFormed(r, v, parent, key);
  if (v === null || v === undefined) return null;
  if (typeof v === "boolean" || typeof v === "number") return v;
  if (v instanceof PlainScalar) {
    const p = v.resolved;
    if (p.kind === "null") return null;
    if (p.kind === "bool") return p.value;
    const n = p.kind === "int" ? Number(p.value) : p.value;
    if (!Number.isFinite(n)) {
      fail(
        r,
        fieldPath(parent, key),
        `\`${v.text}\` cannot be converted to JSON: Helm rejects the whole index`,
        `quote it: "${v.text}"`,
      );
    }
    return n;
  }
  const path = fieldPath(parent, key);
  if (Array.isArray(v)) return v.map((item, i) => readAny(r, item, path, i));
  const map = readMap(r, v, parent, key) ?? {};
  const out: Record<string, unknown> = {};
  for (const raw of Object.keys(map)) {
    const name = uniqueKey(r, raw, path, out);
    setOwn(out, name, readAny(r, map[raw], path, name));
  }
  return out;
}
