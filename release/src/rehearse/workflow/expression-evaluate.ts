/**
 * Evaluates a parsed expression against the contexts of the place it appears in. `&&` and `||`
 * return one of their operands (not a boolean) and short-circuit, as on GitHub.
 */
import { callFunction } from "./expression-functions.js";
import type { ExpressionNode } from "./expression-parser.js";
import {
  compareValues,
  ExpressionError,
  filteredArray,
  isFilteredArray,
  isTruthy,
  kindOf,
  looseEquals,
  readIndex,
  readProperty,
} from "./expression-values.js";

/** The state success(), failure() and cancelled() read: the job's steps so far, or a job's needs. */
export interface StatusState {
  success: boolean;
  failure: boolean;
  cancelled: boolean;
}

export interface ExpressionScope {
  /** Contexts by lower-case name (github, env, steps...). A context not given here reads as null. */
  contexts: Readonly<Record<string, unknown>>;
  /** Where status functions are allowed (`if:`), the state they read; elsewhere they are refused. */
  status?: StatusState;
}

function filter(value: unknown): unknown[] {
  if (Array.isArray(value)) return filteredArray(isFilteredArray(value) ? value.flat() : [...value]);
  if (kindOf(value) === "object") return filteredArray(Object.values(value as Record<string, unknown>));
  return filteredArray([]);
}

export function evaluate(node: ExpressionNode, scope: ExpressionScope): unknown {
  switch (node.kind) {
    case "literal":
      return node.value;
    case "context":
      return scope.contexts[node.name] ?? null;
    case "property":
      return readProperty(evaluate(node.object, scope), node.name);
    case "index":
      return readIndex(evaluate(node.object, scope), evaluate(node.index, scope));
    case "filter":
      return filter(evaluate(node.object, scope));
    case "not":
      return !isTruthy(evaluate(node.operand, scope));
    case "binary":
      return binary(node.operator, node.left, node.right, scope);
    case "call":
      return call(node.name, node.args, scope);
  }
}

function binary(
  operator: Extract<ExpressionNode, { kind: "binary" }>["operator"],
  leftNode: ExpressionNode,
  rightNode: ExpressionNode,
  scope: ExpressionScope,
): unknown {
  const left = evaluate(leftNode, scope);
  if (operator === "&&") return isTruthy(left) ? evaluate(rightNode, scope) : left;
  if (operator === "||") return isTruthy(left) ? left : evaluate(rightNode, scope);
  const right = evaluate(rightNode, scope);
  if (operator === "==") return looseEquals(left, right);
  if (operator === "!=") return !looseEquals(left, right);
  const order = compareValues(left, right);
  if (order === undefined) return false;
  switch (operator) {
    case "<":
      return order < 0;
    case "<=":
      return order <= 0;
    case ">":
      return order > 0;
    default:
      return order >= 0;
  }
}

function call(name: string, argNodes: ExpressionNode[], scope: ExpressionScope): unknown {
  if (name === "always" || name === "success" || name === "failure" || name === "cancelled") {
    if (scope.status === undefined) {
      throw new ExpressionError(`${name}() is only allowed in an if: condition`);
    }
    if (name === "always") return true;
    return scope.status[name];
  }
  return callFunction(
    name,
    argNodes.map((arg) => evaluate(arg, scope)),
  );
}
