/**
 * Strict index.yaml parsing: refuses what Helm (>= 3.3.2, strict YAML) refuses, and more where
 * Helm would silently lose or change data. Helm's loadIndex is the reference:
 * - empty file: refused ("empty index.yaml file");
 * - content that is valid JSON is read as JSON (Helm >= 3.13 fast path); anything else as YAML 1.1;
 * - YAML: one unknown key or one duplicate key anywhere refuses the whole file;
 * - no `apiVersion`: refused ("no API version specified").
 *
 * Stricter than Helm, on purpose (each has a message with the fix):
 * - JSON content gets the same strictness as YAML. Helm's JSON path (encoding/json) silently ignores
 *   unknown keys, keeps the last of duplicate keys and matches keys ignoring case.
 * - keys must be spelled exactly (Helm matches `APIVersion` to `apiVersion`).
 * - entries Helm would skip with a warning (invalid version, missing name, null entry) are refused.
 * - an entry's `name` must equal the chart key it is listed under.
 * - `apiVersion` must be `v1`; only one YAML document; only the `!!str` explicit tag.
 * - text must be UTF-8 (Go's YAML reader also takes UTF-16).
 * YAML in the simple block layout Helm and we write is read by fast-yaml.ts; anything else by js-yaml
 * with YAML 1.1 scalars (load-yaml.ts). Both give the same values; only the speed differs.
 * The versions of each chart come back newest first, as Helm's loadIndex sorts them.
 */
import { ReleaseError } from "../../errors.js";
import { sortVersions } from "../../helm-format/version.js";
import { type ChartVersion, INDEX_API_VERSION, type IndexFile, ZERO_TIME } from "../model/index-file.js";
import { INDEX_KEYS } from "../model/index-keys.js";
import { readSimpleYaml } from "./fast-yaml.js";
import { loadHelmYaml } from "./load-yaml.js";
import { readChartVersion } from "./read-entry.js";
import { readAny, readStringMap, setOwn } from "./read-maps.js";
import {
  describe,
  fail,
  fieldPath,
  mapKey,
  type Reader,
  readList,
  readMap,
  readString,
  readStringList,
  readTime,
  structKey,
} from "./read-values.js";

const RESTORE =
  "restore index.yaml from a backup or from the bucket's object versions, or rebuild it from the archives (kube9-release repo reindex)";

function invalid(file: string, message: string, fix: string, cause?: unknown): ReleaseError {
  return new ReleaseError("INDEX_INVALID", message, { file, fix, cause });
}

function decode(bytes: Uint8Array | string, file: string): string {
  if (typeof bytes === "string") return bytes.charCodeAt(0) === 0xfeff ? bytes.slice(1) : bytes;
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw invalid(file, "is UTF-16 or UTF-32 text", "save index.yaml as UTF-8");
  }
  try {
    // fatal: refuse invalid UTF-8 instead of replacing it; a UTF-8 BOM is dropped.
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (error) {
    throw invalid(file, "is not valid UTF-8", "save index.yaml as UTF-8", error);
  }
}

/**
 * Counts the object keys written in a JSON text (strings followed by `:`). JSON.parse silently keeps
 * the last of duplicate keys, so fewer keys in the parsed value than in the text means a duplicate.
 */
function countJsonKeys(text: string): number {
  let count = 0;
  let i = text.indexOf('"');
  while (i !== -1) {
    let j = i + 1;
    for (;;) {
      j = text.indexOf('"', j);
      if (j === -1) return count;
      let backslashes = 0;
      for (let k = j - 1; text.charCodeAt(k) === 92; k--) backslashes++;
      if (backslashes % 2 === 0) break;
      j++;
    }
    let m = j + 1;
    let c = text.charCodeAt(m);
    while (c === 32 || c === 10 || c === 13 || c === 9) c = text.charCodeAt(++m);
    if (c === 58) count++;
    i = text.indexOf('"', m);
  }
  return count;
}

interface YamlErrorLike {
  name: string;
  reason?: string;
  mark?: { line: number; column: number; position: number };
}

