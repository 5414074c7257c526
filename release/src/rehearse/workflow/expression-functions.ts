/**
 * The built-in functions of GitHub's expression language (status functions live with the
 * evaluator, which knows the job's state). String matching ignores case, as on GitHub.
 */
import { ExpressionError, looseEquals, toText } from "./expression-values.js";

function contains(search: unknown, item: unknown): boolean {
  if (Array.isArray(search)) return search.some((element) => looseEquals(element, item));
  return toText(search).toUpperCase().includes(toText(item).toUpperCase());
}

function startsWith(text: unknown, prefix: unknown): boolean {
  return toText(text).toUpperCase().startsWith(toText(prefix).toUpperCase());
}

function endsWith(text: unknown, suffix: unknown): boolean {
  return toText(text).toUpperCase().endsWith(toText(suffix).toUpperCase());
}

/** `format('{0} and {{literal}}', x)`: `{N}` is argument N, doubled braces are literal braces. */
export function format(template: unknown, args: unknown[]): string {
  const text = toText(template);
  let out = "";
  let at = 0;
  while (at < text.length) {
    const c = text[at] as string;
    if (c === "{" && text[at + 1] === "{") {
      out += "{";
      at += 2;
    } else if (c === "}" && text[at + 1] === "}") {
      out += "}";
      at += 2;
    } else if (c === "{") {
      const close = text.indexOf("}", at);
      const index = close === -1 ? "" : text.slice(at + 1, close);
      if (!/^\d+$/.test(index)) {
        throw new ExpressionError(
          `format(): invalid format string ${JSON.stringify(text)} at position ${at + 1}`,
        );
      }
      const position = Number(index);
      if (position >= args.length) {
        throw new ExpressionError(
          `format(): the format string ${JSON.stringify(text)} names argument {${position}} but only ${args.length} were given`,
        );
      }
      out += toText(args[position]);
      at = close + 1;
    } else if (c === "}") {
      throw new ExpressionError(`format(): unmatched '}' in ${JSON.stringify(text)} at position ${at + 1}`);
    } else {
      out += c;
      at++;
    }
  }
  return out;
}

function join(value: unknown, separator: unknown): string {
  const glue = separator === undefined ? "," : toText(separator);
  if (Array.isArray(value)) return value.map(toText).join(glue);
  return toText(value);
}

function toJSON(value: unknown): string {
  return JSON.stringify(value ?? null, null, 2);
}

function fromJSON(value: unknown): unknown {
  const text = toText(value);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ExpressionError(
      `fromJSON(): ${JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}...` : text)} is not JSON (${(error as Error).message})`,
    );
  }
}

/** Calls a value function (everything but the status functions) on evaluated arguments. */
export function callFunction(name: string, args: unknown[]): unknown {
  switch (name) {
    case "contains":
      return contains(args[0], args[1]);
    case "startsWith":
      return startsWith(args[0], args[1]);
    case "endsWith":
      return endsWith(args[0], args[1]);
    case "format":
      return format(args[0], args.slice(1));
    case "join":
      return join(args[0], args[1]);
    case "toJSON":
      return toJSON(args[0]);
    case "fromJSON":
      return fromJSON(args[0]);
    default:
      throw new ExpressionError(`unrecognized function: '${name}'`);
  }
}
