/**
 * Parses one expression (the text between `${{` and `}}`, or an `if:`) into a tree, with GitHub's
 * precedence: `||` < `&&` < `== !=` < `< <= > >=` < `!` < `. [ ]` access. Function names and
 * their argument counts, and the context names, are checked here, so that a workflow the
 * rehearsal cannot evaluate is refused when it is loaded rather than halfway through a run.
 */
import { type Token, tokenize } from "./expression-lexer.js";
import { ExpressionError } from "./expression-values.js";

export type BinaryOperator = "||" | "&&" | "==" | "!=" | "<" | "<=" | ">" | ">=";

export type ExpressionNode =
  | { kind: "literal"; value: null | boolean | number | string }
  | { kind: "context"; name: string }
  | { kind: "property"; object: ExpressionNode; name: string }
  | { kind: "index"; object: ExpressionNode; index: ExpressionNode }
  | { kind: "filter"; object: ExpressionNode }
  | { kind: "not"; operand: ExpressionNode }
  | { kind: "binary"; operator: BinaryOperator; left: ExpressionNode; right: ExpressionNode }
  | { kind: "call"; name: string; args: ExpressionNode[] };

/** Functions and their [minimum, maximum] argument counts, keyed by lower-case name. */
const FUNCTIONS: Record<string, { name: string; min: number; max: number }> = {
  contains: { name: "contains", min: 2, max: 2 },
  startswith: { name: "startsWith", min: 2, max: 2 },
  endswith: { name: "endsWith", min: 2, max: 2 },
  format: { name: "format", min: 1, max: Number.POSITIVE_INFINITY },
  join: { name: "join", min: 1, max: 2 },
  tojson: { name: "toJSON", min: 1, max: 1 },
  fromjson: { name: "fromJSON", min: 1, max: 1 },
  success: { name: "success", min: 0, max: 0 },
  always: { name: "always", min: 0, max: 0 },
  failure: { name: "failure", min: 0, max: 0 },
  cancelled: { name: "cancelled", min: 0, max: 0 },
};

export const STATUS_FUNCTIONS = new Set(["success", "always", "failure", "cancelled"]);

/** Every context the rehearsal provides somewhere (which ones are set depends on where the expression is). */
export const CONTEXT_NAMES = new Set([
  "github",
  "env",
  "vars",
  "secrets",
  "inputs",
  "needs",
  "steps",
  "job",
  "jobs",
  "runner",
]);

const UNSUPPORTED: Record<string, string> = {
  hashfiles:
    "hashFiles() is not supported by the rehearsal (it would hash the local checkout, not the runner's)",
  matrix: "the matrix context is not supported by the rehearsal (no strategy/matrix jobs)",
  strategy: "the strategy context is not supported by the rehearsal (no strategy/matrix jobs)",
};

const BINARY_LEVELS: BinaryOperator[][] = [["||"], ["&&"], ["==", "!="], ["<", "<=", ">", ">="]];

