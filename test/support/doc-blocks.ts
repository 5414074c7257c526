/**
 * The shell blocks of the Markdown docs and the marker each must carry on the line before its
 * fence (blank lines allowed in between): `<!-- doc-test: <the test that runs it> -->` or
 * `<!-- not-runnable: <why> -->`. Pure: text in, blocks and problems out.
 */

export const SHELL_LANGUAGES: ReadonlySet<string> = new Set(["sh", "bash", "shell", "console", "zsh"]);

export type Marker =
  | { kind: "doc-test"; runner: string; note: string }
  | { kind: "not-runnable"; reason: string };

export interface ShellBlock {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  language: string;
  code: string;
  marker: Marker | undefined;
  /** What is wrong with the marker, if anything (no marker, two markers, an empty reason...). */
  problem: string | undefined;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)/;
const MARKER = /^\s*<!--\s*(doc-test|not-runnable)\s*:(.*?)-->\s*$/;
const ANY_COMMENT = /^\s*<!--.*-->\s*$/;

function parseMarker(kind: string, text: string): Marker | string {
  const body = text.trim();
  if (kind === "not-runnable") {
    return body === "" ? "not-runnable needs a reason" : { kind: "not-runnable", reason: body };
  }
  const [runner = "", ...rest] = body.split(/\s+/);
  if (runner === "") return "doc-test needs the test that runs the block";
  return { kind: "doc-test", runner: runner.replace(/[,;]$/, ""), note: rest.join(" ") };
}

/** The marker for a fence at `fenceIndex`: the comments just above it, blank lines skipped. */
function markerAbove(lines: string[], fenceIndex: number): { marker?: Marker; problem?: string } {
  const found: Array<{ kind: string; text: string }> = [];
  for (let i = fenceIndex - 1; i >= 0; i -= 1) {
    const line = lines[i] ?? "";
    if (line.trim() === "") continue;
    const match = MARKER.exec(line);
    if (match !== null) {
      found.push({ kind: match[1] ?? "", text: match[2] ?? "" });
      continue;
    }
    if (ANY_COMMENT.test(line) && /doc-test|not-runnable/.test(line)) {
      return { problem: `malformed marker ${JSON.stringify(line.trim())}` };
    }
    break;
  }
  if (found.length === 0) {
    return {
      problem:
        "no marker: put <!-- doc-test: <test that runs it> --> or <!-- not-runnable: <reason> --> on the line before the fence",
    };
  }
  if (found.length > 1) return { problem: "more than one marker: keep exactly one" };
  const only = found[0] as { kind: string; text: string };
  const parsed = parseMarker(only.kind, only.text);
  return typeof parsed === "string" ? { problem: parsed } : { marker: parsed };
}

export function shellBlocks(markdown: string, file: string): ShellBlock[] {
  const lines = markdown.split(/\r?\n/);
  const blocks: ShellBlock[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const open = FENCE.exec(lines[i] ?? "");
    if (open === null) continue;
    const fence = open[1] ?? "```";
    const language = (open[2] ?? "").toLowerCase();
    let end = i + 1;
    while (end < lines.length) {
      const close = FENCE.exec(lines[end] ?? "");
      if (
        close !== null &&
        close[1]?.[0] === fence[0] &&
        (close[1]?.length ?? 0) >= fence.length &&
        close[2] === ""
      )
        break;
      end += 1;
    }
    if (SHELL_LANGUAGES.has(language)) {
      const { marker, problem } = markerAbove(lines, i);
      blocks.push({
        file,
        line: i + 1,
        language,
        code: lines.slice(i + 1, end).join("\n"),
        marker,
        problem,
      });
    }
    i = end;
  }
  return blocks;
}
