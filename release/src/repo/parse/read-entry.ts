/**
 * One chart version entry of index.yaml: Helm's ChartVersion keys (strict: anything else is refused,
 * as Helm >= 3.3.2 refuses it) and the checks of Helm's `Metadata.Validate`.
 *
 * Helm's loadIndex *skips* an entry that fails Validate (with a warning) and serves the rest. A
 * publisher that rewrote such an index would drop that version for good, silently; so we refuse the
 * index instead and say which entry to fix. Helm also rewrites some strings in Validate (whitespace
 * to spaces, non-printable characters removed) when it loads; we keep every string verbatim.
 */
import type { Dependency, Maintainer } from "../../helm-format/chart-metadata.js";
import { metadataViolation } from "../../helm-format/chart-metadata-rules.js";
import { type ChartVersion, INDEX_API_VERSION, ZERO_TIME } from "../model/index-file.js";
import { DEPENDENCY_KEYS, ENTRY_KEYS, MAINTAINER_KEYS } from "../model/index-keys.js";
import { PlainScalar } from "./load-yaml.js";
import { readAny, readStringMap } from "./read-maps.js";
import {
  describe,
  fail,
  fieldPath,
  isNull,
  type Reader,
  readBool,
  readList,
  readMap,
  readString,
  readStringList,
  readTime,
  structKey,
} from "./read-values.js";

function put(target: Record<string, unknown>, key: string, value: unknown): void {
  if (value !== undefined) target[key] = value;
  else if (Object.hasOwn(target, key)) delete target[key]; // in place: a null field is an absent one
}

/**
 * A list of small structs (maintainers, dependencies): each item a mapping of the struct's known
 * keys, each value read by `readField` into the item. A freshly parsed list is completed in place.
 */
function readStructList(
  r: Reader,
  v: unknown,
  parent: string,
  key: string,
  what: string,
  keys: ReadonlySet<string>,
  readField: (out: Record<string, unknown>, name: string, value: unknown, path: string) => void,
): Array<Record<string, unknown>> | undefined {
  const list = readList(r, v, parent, key);
  if (list === undefined) return undefined;
  const path = fieldPath(parent, key);
  const items: Array<Record<string, unknown>> = r.inPlace ? (list as Array<Record<string, unknown>>) : [];
  for (let i = 0; i < list.length; i++) {
    const map = readMap(r, list[i], path, i);
    const p = fieldPath(path, i);
    if (map === undefined) {
      fail(r, p, `empty ${what}: Helm skips this chart version`, "remove the empty `-` item or fill it in");
    }
    const out: Record<string, unknown> = r.inPlace ? map : {};
    for (const raw of Object.keys(map)) readField(out, structKey(r, raw, p, keys), map[raw], p);
    items[i] = out;
  }
  return items;
}

function readMaintainers(r: Reader, v: unknown, parent: string, key: string): Maintainer[] | undefined {
  return readStructList(r, v, parent, key, "maintainer", MAINTAINER_KEYS, (out, name, value, p) =>
    put(out, name, readString(r, value, p, name, false)),
  ) as Maintainer[] | undefined;
}

function readDependencies(r: Reader, v: unknown, parent: string, key: string): Dependency[] | undefined {
  const items = readStructList(r, v, parent, key, "dependency", DEPENDENCY_KEYS, (out, name, value, p) => {
    if (name === "tags") put(out, name, readStringList(r, value, p, name, false));
    else if (name === "enabled") put(out, name, readBool(r, value, p, name));
    else if (name === "import-values") {
      const f = fieldPath(p, name);
      put(
        out,
        name,
        readList(r, value, p, name)?.map((x, j) => readAny(r, x, f, j)),
      );
    } else put(out, name, readString(r, value, p, name, false));
  });
  // Checked once every item is read, so that a broken item is reported before a bad alias.
  items?.forEach((out, i) => {
    const alias = out.alias;
    const violation =
      typeof alias === "string"
        ? metadataViolation("alias", { value: alias, field: "alias" }, "entry")
        : undefined;
    if (violation !== undefined) {
      fail(r, fieldPath(fieldPath(fieldPath(parent, key), i), "alias"), violation.message, violation.fix);
    }
  });
  return items as Dependency[] | undefined;
}

/**
 * Reads and checks one entry at `path`. `chartName`: the key of `entries` it sits under, which its
 * `name` must equal. Fills what Helm fills: `apiVersion` v1 when missing, Go zero values for a
 * missing `created` (0001-01-01T00:00:00Z), `digest` ("") and `urls` ([]).
 *
 * Kept whole: it runs once per entry of indexes of 15,000 entries and more, and its key loop is
 * the parse's hot path (bench/publish-index.bench.mjs); the one switch over the key names is the
 * table of which reader each field takes, and it reads best in one place.
 */
export function readChartVersion(
  r: Reader,
  v: unknown,
  path: string,
  chartName: string | undefined,
): ChartVersion {
  if (isNull(v))
    fail(r, path, "empty entry: Helm skips it with a warning", "remove the empty `-` item or fill it in");
  if (typeof v !== "object" || Array.isArray(v) || v instanceof PlainScalar) {
    fail(r, path, `expected a chart version mapping, found ${describe(v)}`, "write `key: value` lines");
  }
  const map = v as Record<string, unknown>;
  r.keys += Object.keys(map).length;
  // A freshly parsed entry is checked and completed in place (no copy of 15,000 objects).
  const out: Record<string, unknown> = r.inPlace ? map : {};
  for (const raw of Object.keys(map)) {
    const key = structKey(r, raw, path, ENTRY_KEYS);
    const value = map[raw];
    switch (key) {
      case "sources":
      case "keywords":
        put(out, key, readStringList(r, value, path, key, false));
        break;
      case "urls":
        put(out, key, readStringList(r, value, path, key, true));
        break;
      case "maintainers":
        put(out, key, readMaintainers(r, value, path, key));
        break;
      case "dependencies":
        put(out, key, readDependencies(r, value, path, key));
        break;
      case "annotations":
        put(out, key, readStringMap(r, value, path, key, false));
        break;
      case "deprecated":
      case "removed":
        put(out, key, readBool(r, value, path, key));
        break;
      case "created":
        put(out, key, readTime(r, value, path, key));
        break;
      case "digest":
      case "checksum":
      case "engine":
      case "tillerVersion":
      case "url":
        put(out, key, readString(r, value, path, key, true));
        break;
      default:
        put(out, key, readString(r, value, path, key, false));
    }
  }
  if (out.apiVersion === undefined || out.apiVersion === "") out.apiVersion = INDEX_API_VERSION;
  out.urls ??= [];
  out.created ??= ZERO_TIME;
  out.digest ??= "";
  const entry = out as unknown as ChartVersion;
  checkMetadata(r, entry, path, chartName);
  return entry;
}

/**
 * Helm's Metadata.Validate (chart/v2 metadata.go), in Helm's order, plus: `name` equals its key.
 * The rules are the shared table's (helm-format/chart-metadata-rules.ts) at the `entry` strictness.
 */
function checkMetadata(r: Reader, entry: ChartVersion, path: string, chartName: string | undefined): void {
  const check = (field: "name" | "version" | "type", value: unknown): void => {
    const subject = { value: typeof value === "string" ? value : "", field, listedUnder: chartName };
    const violation = metadataViolation(field, subject, "entry");
    if (violation !== undefined) fail(r, fieldPath(path, field), violation.message, violation.fix);
  };
  check("name", entry.name);
  check("version", entry.version);
  check("type", entry.type);
}