class Parser {
  private position = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly text: string,
  ) {}

  private peek(): Token {
    return this.tokens[this.position] as Token;
  }

  private next(): Token {
    const token = this.peek();
    if (token.type !== "end") this.position++;
    return token;
  }

  private isPunct(value: string): boolean {
    const token = this.peek();
    return token.type === "punct" && token.value === value;
  }

  private expect(value: string): void {
    if (!this.isPunct(value)) this.fail(`expected "${value}"`);
    this.next();
  }

  private fail(what: string): never {
    const token = this.peek();
    const found = token.type === "end" ? "the end" : JSON.stringify(this.text.slice(token.at, token.at + 12));
    throw new ExpressionError(`${what} at position ${token.at + 1} (found ${found})`);
  }

  parse(): ExpressionNode {
    if (this.peek().type === "end") this.fail("empty expression");
    const node = this.binary(0);
    if (this.peek().type !== "end") this.fail("unexpected symbol");
    return node;
  }

  private binary(level: number): ExpressionNode {
    const operators = BINARY_LEVELS[level];
    if (operators === undefined) return this.unary();
    let left = this.binary(level + 1);
    for (;;) {
      const token = this.peek();
      const operator = operators.find((o) => token.type === "punct" && token.value === o);
      if (operator === undefined) return left;
      this.next();
      left = { kind: "binary", operator, left, right: this.binary(level + 1) };
    }
  }

  private unary(): ExpressionNode {
    if (this.isPunct("!")) {
      this.next();
      return { kind: "not", operand: this.unary() };
    }
    return this.postfix(this.primary());
  }

  private postfix(start: ExpressionNode): ExpressionNode {
    let node = start;
    for (;;) {
      if (this.isPunct(".")) {
        this.next();
        const token = this.next();
        if (token.type === "punct" && token.value === "*") node = { kind: "filter", object: node };
        else if (token.type === "name") node = { kind: "property", object: node, name: token.value };
        else {
          this.position--;
          this.fail("expected a property name after '.'");
        }
      } else if (this.isPunct("[")) {
        this.next();
        if (this.isPunct("*")) {
          this.next();
          node = { kind: "filter", object: node };
        } else {
          node = { kind: "index", object: node, index: this.binary(0) };
        }
        this.expect("]");
      } else {
        return node;
      }
    }
  }

  private primary(): ExpressionNode {
    const token = this.next();
    switch (token.type) {
      case "number":
      case "string":
        return { kind: "literal", value: token.value };
      case "name":
        return this.named(token.value);
      case "punct":
        if (token.value === "(") {
          const inner = this.binary(0);
          this.expect(")");
          return inner;
        }
        break;
      case "end":
        break;
    }
    this.position--;
    return this.fail("expected a value");
  }

  private named(name: string): ExpressionNode {
    const lower = name.toLowerCase();
    if (this.isPunct("(")) return this.call(name);
    if (lower === "null") return { kind: "literal", value: null };
    if (lower === "true") return { kind: "literal", value: true };
    if (lower === "false") return { kind: "literal", value: false };
    const unsupported = UNSUPPORTED[lower];
    if (unsupported !== undefined) throw new ExpressionError(unsupported);
    if (!CONTEXT_NAMES.has(lower)) throw new ExpressionError(`unrecognized named-value: '${name}'`);
    return { kind: "context", name: lower };
  }

  private call(written: string): ExpressionNode {
    const lower = written.toLowerCase();
    const unsupported = UNSUPPORTED[lower];
    if (unsupported !== undefined) throw new ExpressionError(unsupported);
    const fn = FUNCTIONS[lower];
    if (fn === undefined) throw new ExpressionError(`unrecognized function: '${written}'`);
    this.expect("(");
    const args: ExpressionNode[] = [];
    if (!this.isPunct(")")) {
      for (;;) {
        args.push(this.binary(0));
        if (!this.isPunct(",")) break;
        this.next();
      }
    }
    this.expect(")");
    if (args.length < fn.min || args.length > fn.max) {
      const wanted =
        fn.min === fn.max
          ? `${fn.min}`
          : fn.max === Infinity
            ? `at least ${fn.min}`
            : `${fn.min} to ${fn.max}`;
      throw new ExpressionError(`${fn.name}() takes ${wanted} argument(s), got ${args.length}`);
    }
    return { kind: "call", name: fn.name, args };
  }
}

export function parseExpression(text: string): ExpressionNode {
  return new Parser(tokenize(text), text).parse();
}

/** Whether an `if:` calls success(), always(), failure() or cancelled() (if not, success() is implied). */
export function callsStatusFunction(node: ExpressionNode): boolean {
  switch (node.kind) {
    case "call":
      return STATUS_FUNCTIONS.has(node.name) || node.args.some(callsStatusFunction);
    case "property":
    case "filter":
      return callsStatusFunction(node.object);
    case "index":
      return callsStatusFunction(node.object) || callsStatusFunction(node.index);
    case "not":
      return callsStatusFunction(node.operand);
    case "binary":
      return callsStatusFunction(node.left) || callsStatusFunction(node.right);
    default:
      return false;
  }
}
