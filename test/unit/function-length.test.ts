/**
 * No function in release/src spans more than 60 lines unless its leading comment says why it is
 * one function, in a sentence starting `Kept whole:`.
 *
 * Function-like here: function declarations, methods, constructors, get/set accessors, arrow
 * functions and function expressions; a function's span is its first line to its last, inclusive
 * (its leading comment aside). The comment read is the one leading the function; for an arrow
 * function or function expression it may also lead what the function is the value of (its
 * `const` statement, object property or class property), and for one passed as a call argument
 * it is the comment just before the argument. A nested function is measured on its own, and its
 * lines count toward its parent too.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { KEPT_WHOLE, longActionCallbacks, longFunctionsWithoutReason } from "../support/long-functions.js";
import { repoRoot } from "../support/tools.js";

const LIMIT = 60;
/** A command's action callback builds the request, calls the command's function and renders. */
const ACTION_LIMIT = 12;

/** The TypeScript sources under `folder` (repository-relative), declaration files aside. */
function sources(folder: string): string[] {
  return readdirSync(join(repoRoot, folder), { withFileTypes: true }).flatMap((entry) => {
    const path = `${folder}/${entry.name}`;
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

const files = sources("release/src");

describe("the functions of release/src", () => {
  it("are read from every source file", () => {
    expect(files.length).toBeGreaterThan(100);
  });

  it(`span at most ${LIMIT} lines, or say why they are kept whole`, () => {
    const offenders = files.flatMap((file) =>
      longFunctionsWithoutReason(file, readFileSync(join(repoRoot, file), "utf8"), LIMIT).map(
        (found) => `${file}:${found.line} ${found.name} (${found.lines} lines)`,
      ),
    );
    expect(
      offenders,
      `split each into well-named helpers, or say why it is one function in a comment starting \`${KEPT_WHOLE}\``,
    ).toEqual([]);
  });
});

describe("the commands of release/src/cli/commands", () => {
  const commands = files.filter((file) => file.startsWith("release/src/cli/commands/"));

  it("are read", () => {
    expect(commands.length).toBeGreaterThan(15);
  });

  it(`keep their action callbacks to ${ACTION_LIMIT} lines: the work is a plain function`, () => {
    const offenders = commands.flatMap((file) =>
      longActionCallbacks(file, readFileSync(join(repoRoot, file), "utf8"), ACTION_LIMIT).map(
        (found) => `${file}:${found.line} (${found.lines} lines)`,
      ),
    );
    expect(
      offenders,
      "move the work into a plain function taking a typed request, and the output into a renderer (docs/architecture.md, Commands)",
    ).toEqual([]);
  });

  it("reports a long action callback, and not a short one or another call's", () => {
    const lines = (n: number) => Array.from({ length: n - 2 }, (_, i) => `  step(${i});`).join("\n");
    const source = [
      `cmd.action(async () => {\n${lines(13)}\n});`,
      `cmd.action(async () => {\n${lines(12)}\n});`,
      `cmd.hook(async () => {\n${lines(20)}\n});`,
    ].join("\n");
    expect(longActionCallbacks("fixture.ts", source, ACTION_LIMIT)).toEqual([
      { line: 1, name: ".action", lines: 13 },
    ]);
  });
});

describe("the check is not vacuous", () => {
  const body = (lines: number) => Array.from({ length: lines - 2 }, (_, i) => `  step(${i});`).join("\n");
  const find = (source: string) => longFunctionsWithoutReason("fixture.ts", source, LIMIT);

  it("reports a long function, method, constructor, accessor and arrow without a reason", () => {
    const source = [
      `export function long() {\n${body(61)}\n}`,
      `function short() {\n${body(60)}\n}`,
      `class C {\n  constructor() {\n${body(61)}\n  }\n  get g() {\n${body(61)}\n  }\n  m() {\n${body(61)}\n  }\n}`,
      `const arrow = () => {\n${body(61)}\n};`,
      `run(function () {\n${body(61)}\n});`,
    ].join("\n");
    expect(find(source)).toEqual([
      { line: 1, name: "long", lines: 61 },
      { line: 123, name: "constructor", lines: 61 },
      { line: 184, name: "g", lines: 61 },
      { line: 245, name: "m", lines: 61 },
      { line: 307, name: "arrow", lines: 61 },
      { line: 368, name: "(anonymous)", lines: 61 },
    ]);
  });

  it("accepts a long function whose leading comment says why it is kept whole", () => {
    const source = [
      `/** Lexes one line. Kept whole: one loop over the characters with its state in locals. */\nfunction lex() {\n${body(61)}\n}`,
      `// Kept whole: the steps share the open handles.\nexport const run = async () => {\n${body(61)}\n};`,
      `const table = {\n  // Kept whole: one switch over the kinds.\n  render: () => {\n${body(61)}\n  },\n};`,
      `go(\n  // Kept whole: one transaction.\n  () => {\n${body(61)}\n  },\n);`,
    ].join("\n");
    expect(find(source)).toEqual([]);
  });

  it("wants a reason after the marker", () => {
    expect(find(`// Kept whole:\nfunction f() {\n${body(61)}\n}`)).toEqual([
      { line: 2, name: "f", lines: 61 },
    ]);
  });
});
