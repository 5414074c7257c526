/**
 * Go's path/filepath.Match on a Unix system (Go >= 1.16 semantics, the version Helm is built with),
 * which .helmignore rules use. It is not fnmatch(3) nor gitignore globbing:
 *
 *   `*` any run of characters except `/`;  `?` one character except `/`;
 *   `[abc]`, `[a-z]`, `[^a-z]` classes (negation is `^`, not `!`);  `\c` the character c.
 *
 * The whole name must match. A malformed pattern throws BadPatternError, even when the name
 * already fails to match earlier in the pattern.
 */
export class BadPatternError extends Error {
  constructor(pattern: string) {
    super(`syntax error in pattern ${JSON.stringify(pattern)}`);
    this.name = "BadPatternError";
  }
}

type Chars = readonly string[];

interface Chunk {
  star: boolean;
  chunk: Chars;
  rest: Chars;
}

function scanChunk(pattern: Chars): Chunk {
  let start = 0;
  let star = false;
  while (start < pattern.length && pattern[start] === "*") {
    start++;
    star = true;
  }
  let inRange = false;
  let i = start;
  scan: for (; i < pattern.length; i++) {
    switch (pattern[i]) {
      case "\\":
        if (i + 1 < pattern.length) i++;
        break;
      case "[":
        inRange = true;
        break;
      case "]":
        inRange = false;
        break;
      case "*":
        if (!inRange) break scan;
        break;
    }
  }
  return { star, chunk: pattern.slice(start, i), rest: pattern.slice(i) };
}

class Bad extends Error {}

/** A possibly escaped character inside a class; returns it and the index after it. */
function getEsc(chunk: Chars, at: number): [string, number] {
  let i = at;
  if (i >= chunk.length || chunk[i] === "-" || chunk[i] === "]") throw new Bad();
  if (chunk[i] === "\\") {
    i++;
    if (i >= chunk.length) throw new Bad();
  }
  const char = chunk[i] as string;
  i++;
  if (i >= chunk.length) throw new Bad();
  return [char, i];
}

/** Whether `chunk` (no `*`) matches the start of `s`; the rest of `s` when it does. Throws Bad. */
function matchChunk(chunk: Chars, s: Chars): Chars | undefined {
  let failed = false;
  let c = 0;
  let k = 0;
  while (c < chunk.length) {
    if (!failed && k >= s.length) failed = true;
    const op = chunk[c];
    if (op === "[") {
      const r = failed ? "" : (s[k++] as string);
      c++;
      let negated = false;
      if (c < chunk.length && chunk[c] === "^") {
        negated = true;
        c++;
      }
      let match = false;
      let ranges = 0;
      for (;;) {
        if (c < chunk.length && chunk[c] === "]" && ranges > 0) {
          c++;
          break;
        }
        const [lo, afterLo] = getEsc(chunk, c);
        let hi = lo;
        c = afterLo;
        if (chunk[c] === "-") [hi, c] = getEsc(chunk, c + 1);
        const code = r.codePointAt(0);
        if (code !== undefined && (lo.codePointAt(0) ?? 0) <= code && code <= (hi.codePointAt(0) ?? 0))
          match = true;
        ranges++;
      }
      if (match === negated) failed = true;
    } else if (op === "?") {
      if (!failed) {
        if (s[k] === "/") failed = true;
        k++;
      }
      c++;
    } else {
      if (op === "\\") {
        c++;
        if (c >= chunk.length) throw new Bad();
      }
      if (!failed) {
        if (chunk[c] !== s[k]) failed = true;
        k++;
      }
      c++;
    }
  }
  return failed ? undefined : s.slice(k);
}

function matchChars(patternText: string, nameText: string): boolean {
  let pattern: Chars = Array.from(patternText);
  let name: Chars = Array.from(nameText);
  next: while (pattern.length > 0) {
    const { star, chunk, rest } = scanChunk(pattern);
    pattern = rest;
    if (star && chunk.length === 0) return !name.includes("/");
    const t = matchChunk(chunk, name);
    if (t !== undefined && (t.length === 0 || pattern.length > 0)) {
      name = t;
      continue;
    }
    if (star) {
      for (let i = 0; i < name.length && name[i] !== "/"; i++) {
        const skipped = matchChunk(chunk, name.slice(i + 1));
        if (skipped !== undefined) {
          if (pattern.length === 0 && skipped.length > 0) continue;
          name = skipped;
          continue next;
        }
      }
    }
    // Before answering "no", check that the rest of the pattern is well formed.
    while (pattern.length > 0) {
      const scanned = scanChunk(pattern);
      pattern = scanned.rest;
      matchChunk(scanned.chunk, []);
    }
    return false;
  }
  return name.length === 0;
}

export function goMatch(pattern: string, name: string): boolean {
  try {
    return matchChars(pattern, name);
  } catch (error) {
    if (error instanceof Bad) throw new BadPatternError(pattern);
    throw error;
  }
}
