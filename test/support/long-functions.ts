/**
 * The functions of a TypeScript source longer than a limit, and whether each says why it is kept
 * whole. test/unit/function-length.test.ts holds the rule; this module only finds the offenders.
 */
import ts from "typescript";

/** The phrase a long function's leading comment starts its reason with. */
export const KEPT_WHOLE = "Kept whole:";

export interface LongFunction {
  /** 1-based line of the function's first token (its leading comment aside). */
  line: number;
  /** The function's name, or the name it is bound to; `(anonymous)` when it has none. */
  name: string;
  /** First to last line, inclusive. */
  lines: number;
}

/**
 * The functions of `source` spanning more than `limit` lines whose leading comment holds no
 * `Kept whole:` followed by a reason. The comment read is the one leading the function itself
 * and, for an arrow function or function expression, the ones leading what it is the value of:
 * its variable statement (`const f = () => …`), object property or class property. For a
 * function passed as a call argument, that is the comment just before the argument.
 */
export function longFunctionsWithoutReason(fileName: string, source: string, limit: number): LongFunction[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: LongFunction[] = [];
  const visit = (node: ts.Node): void => {
    if (isFunctionLike(node)) {
      const first = file.getLineAndCharacterOfPosition(node.getStart(file)).line;
      const last = file.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = last - first + 1;
      if (lines > limit && !saysWhyKeptWhole(file, node)) {
        found.push({ line: first + 1, name: nameOf(node), lines });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

type FunctionLike =
  | ts.FunctionDeclaration
  | ts.MethodDeclaration
  | ts.ConstructorDeclaration
  | ts.GetAccessorDeclaration
  | ts.SetAccessorDeclaration
  | ts.ArrowFunction
  | ts.FunctionExpression;

function isFunctionLike(node: ts.Node): node is FunctionLike {
  return (
    (ts.isFunctionDeclaration(node) ||
      ts.isMethodDeclaration(node) ||
      ts.isConstructorDeclaration(node) ||
      ts.isGetAccessorDeclaration(node) ||
      ts.isSetAccessorDeclaration(node) ||
      ts.isArrowFunction(node) ||
      ts.isFunctionExpression(node)) &&
    node.body !== undefined
  );
}

/** What holds an arrow function or function expression as its value, and so may carry its comment. */
function isBinding(node: ts.Node): boolean {
  return (
    ts.isVariableDeclaration(node) ||
    ts.isVariableDeclarationList(node) ||
    ts.isVariableStatement(node) ||
    ts.isPropertyAssignment(node) ||
    ts.isPropertyDeclaration(node)
  );
}

function saysWhyKeptWhole(file: ts.SourceFile, node: FunctionLike): boolean {
  const holders: ts.Node[] = [node];
  if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) {
    for (let up = node.parent; isBinding(up); up = up.parent) holders.push(up);
  }
  const reason = new RegExp(`${KEPT_WHOLE}\\s*\\S`);
  return holders.some((holder) =>
    (ts.getLeadingCommentRanges(file.text, holder.getFullStart()) ?? []).some((range) =>
      reason.test(file.text.slice(range.pos, range.end)),
    ),
  );
}

function nameOf(node: FunctionLike): string {
  if (ts.isConstructorDeclaration(node)) return "constructor";
  if (node.name !== undefined) return node.name.getText();
  const parent = node.parent;
  if (
    (ts.isVariableDeclaration(parent) ||
      ts.isPropertyAssignment(parent) ||
      ts.isPropertyDeclaration(parent)) &&
    parent.name !== undefined
  ) {
    return parent.name.getText();
  }
  return "(anonymous)";
}

/**
 * The functions passed to commander's `.action(...)` in `source` spanning more than `limit` lines:
 * a command's work belongs in a plain function the callback calls (docs/architecture.md,
 * "Commands"), so the callback only builds the request, calls it and renders the outcome.
 */
export function longActionCallbacks(fileName: string, source: string, limit: number): LongFunction[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: LongFunction[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.name.text === "action"
    ) {
      for (const argument of node.arguments) {
        if (!ts.isArrowFunction(argument) && !ts.isFunctionExpression(argument)) continue;
        const first = file.getLineAndCharacterOfPosition(argument.getStart(file)).line;
        const lines = file.getLineAndCharacterOfPosition(argument.getEnd()).line - first + 1;
        if (lines > limit) found.push({ line: first + 1, name: ".action", lines });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}
