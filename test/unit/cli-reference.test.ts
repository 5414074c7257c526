/**
 * docs/cli.md and the README's command table are generated from the commander program
 * (release/src/cli/reference.ts). They fail here when a command, argument, option or default
 * changed without `npm run docs:cli`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { beforeAll, describe, expect, it } from "vitest";
import {
  programDefinitions,
  README_TABLE_END,
  README_TABLE_START,
  REGENERATE,
  renderCliReference,
  renderReadmeTable,
  withReadmeTable,
} from "../../release/src/cli/reference.js";
import { shellBlocks } from "../support/doc-blocks.js";
import { repoRoot } from "../support/tools.js";

let program: Command;
beforeAll(async () => {
  program = await programDefinitions();
});

const read = (file: string) => readFileSync(join(repoRoot, file), "utf8");
const leaves = () =>
  program.commands.flatMap((group) => group.commands.map((command) => ({ group, command })));

describe("the generated CLI reference", () => {
  it("docs/cli.md is what the commands define", () => {
    expect(
      read("docs/cli.md") === renderCliReference(program),
      `docs/cli.md is stale: run ${REGENERATE}`,
    ).toBe(true);
  });

  it("the README's command table is what the commands define", () => {
    const readme = read("README.md");
    expect(
      withReadmeTable(readme, renderReadmeTable(program)) === readme,
      `the command table of README.md is stale: run ${REGENERATE}`,
    ).toBe(true);
  });

  it("names every command, and every option of each with its default, as --help does", () => {
    const doc = renderCliReference(program);
    const table = renderReadmeTable(program);
    expect(leaves().length).toBeGreaterThanOrEqual(15);
    for (const { group, command } of leaves()) {
      const path = `${group.name()} ${command.name()}`;
      expect(doc).toContain(`## ${path}\n`);
      expect(table).toContain(`| \`${path}`);
      const help = command.helpInformation().replace(/\s+/g, " ");
      for (const option of command.options) {
        expect(help, path).toContain(option.flags);
        const flagCell = `\\| \`${escapeRegExp(option.flags)}\` +\\|`;
        expect(doc, `${path} ${option.flags}`).toMatch(new RegExp(flagCell));
        if (typeof option.defaultValue === "string" && !option.negate) {
          expect(help).toContain(`(default: "${option.defaultValue}")`);
          expect(doc).toMatch(new RegExp(`${flagCell} ${escapeRegExp(escapeCell(option.description))}`));
          expect(doc).toMatch(
            new RegExp(`${flagCell}[^\\n]*\\| \`${escapeRegExp(option.defaultValue)}\` +\\|`),
          );
        }
      }
    }
  });

  it("keeps <placeholders> visible in markdown: escaped in text, as written in code", () => {
    const doc = renderCliReference(program);
    expect(doc).toContain("| `<chart>` | chart directory, or a packaged &lt;name&gt;-&lt;version&gt;.tgz |");
    expect(doc).not.toMatch(/^[^`\n]*[^`&]<name>/m);
  });

  it("has no shell block (docs.test.ts would require a marker on it)", () => {
    expect(shellBlocks(renderCliReference(program), "docs/cli.md")).toEqual([]);
  });
});

describe("withReadmeTable", () => {
  const table = "| command | does |\n| --- | --- |\n| `a b` | c |";

  it("replaces what is between the markers and nothing else", () => {
    const readme = `before\n${README_TABLE_START}\nold table\n${README_TABLE_END}\nafter\n`;
    expect(withReadmeTable(readme, table)).toBe(
      `before\n${README_TABLE_START}\n\n${table}\n\n${README_TABLE_END}\nafter\n`,
    );
  });

  it.each([
    ["no markers", "just text\n"],
    ["only the start", `${README_TABLE_START}\n`],
    ["the end first", `${README_TABLE_END}\n${README_TABLE_START}\n`],
  ])("refuses a README with %s, naming the markers", (_label, readme) => {
    expect(() => withReadmeTable(readme, table)).toThrow(README_TABLE_START);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/>/g, "&gt;").split("`")[0] ?? "";
}
