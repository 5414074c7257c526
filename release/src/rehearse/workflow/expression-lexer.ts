/**
 * Tokens of GitHub's expression language: literals (null, booleans, decimal and hex numbers with
 * exponents, single-quoted strings where '' is a quote), names (which may contain `-`, as job and
 * step ids do) and the operators `( ) [ ] . , ! < <= > >= == != && ||` and `*` (filters).
 */
import { ExpressionError, parseNumber } from "./expression-values.js";

export type Token =
  | { type: "number"; value: number; at: number }
  | { type: "string"; value: string; at: number }
  | { type: "name"; value: string; at: number }
  | { type: "punct"; value: string; at: number }
  | { type: "end"; at: number };

const NUMBER = /[-+]?(?:0[xX][0-9a-fA-F]+|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)/y;
const NAME = /[A-Za-z_][A-Za-z0-9_-]*/y;
const WORD_CHAR = /[A-Za-z0-9_]/;
const PUNCTUATION = ["<=", ">=", "==", "!=", "&&", "||", "(", ")", "[", "]", ".", ",", "!", "<", ">", "*"];

function startsNumber(text: string, at: number): boolean {
  const c = text[at] ?? "";
  const next = text[at + 1] ?? "";
  if (/\d/.test(c)) return true;
  if (c === "-" || c === "+") return /[\d.]/.test(next);
  // `.5` is a number only where a value may start; after a value `.` is property access.
  return false;
}

/** The single-quoted string starting at `at` ('' is a quote), and where it ends. */
function stringAt(text: string, at: number): { value: string; end: number } {
  let value = "";
  let end = at + 1;
  for (;;) {
    if (end >= text.length) throw new ExpressionError(`unterminated string starting at position ${at + 1}`);
    if (text[end] === "'") {
      if (text[end + 1] === "'") {
        value += "'";
        end += 2;
        continue;
      }
      break;
    }
    value += text[end];
    end++;
  }
  return { value, end: end + 1 };
}

/** The number literal starting at `at`, and where it ends; one running into a name is an error. */
function numberAt(text: string, at: number): { value: number; end: number } {
  NUMBER.lastIndex = at;
  const match = NUMBER.exec(text);
  const end = at + (match?.[0].length ?? 0);
  if (match === null || WORD_CHAR.test(text[end] ?? "")) {
    throw new ExpressionError(`unexpected symbol at position ${at + 1}: ${text.slice(at, at + 12)}`);
  }
  const literal = match[0];
  const value = literal.startsWith("-")
    ? -parseNumber(literal.slice(1))
    : parseNumber(literal.replace(/^\+/, ""));
  return { value, end };
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  const afterValue = () => {
    const last = tokens.at(-1);
    return last !== undefined && (last.type !== "punct" || last.value === ")" || last.value === "]");
  };
  while (at < text.length) {
    const c = text[at] as string;
    if (/\s/.test(c)) {
      at++;
      continue;
    }
    if (c === "'") {
      const { value, end } = stringAt(text, at);
      tokens.push({ type: "string", value, at });
      at = end;
      continue;
    }
    if (startsNumber(text, at) || (c === "." && !afterValue() && /\d/.test(text[at + 1] ?? ""))) {
      const { value, end } = numberAt(text, at);
      tokens.push({ type: "number", value, at });
      at = end;
      continue;
    }
    NAME.lastIndex = at;
    const name = NAME.exec(text);
    if (name !== null) {
      tokens.push({ type: "name", value: name[0], at });
      at += name[0].length;
      continue;
    }
    const punct = PUNCTUATION.find((p) => text.startsWith(p, at));
    if (punct === undefined)
      throw new ExpressionError(`unexpected character ${JSON.stringify(c)} at position ${at + 1}`);
    tokens.push({ type: "punct", value: punct, at });
    at += punct.length;
  }
  tokens.push({ type: "end", at });
  return tokens;
}
