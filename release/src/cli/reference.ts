/**
 * The CLI reference, generated from the commander program itself (run.ts builds it): docs/cli.md
 * and the README's command table. `npm run docs:cli` writes both (scripts/docs-cli.mjs);
 * test/unit/cli-reference.test.ts fails when either differs from what the commands define. Pure:
 * text in, text out.
 */
import type { Argument, Command, Option } from "commander";
import { buildProgram, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from "./run.js";

/** The command that rewrites both files, for the generated header and the stale-file message. */
export const REGENERATE = "npm run docs:cli";

export const README_TABLE_START =
  "<!-- cli-table: generated from the commands' definitions by `npm run docs:cli`; edit the commands, not this table -->";
export const README_TABLE_END = "<!-- cli-table: end -->";

/** Commander's own width when nothing is a terminal, so the help text is the same everywhere. */
const HELP_WIDTH = 80;

/**
 * The program users run, every group loaded, with a context that touches nothing: only its
 * definitions are read.
 */
export function programDefinitions(): Promise<Command> {
  return buildProgram(
    {
      argv: [],
      env: {},
      cwd: ".",
      stdout: () => {},
      stderr: () => {},
      now: () => new Date(0),
      untilInterrupted: async () => {},
    },
    "0.0.0",
  );
}

/** Every command under a group (`chart publish`...), in help order. */
function leafCommands(program: Command): Array<{ group: Command; command: Command }> {
  return program.commands.flatMap((group) => group.commands.map((command) => ({ group, command })));
}

function commandPath(group: Command, command: Command): string {
  return `${group.name()} ${command.name()}`;
}

/** `<dir>`, `[dir]`, `<tags...>`: as commander's usage line writes an argument. */
function argumentUsage(argument: Argument): string {
  const name = `${argument.name()}${argument.variadic ? "..." : ""}`;
  return argument.required ? `<${name}>` : `[${name}]`;
}

/** The default commander's help shows for an option or argument, or undefined. */
function defaultOf(item: { defaultValue?: unknown; defaultValueDescription?: string }): string | undefined {
  if (item.defaultValueDescription !== undefined) return item.defaultValueDescription;
  if (item.defaultValue === undefined) return undefined;
  return typeof item.defaultValue === "string" ? item.defaultValue : JSON.stringify(item.defaultValue);
}

/**
 * Text for a markdown table cell or paragraph: one line, no cell break, and no `<name>` read as
 * HTML (outside code spans, which show it as written).
 */
function inline(text: string): string {
  return text
    .replace(/\s*\n\s*/g, " ")
    .replace(/\|/g, "\\|")
    .split(/(`[^`]*`)/)
    .map((part) => (part.startsWith("`") ? part : part.replace(/</g, "&lt;").replace(/>/g, "&gt;")))
    .join("");
}

function code(text: string): string {
  return `\`${text.replace(/\|/g, "\\|")}\``;
}

/** The arguments and the options a user must give: what a table row names. */
function synopsis(group: Command, command: Command): string {
  const required = command.options
    .filter((option) => option.mandatory)
    .map((option) => `${option.long ?? option.flags} ${option.flags.replace(/^.*?(?=[<[])/, "")}`);
  return [commandPath(group, command), ...command.registeredArguments.map(argumentUsage), ...required].join(
    " ",
  );
}

/**
 * A Markdown table with its columns padded as the repository's formatter (biome) writes them, so
 * that the generated files pass `biome check` unchanged.
 */
function markdownTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, i) =>
    Math.max(3, [...title].length, ...rows.map((row) => [...(row[i] ?? "")].length)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((cell, i) => cell + " ".repeat((widths[i] ?? 0) - [...cell].length)).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)];
}

