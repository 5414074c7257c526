// biome-ignore-all lint/suspicious/noTemplateCurlyInString: GitHub expressions are ${{ }} inside plain strings, not template literals
/**
 * `${{ }}` in workflow values and `if:` conditions. A value that is exactly one `${{ expr }}`
 * keeps the expression's type (a boolean input stays a boolean); text around expressions makes
 * a string. An `if:` may be written with or without `${{ }}`, and gets an implied `success() &&`
 * unless it calls a status function itself, as on GitHub.
 */
import { type ExpressionScope, evaluate } from "./expression-evaluate.js";
import { callsStatusFunction, type ExpressionNode, parseExpression } from "./expression-parser.js";
import { ExpressionError, isTruthy, toText } from "./expression-values.js";

export type TemplatePart = { text: string } | { source: string; expression: ExpressionNode };

const cache = new Map<string, TemplatePart[]>();

/** Splits text into literal parts and parsed expressions; throws ExpressionError on bad syntax. */
export function parseTemplate(text: string): TemplatePart[] {
  const cached = cache.get(text);
  if (cached !== undefined) return cached;
  const parts: TemplatePart[] = [];
  let at = 0;
  for (;;) {
    const open = text.indexOf("${{", at);
    if (open === -1) break;
    if (open > at) parts.push({ text: text.slice(at, open) });
    let end = open + 3;
    let quoted = false;
    while (end < text.length && (quoted || !text.startsWith("}}", end))) {
      if (text[end] === "'") quoted = !quoted;
      end++;
    }
    if (end >= text.length) {
      throw new ExpressionError(
        `unclosed \${{ starting at position ${open + 1}: ${JSON.stringify(text.slice(open, open + 40))}`,
      );
    }
    const source = text.slice(open + 3, end).trim();
    parts.push({ source, expression: parseExpression(source) });
    at = end + 2;
  }
  if (at < text.length) parts.push({ text: text.slice(at) });
  cache.set(text, parts);
  return parts;
}

/** Evaluates a workflow value: strings are templates, other scalars are themselves. */
export function evaluateValue(value: unknown, scope: ExpressionScope): unknown {
  if (typeof value !== "string") return value ?? null;
  const parts = parseTemplate(value);
  const only = parts[0];
  if (parts.length === 1 && only !== undefined && "expression" in only)
    return evaluate(only.expression, scope);
  return parts
    .map((part) => ("text" in part ? part.text : toText(evaluate(part.expression, scope))))
    .join("");
}

/** Evaluates a value where a string is wanted (env, run, with). */
export function evaluateText(value: unknown, scope: ExpressionScope): string {
  return toText(evaluateValue(value, scope));
}

const SUCCESS: ExpressionNode = { kind: "call", name: "success", args: [] };

/** The expression of an `if:` (absent: success()), with the implied success() added. */
export function parseCondition(value: unknown): ExpressionNode {
  if (value === undefined || value === null) return SUCCESS;
  let node: ExpressionNode;
  if (typeof value === "boolean" || typeof value === "number") {
    node = { kind: "literal", value };
  } else if (typeof value === "string") {
    const trimmed = value.trim();
    if (trimmed.includes("${{")) {
      const parts = parseTemplate(trimmed);
      const only = parts[0];
      if (parts.length !== 1 || only === undefined || !("expression" in only)) {
        throw new ExpressionError(
          "the condition mixes ${{ }} with other text, which GitHub reads as a non-empty string (always true); write the whole condition inside one ${{ }}, or without ${{ }}",
        );
      }
      node = only.expression;
    } else {
      node = parseExpression(trimmed);
    }
  } else {
    throw new ExpressionError(`a condition must be a string or a boolean, not ${JSON.stringify(value)}`);
  }
  return callsStatusFunction(node) ? node : { kind: "binary", operator: "&&", left: SUCCESS, right: node };
}

export function evaluateCondition(value: unknown, scope: ExpressionScope): boolean {
  return isTruthy(evaluate(parseCondition(value), scope));
}

/** Parses every `${{ }}` in a value tree (strings, lists, maps); used to check a workflow on load. */
export function checkTemplates(
  value: unknown,
  onError: (path: string, error: ExpressionError) => void,
  path = "",
): void {
  if (typeof value === "string") {
    try {
      parseTemplate(value);
    } catch (error) {
      if (error instanceof ExpressionError) onError(path, error);
      else throw error;
    }
  } else if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) checkTemplates(item, onError, `${path}[${index}]`);
  } else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value))
      checkTemplates(item, onError, path === "" ? key : `${path}.${key}`);
  }
}
