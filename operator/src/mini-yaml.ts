/**
 * Just enough YAML to read a kubeconfig as kubectl, kind and cloud CLIs write it: block mappings,
 * block sequences (also at the parent key's indentation, as kubectl writes them), plain and quoted
 * scalars, and the empty flow collections `{}` / `[]`. JSON documents are parsed as JSON. Anything
 * else (anchors, multi-line scalars, flow collections with content) is refused with a clear error
 * instead of being misread: the operator keeps no YAML dependency for one local-run convenience.
 */

export type YamlValue = string | boolean | null | YamlValue[] | { [key: string]: YamlValue };

interface Line {
  indent: number;
  text: string;
  number: number;
}

export function parseYaml(source: string): YamlValue {
  const trimmed = source.trim();
  if (trimmed.startsWith("{")) return JSON.parse(trimmed) as YamlValue;
  const lines: Line[] = [];
  source.split(/\r?\n/).forEach((raw, index) => {
    const text = raw.trimEnd();
    const content = text.trimStart();
    if (content === "" || content.startsWith("#") || content === "---") return;
    if (raw.includes("\t") && raw.indexOf("\t") < raw.length - content.length) {
      throw new YamlSubsetError(index + 1, "tabs are not allowed for indentation");
    }
    lines.push({ indent: text.length - content.length, text: content, number: index + 1 });
  });
  if (lines.length === 0) return null;
  const parser = new Parser(lines);
  const value = parser.block(lines[0]?.indent ?? 0);
  const rest = parser.peek();
  if (rest !== undefined) throw new YamlSubsetError(rest.number, "unexpected indentation");
  return value;
}

export class YamlSubsetError extends Error {
  constructor(line: number, reason: string) {
    super(`kubeconfig line ${line}: ${reason} (only a simple YAML subset is supported)`);
  }
}

const isItem = (line: Line): boolean => line.text === "-" || line.text.startsWith("- ");

class Parser {
  private index = 0;
  constructor(private readonly lines: Line[]) {}

  peek(): Line | undefined {
    return this.lines[this.index];
  }

  block(indent: number): YamlValue {
    const first = this.peek();
    if (first === undefined) return null;
    return isItem(first) ? this.sequence(indent) : this.mapping(indent);
  }

  private sequence(indent: number): YamlValue[] {
    const items: YamlValue[] = [];
    for (let line = this.peek(); line && line.indent === indent && isItem(line); line = this.peek()) {
      const content = line.text.slice(1).trimStart();
      if (content === "") {
        this.index++;
        const next = this.peek();
        items.push(next && next.indent > indent ? this.block(next.indent) : null);
      } else if (splitKey(content) !== undefined) {
        // "- key: value" opens a mapping whose keys line up with "key".
        const inner = indent + (line.text.length - content.length);
        this.lines[this.index] = { indent: inner, text: content, number: line.number };
        items.push(this.mapping(inner));
      } else {
        this.index++;
        items.push(scalar(content, line.number));
      }
    }
    return items;
  }

  private mapping(indent: number): { [key: string]: YamlValue } {
    const result: { [key: string]: YamlValue } = {};
    for (let line = this.peek(); line && line.indent === indent && !isItem(line); line = this.peek()) {
      const split = splitKey(line.text);
      if (split === undefined) throw new YamlSubsetError(line.number, "expected `key: value`");
      const [key, rest] = split;
      this.index++;
      if (rest !== "") {
        result[key] = scalar(rest, line.number);
        continue;
      }
      const next = this.peek();
      if (next && (next.indent > indent || (next.indent === indent && isItem(next)))) {
        result[key] = this.block(next.indent);
      } else {
        result[key] = null;
      }
    }
    return result;
  }
}

function splitKey(text: string): [string, string] | undefined {
  if (text.startsWith('"') || text.startsWith("'")) {
    const end = text.indexOf(text[0] as string, 1);
    if (end < 0 || text[end + 1] !== ":") return undefined;
    return [text.slice(1, end), text.slice(end + 2).trim()];
  }
  const match = /^([^:#{}[\],]+?):(?:\s+(.*))?$/.exec(text);
  if (match === null) return undefined;
  return [(match[1] as string).trim(), (match[2] ?? "").trim()];
}

function scalar(text: string, lineNumber: number): YamlValue {
  if (text.startsWith('"')) return JSON.parse(text) as string;
  if (text.startsWith("'")) {
    if (!text.endsWith("'") || text.length < 2) throw new YamlSubsetError(lineNumber, "unterminated string");
    return text.slice(1, -1).replaceAll("''", "'");
  }
  const plain = text.replace(/\s+#.*$/, "");
  if (plain === "{}") return {};
  if (plain === "[]") return [];
  if (plain === "null" || plain === "~") return null;
  if (plain === "true") return true;
  if (plain === "false") return false;
  if (/^[&*!|>{[]/.test(plain)) throw new YamlSubsetError(lineNumber, `unsupported value ${plain}`);
  return plain;
}