function optionRow(option: Option): string[] {
  const fallback = option.negate ? undefined : defaultOf(option);
  const notes = [
    ...(option.mandatory ? ["required"] : []),
    ...(option.argChoices === undefined ? [] : [`one of ${option.argChoices.join(", ")}`]),
  ];
  const description = [option.description, ...notes].filter((part) => part !== "").join("; ");
  return [code(option.flags), inline(description), fallback === undefined ? "" : code(fallback)];
}

function argumentRow(argument: Argument): string[] {
  const fallback = defaultOf(argument);
  return [
    code(argumentUsage(argument)),
    inline(argument.description),
    fallback === undefined ? "" : code(fallback),
  ];
}

/** What `--help` prints after the option list (addHelpText), captured as commander writes it. */
function helpAfterOptions(command: Command): string {
  let written = "";
  const restore = command.configureOutput();
  command.configureOutput({
    ...restore,
    writeOut: (text) => {
      written += text;
    },
    getOutHelpWidth: () => HELP_WIDTH,
    getOutHasColors: () => false,
  });
  try {
    const listing = command.helpInformation();
    command.outputHelp();
    return written.startsWith(listing) ? written.slice(listing.length).trim() : "";
  } finally {
    command.configureOutput(restore);
  }
}

function commandSection(group: Command, command: Command): string[] {
  const path = commandPath(group, command);
  const after = helpAfterOptions(command);
  return [
    `## ${path}`,
    "",
    inline(command.description()),
    "",
    `Usage: ${code(`kube9-release ${path} [options] ${command.registeredArguments.map(argumentUsage).join(" ")}`.trimEnd())}`,
    "",
    ...(command.registeredArguments.length === 0
      ? []
      : [
          ...markdownTable(["argument", "meaning", "default"], command.registeredArguments.map(argumentRow)),
          "",
        ]),
    ...markdownTable(["option", "meaning", "default"], command.options.map(optionRow)),
    "",
    ...(after === "" ? [] : ["```text", after, "```", ""]),
  ];
}

/** docs/cli.md: every command with its arguments, options and defaults, and the exit codes. */
export function renderCliReference(program: Command): string {
  const commands = leafCommands(program);
  const lines = [
    "# kube9-release command reference",
    "",
    `<!-- Generated from the commands' definitions (release/src/cli/reference.ts) by \`${REGENERATE}\`; edit the commands, not this file. -->`,
    "",
    inline(program.description()),
    "",
    `Exit codes, for every command (release/src/cli/run.ts): ${EXIT_OK} success, ${EXIT_FAILURE} a failure it`,
    `explains (the file, the field and the fix), ${EXIT_USAGE} bad usage. Every command also takes`,
    "`-h, --help`; `kube9-release -V` prints the tool's version.",
    "",
    ...commands.map(
      ({ group, command }) =>
        `- [${commandPath(group, command)}](#${commandPath(group, command).replace(" ", "-")}): ${inline(command.description())}`,
    ),
    "",
    ...commands.flatMap(({ group, command }) => commandSection(group, command)),
  ];
  return `${lines.join("\n").trimEnd()}\n`;
}

/** The README's command table: one row per command, its arguments and required options. */
export function renderReadmeTable(program: Command): string {
  return markdownTable(
    ["command", "does"],
    leafCommands(program).map(({ group, command }) => [
      code(synopsis(group, command)),
      inline(command.description()),
    ]),
  ).join("\n");
}

/**
 * `readme` with the text between the table markers replaced by `table`. Throws when the markers
 * are missing or out of order: the README must say where the generated part goes.
 */
export function withReadmeTable(readme: string, table: string): string {
  const start = readme.indexOf(README_TABLE_START);
  const end = readme.indexOf(README_TABLE_END);
  if (start === -1 || end === -1 || end < start) {
    throw new Error(
      `README.md needs the lines ${README_TABLE_START} and ${README_TABLE_END}, in that order, around the command table`,
    );
  }
  return `${readme.slice(0, start + README_TABLE_START.length)}\n\n${table}\n\n${readme.slice(end)}`;
}
