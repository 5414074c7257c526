/**
 * The line cursor of fast-yaml.ts and its readers of scalars that span lines: block scalars
 * (`|`, `>`, with chomping and indentation indicators) and plain scalars folded over several lines,
 * both of which Helm writes (go-yaml writes a multi-line string as `|`, and folds long plain strings
 * at about 80 columns).
 *
 * Each reader mirrors js-yaml 4 (readBlockScalar, readPlainScalar) step by step for the cases it
 * accepts, and bails for the rest, so that fast-yaml keeps its contract: js-yaml's value, or none.
 */

/** Signals "not in the subset": the caller falls back to js-yaml. */
export class Bail extends Error {}
export const BAIL = new Bail();

export interface Cursor {
  readonly text: string;
  /** Start offset of the current line. */
  start: number;
  /** End offset of the current line (its `\n`, or the text length). */
  end: number;
  /** Indent of the current line, or -1 at the end of the text. */
  col: number;
}

/** Moves to the next line that holds content (skips empty lines and full-line comments). */
export function advance(c: Cursor): void {
  const t = c.text;
  const n = t.length;
  let p = c.end + 1;
  while (p < n) {
    let e = t.indexOf("\n", p);
    if (e === -1) e = n;
    let k = p;
    while (t.charCodeAt(k) === 32) k++;
    if (e === p || t.charCodeAt(k) === 35 /* # */) {
      p = e + 1;
      continue;
    }
    if (k === e) throw BAIL; // spaces only
    c.start = p;
    c.end = e;
    c.col = k - p;
    return;
  }
  c.col = -1;
}

const CLIP = 0;
const STRIP = 1;
const KEEP = 2;

function newlines(count: number): string {
  return count === 0 ? "" : count === 1 ? "\n" : "\n".repeat(count);
}

/**
 * The block scalar whose header (`|` or `>`, then chomping and indentation indicators) starts at
 * `at` and runs to the end of the current line. `nodeIndent` is js-yaml's for this node: the indent
 * of the mapping key or of the sequence dash it belongs to, plus one. Leaves the cursor on the
 * scalar's last line, so that advance() moves to the line after it.
 *
 * Kept whole: it is js-yaml's readBlockScalar line for line (chomping, indentation detection,
 * folding), whose header and line loop share five variables of state; it sits on the parse's fast
 * path, where that state would otherwise travel in an object per scalar.
 */
export function blockScalar(c: Cursor, at: number, nodeIndent: number): string {
  const t = c.text;
  const n = t.length;
  const folding = t.charCodeAt(at) === 62; /* > */
  let chomping = CLIP;
  let textIndent = nodeIndent;
  let detected = false;
  for (let p = at + 1; p < c.end; p++) {
    const ch = t.charCodeAt(p);
    if ((ch === 43 || ch === 45) && chomping === CLIP) chomping = ch === 43 ? KEEP : STRIP;
    else if (ch >= 49 && ch <= 57 && !detected) {
      textIndent = nodeIndent + (ch - 48) - 1;
      detected = true;
    } else throw BAIL; // a comment, spaces, `0`, a repeated indicator or text after the header
  }
  let out = "";
  let didRead = false;
  let empty = 0;
  let moreIndented = false;
  let line = c.end + 1;
  for (;;) {
    // js-yaml reads past the end as one more line of indent 0 (the text ends with "\n\0" there).
    let k = line;
    let indent = 0;
    if (line < n) {
      while ((!detected || indent < textIndent) && t.charCodeAt(k) === 32) {
        k++;
        indent++;
      }
      if (!detected && indent > textIndent) textIndent = indent;
      if (k >= n || t.charCodeAt(k) === 10) {
        empty++;
        line = k + 1;
        continue;
      }
    }
    if (indent < textIndent) {
      if (chomping === KEEP) out += newlines(didRead ? 1 + empty : empty);
      else if (chomping === CLIP && didRead) out += "\n";
      c.end = line - 1;
      return out;
    }
    const ch = t.charCodeAt(k);
    if (!folding) out += newlines(didRead ? 1 + empty : empty);
    else if (ch === 32) {
      moreIndented = true;
      out += newlines(didRead ? 1 + empty : empty);
    } else if (moreIndented) {
      moreIndented = false;
      out += newlines(empty + 1);
    } else if (empty === 0) {
      if (didRead) out += " ";
    } else out += newlines(empty);
    didRead = true;
    detected = true;
    empty = 0;
    let e = t.indexOf("\n", k);
    if (e === -1) e = n;
    out += t.slice(k, e);
    line = e + 1;
  }
}

/**
 * A plain scalar whose first line (already checked, `first`) ends the current line, with the
 * lines that continue it: each line indented at least `nodeIndent` (as in blockScalar) is joined
 * with one space, or with n - 1 newlines after n - 1 empty lines. Leaves the cursor on the last
 * line read; a comment line ends the scalar. Bails on continuation lines js-yaml would end early or
 * read differently (a `: ` or ` #` inside, a trailing `:` or space, spaces-only lines).
 */
export function plainLines(c: Cursor, first: string, nodeIndent: number): string {
  const t = c.text;
  const n = t.length;
  let text = first;
  let line = c.end + 1;
  let empty = 0;
  while (line < n) {
    let k = line;
    while (t.charCodeAt(k) === 32) k++;
    const ch = t.charCodeAt(k);
    if (k === line && ch === 10) {
      empty++;
      line++;
      continue;
    }
    if (k - line < nodeIndent) {
      if (k >= n || ch === 10) throw BAIL; // spaces only
      break;
    }
    if (ch === 35) break; // a comment line ends the scalar (advance() skips it)
    let e = t.indexOf("\n", k);
    if (e === -1) e = n;
    const last = t.charCodeAt(e - 1);
    if (k === e || last === 32 || last === 58) throw BAIL;
    const more = t.slice(k, e);
    if (more.includes(" ") && (more.includes(" #") || more.includes(": "))) throw BAIL;
    text += empty === 0 ? ` ${more}` : `${newlines(empty)}${more}`;
    empty = 0;
    c.end = e;
    line = e + 1;
  }
  return text;
}
