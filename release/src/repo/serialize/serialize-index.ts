/**
 * Canonical index.yaml text. A small emitter for this one fixed shape: it writes the layout Helm
 * writes (sigs.k8s.io/yaml: keys in go yaml.v2 order, 2-space indent, list items level with their
 * key) and quotes every string YAML 1.1 or 1.2 could read as something else (yaml/yaml11-scalars.ts).
 *
 * Same model in, same bytes out: nothing here reads a clock or depends on object key order. Chart
 * names and annotation keys are sorted here (a JS object cannot keep every key order, e.g. a chart
 * named "123" would come first); version lists are written in the model's order, which parseIndex,
 * mergeEntry and sortIndex keep newest first.
 *
 * Why not js-yaml's dump: see bench/yaml-libraries.bench.mjs. It needs `noRefs: true` to be fast,
 * writes keys in insertion order, leaves YAML 1.1 forms such as `1_000` or `0b1` unquoted and folds
 * long lines; this emitter is faster and every quoting decision is ours and tested against Helm.
 */

import { ReleaseError } from "../../errors.js";
import type { Dependency, Maintainer } from "../../helm-format/chart-metadata.js";
import { doubleQuote, needsQuotes } from "../../yaml/yaml11-scalars.js";
import type { ChartVersion, IndexFile } from "../model/index-file.js";
import { sortedKeys } from "../order/order.js";

const PADS: string[] = [];
function pad(n: number): string {
  let p = PADS[n];
  if (p === undefined) {
    p = " ".repeat(n);
    PADS[n] = p;
  }
  return p;
}

/** A string as a YAML scalar. `parent` and `key` name it in an error (the path is built only then). */
function str(s: string, parent: string, key = ""): string {
  if (!needsQuotes(s)) return s;
  try {
    return doubleQuote(s);
  } catch (error) {
    throw new ReleaseError("INDEX_INVALID", `cannot be written as YAML: ${(error as Error).message}`, {
      field: key === "" ? parent : parent === "" ? key : `${parent}.${key}`,
      fix: "fix the string (it holds a broken character)",
      cause: error,
    });
  }
}

/** `key: value` lines for a string map (`parent`.`name`) at `indent`, keys in Helm's order. */
function stringMap(map: Record<string, string>, indent: number, parent: string, name: string): string {
  const keys = sortedKeys(map);
  if (keys.length === 0) return " {}\n";
  let out = "\n";
  for (const key of keys)
    out += `${pad(indent)}${str(key, parent, name)}: ${str(map[key] as string, parent, `${name}.${key}`)}\n`;
  return out;
}

/** A list of strings (`parent`.`name`); items level with the key (`indent` is the key's indent). */
function stringList(list: readonly string[], indent: number, parent: string, name: string): string {
  if (list.length === 0) return " []\n";
  let out = "\n";
  for (const item of list) out += `${pad(indent)}- ${str(item, parent, name)}\n`;
  return out;
}

function number(n: number, field: string): string {
  if (!Number.isFinite(n)) {
    throw new ReleaseError("INDEX_INVALID", `${n} cannot be written to index.yaml`, {
      field,
      fix: "use a finite number",
    });
  }
  return String(n);
}

/** Any JSON-like value after `key:` (leading space included) at `indent` = the key's indent. */
function anyValue(v: unknown, indent: number, field: string): string {
  if (v === null || v === undefined) return " null\n";
  if (typeof v === "string") return ` ${str(v, field)}\n`;
  if (typeof v === "boolean") return v ? " true\n" : " false\n";
  if (typeof v === "number") return ` ${number(v, field)}\n`;
  if (Array.isArray(v)) {
    if (v.length === 0) return " []\n";
    let out = "\n";
    for (const item of v) out += listItem(item, indent, field);
    return out;
  }
  const map = v as Record<string, unknown>;
  const keys = sortedKeys(map);
  if (keys.length === 0) return " {}\n";
  let out = "\n";
  for (const key of keys)
    out += `${pad(indent + 2)}${str(key, field)}:${anyValue(map[key], indent + 2, `${field}.${key}`)}`;
  return out;
}

/** `- item` at `indent`; a non-empty mapping or list item starts on the dash line. */
function listItem(item: unknown, indent: number, field: string): string {
  if (item !== null && typeof item === "object") {
    const nested = Array.isArray(item);
    if (nested ? item.length > 0 : Object.keys(item).length > 0) {
      // Written one level deeper (lines start at indent + 2), then the first indent becomes the dash.
      const body = anyValue(item, nested ? indent + 2 : indent, field).slice(1);
      return `${pad(indent)}- ${body.slice(indent + 2)}`;
    }
  }
  return `${pad(indent)}-${anyValue(item, indent, field)}`;
}

/**
 * The lines of one mapping written as a list item: the first line starts with the dash (`indent`
 * spaces, `- `), the others with `indent + 2` spaces. Lines are written at indent + 2 and the first
 * indent is replaced at the end, which also flattens the item into one string (far less garbage than
 * one long rope of small pieces).
 */
class Item {
  private out = "";
  private readonly indent: number;
  private readonly pad: string;