function yamlError(error: unknown, text: string, file: string): ReleaseError {
  const e = error as YamlErrorLike;
  if (e?.name !== "YAMLException")
    return invalid(file, `could not be read: ${String(error)}`, RESTORE, error);
  const reason = e.reason ?? "syntax error";
  const at = e.mark === undefined ? "" : ` at line ${e.mark.line + 1}, column ${e.mark.column + 1}`;
  if (reason.includes("duplicated mapping key") && e.mark !== undefined) {
    const end = text.indexOf("\n", e.mark.position);
    const line = text.slice(e.mark.position, end === -1 ? undefined : end);
    const key = /^\s*("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^:]*)/.exec(line)?.[1]?.trim() ?? "";
    return invalid(
      file,
      `duplicate key \`${key}\`${at}: Helm >= 3.3.2 rejects the whole index`,
      "remove one of the two keys (if they hold different data, decide which one is right)",
      error,
    );
  }
  if (reason.includes("expected a single document")) {
    return invalid(
      file,
      `has more than one YAML document${at}`,
      "keep a single document (remove `---` separators)",
      error,
    );
  }
  if (reason.startsWith("unknown tag")) {
    return invalid(
      file,
      `uses an explicit YAML tag${at} (${reason})`,
      "remove the `!!tag`; quote the value if it must be a string",
      error,
    );
  }
  return invalid(file, `is not valid YAML: ${reason}${at}`, RESTORE, error);
}

function readIndex(r: Reader, doc: unknown): IndexFile {
  if (doc === null || doc === undefined) {
    fail(r, "", "holds no YAML document (only whitespace or comments)", RESTORE);
  }
  if (typeof doc !== "object" || Array.isArray(doc)) {
    fail(
      r,
      "",
      `is not an index: expected a mapping with apiVersion and entries, found ${describe(doc)}`,
      RESTORE,
    );
  }
  const map = readMap(r, doc, "", "") as Record<string, unknown>;
  const index: Partial<IndexFile> & { entries: Record<string, ChartVersion[]> } = { entries: {} };
  let apiVersion: string | undefined;
  for (const raw of Object.keys(map)) {
    const key = structKey(r, raw, "", INDEX_KEYS);
    const value = map[raw];
    switch (key) {
      case "apiVersion":
        apiVersion = readString(r, value, "", key, true);
        break;
      case "generated":
        index.generated = readTime(r, value, "", key);
        break;
      case "publicKeys": {
        const keys = readStringList(r, value, "", key, true);
        if (keys !== undefined) index.publicKeys = keys;
        break;
      }
      case "annotations": {
        const annotations = readStringMap(r, value, "", key, true);
        if (annotations !== undefined) index.annotations = annotations;
        break;
      }
      case "serverInfo": {
        const info = readAny(r, value, "", key);
        if (info !== null) {
          if (typeof info !== "object" || Array.isArray(info))
            fail(r, key, "expected a mapping", "write `key: value` lines");
          index.serverInfo = info as Record<string, unknown>;
        }
        break;
      }
      case "entries":
        index.entries = readEntries(r, value);
        break;
    }
  }
  checkApiVersion(r, apiVersion);
  return {
    apiVersion: INDEX_API_VERSION,
    entries: index.entries,
    generated: index.generated ?? ZERO_TIME,
    ...(index.publicKeys === undefined ? {} : { publicKeys: index.publicKeys }),
    ...(index.annotations === undefined ? {} : { annotations: index.annotations }),
    ...(index.serverInfo === undefined ? {} : { serverInfo: index.serverInfo }),
  };
}

/** Helm refuses an index without `apiVersion`, and one of another version than v1. */
function checkApiVersion(r: Reader, apiVersion: string | undefined): void {
  if (apiVersion === undefined || apiVersion === "") {
    fail(
      r,
      "apiVersion",
      "no API version specified: Helm refuses this index",
      "add `apiVersion: v1` at the top",
    );
  }
  if (apiVersion !== INDEX_API_VERSION) {
    fail(r, "apiVersion", `unsupported index apiVersion "${apiVersion}"`, "index files are `apiVersion: v1`");
  }
}

function readEntries(r: Reader, value: unknown): Record<string, ChartVersion[]> {
  const map = readMap(r, value, "", "entries");
  const entries: Record<string, ChartVersion[]> = {};
  if (map === undefined) return entries;
  for (const raw of Object.keys(map)) {
    const name = mapKey(r, raw, "entries");
    const path = fieldPath("entries", name);
    if (Object.hasOwn(entries, name)) {
      fail(r, path, `chart \`${name}\` is listed twice (after YAML 1.1 conversion)`, "merge the two lists");
    }
    const list = readList(r, map[raw], "entries", name) ?? [];
    const versions = list.map((item, i) => readChartVersion(r, item, fieldPath(path, i), name));
    setOwn(entries, name, sortVersions(versions));
  }
  return entries;
}

/**
 * Parses index.yaml (YAML, or JSON content) strictly into the model. Throws ReleaseError
 * INDEX_INVALID naming the file, the field (e.g. `entries.kube9-operator[2].version`) and a fix.
 */
export function parseIndex(bytes: Uint8Array | string, file: string): IndexFile {
  const text = decode(bytes, file);
  if (text.length === 0) {
    throw invalid(
      file,
      "is empty (Helm: empty index.yaml file)",
      `an empty file is never an empty repository: ${RESTORE}`,
    );
  }
  // Only an escape (\uD800 in YAML or JSON) can put a lone surrogate into a string.
  const r: Reader = {
    file,
    code: "INDEX_INVALID",
    checkSurrogates: text.includes("\\") && /\\[uU]/.test(text),
    inPlace: true,
    keys: 0,
  };
  let doc: unknown;
  let json = false;
  if (text.trimStart().startsWith("{")) {
    try {
      doc = JSON.parse(text);
      json = true;
    } catch {
      // Not JSON: Helm reads it as YAML (flow style), so do we.
    }
  }
  if (!json) doc = readSimpleYaml(text);
  if (!json && doc === undefined) {
    try {
      doc = loadHelmYaml(text, file);
    } catch (error) {
      throw yamlError(error, text, file);
    }
  }
  const index = readIndex(r, doc);
  if (json && countJsonKeys(text) !== r.keys) {
    // A duplicate key: let the YAML reader (which refuses them) say where.
    try {
      loadHelmYaml(text, file);
    } catch (error) {
      throw yamlError(error, text, file);
    }
    throw invalid(file, "has a duplicate key in a JSON object", "remove one of the two keys");
  }
  return index;
}