  constructor(indent: number) {
    this.indent = indent;
    this.pad = pad(indent + 2);
  }

  /** `text` is a line (or lines) without the leading indent of its first line. */
  line(text: string): void {
    this.out += this.pad + text;
  }

  field(key: string, value: string | undefined, parent: string): void {
    if (value !== undefined) this.out += `${this.pad}${key}: ${str(value, parent, key)}\n`;
  }

  bool(key: string, value: boolean | undefined): void {
    if (value !== undefined) this.out += `${this.pad}${key}: ${value ? "true" : "false"}\n`;
  }

  done(): string {
    return this.out === ""
      ? `${pad(this.indent)}- {}\n`
      : `${pad(this.indent)}- ${this.out.slice(this.indent + 2)}`;
  }
}

function maintainer(m: Maintainer, indent: number, path: string): string {
  const item = new Item(indent);
  item.field("email", m.email, path);
  item.field("name", m.name, path);
  item.field("url", m.url, path);
  return item.done();
}

function dependency(d: Dependency, indent: number, path: string): string {
  const i = indent + 2;
  const item = new Item(indent);
  item.field("alias", d.alias, path);
  item.field("condition", d.condition, path);
  item.bool("enabled", d.enabled);
  if (d["import-values"] !== undefined)
    item.line(`import-values:${anyValue(d["import-values"], i, `${path}.import-values`)}`);
  item.field("name", d.name, path);
  item.field("repository", d.repository, path);
  if (d.tags !== undefined) item.line(`tags:${stringList(d.tags, i, path, "tags")}`);
  item.field("version", d.version, path);
  return item.done();
}

function list<T>(
  item: Item,
  items: readonly T[] | undefined,
  indent: number,
  key: string,
  path: string,
  write: (x: T, indent: number, path: string) => string,
): void {
  if (items === undefined) return;
  if (items.length === 0) {
    item.line(`${key}: []\n`);
    return;
  }
  let out = `${key}:\n`;
  for (let n = 0; n < items.length; n++) out += write(items[n] as T, indent, `${path}.${key}[${n}]`);
  item.line(out);
}

/** One chart version as a list item at `indent`, keys in the order Helm writes them. */
function chartVersion(v: ChartVersion, indent: number, path: string): string {
  const i = indent + 2;
  const item = new Item(indent);
  if (v.annotations !== undefined)
    item.line(`annotations:${stringMap(v.annotations, i + 2, path, "annotations")}`);
  item.field("apiVersion", v.apiVersion, path);
  item.field("appVersion", v.appVersion, path);
  item.field("checksum", v.checksum, path);
  item.field("condition", v.condition, path);
  item.field("created", v.created, path);
  list(item, v.dependencies, i, "dependencies", path, dependency);
  item.bool("deprecated", v.deprecated);
  item.field("description", v.description, path);
  // Helm omits an empty digest (omitempty); the model uses "" for "none".
  if (v.digest !== "") item.field("digest", v.digest, path);
  item.field("engine", v.engine, path);
  item.field("home", v.home, path);
  item.field("icon", v.icon, path);
  if (v.keywords !== undefined) item.line(`keywords:${stringList(v.keywords, i, path, "keywords")}`);
  item.field("kubeVersion", v.kubeVersion, path);
  list(item, v.maintainers, i, "maintainers", path, maintainer);
  item.field("name", v.name, path);
  item.bool("removed", v.removed);
  if (v.sources !== undefined) item.line(`sources:${stringList(v.sources, i, path, "sources")}`);
  item.field("tags", v.tags, path);
  item.field("tillerVersion", v.tillerVersion, path);
  item.field("type", v.type, path);
  item.field("url", v.url, path);
  item.line(`urls:${stringList(v.urls, i, path, "urls")}`);
  item.field("version", v.version, path);
  return item.done();
}

/** The index as canonical YAML (UTF-8 text, `\n` line ends, ending with a newline). */
export function serializeIndex(index: IndexFile): string {
  let out = "";
  if (index.annotations !== undefined)
    out += `annotations:${stringMap(index.annotations, 2, "", "annotations")}`;
  out += `apiVersion: ${str(index.apiVersion, "apiVersion")}\n`;
  const names = sortedKeys(index.entries);
  if (names.length === 0) out += "entries: {}\n";
  else {
    out += "entries:\n";
    for (const name of names) {
      const list = index.entries[name] ?? [];
      const path = `entries.${name}`;
      if (list.length === 0) {
        out += `  ${str(name, path)}: []\n`;
        continue;
      }
      out += `  ${str(name, path)}:\n`;
      for (let n = 0; n < list.length; n++) out += chartVersion(list[n] as ChartVersion, 2, `${path}[${n}]`);
    }
  }
  out += `generated: ${str(index.generated, "generated")}\n`;
  if (index.publicKeys !== undefined)
    out += `publicKeys:${stringList(index.publicKeys, 0, "", "publicKeys")}`;
  if (index.serverInfo !== undefined) out += `serverInfo:${anyValue(index.serverInfo, 0, "serverInfo")}`;
  return out;
}
