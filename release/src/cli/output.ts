/**
 * How results leave a command: a human text or, with --json, one JSON document on stdout.
 * Progress goes to stderr. Inside GitHub Actions a Markdown summary is appended to
 * $GITHUB_STEP_SUMMARY.
 */
import { appendFileSync } from "node:fs";
import { githubOutputPath } from "../image/github-output.js";
import type { CliContext } from "./context.js";

export interface OutputOptions {
  json?: boolean;
  /** --github-output: checked here, when the command starts, so that nothing is done first. */
  githubOutput?: boolean;
}

/** A command's result in every form it is shown: --json, people, and the GitHub job summary. */
export interface Rendering {
  data: unknown;
  human: string;
  summary?: string;
}

export interface CommandOutput {
  /** A line of progress on stderr. */
  progress: (line: string) => void;
  /** The command's result: `human` for people, `data` for --json. */
  result: (data: unknown, human: string) => void;
  /** Markdown for the GitHub Actions job summary, when running there. */
  summary: (markdown: string) => void;
  /** The result and, when it has one, the summary. */
  render: (rendering: Rendering) => void;
}

export function commandOutput(context: CliContext, options: OutputOptions): CommandOutput {
  if (options.githubOutput === true) githubOutputPath(context.env);
  const output: CommandOutput = {
    progress: (line) => context.stderr(`${line}\n`),
    result: (data, human) => {
      if (options.json === true) context.stdout(`${JSON.stringify(data, null, 2)}\n`);
      else context.stdout(human.endsWith("\n") ? human : `${human}\n`);
    },
    summary: (markdown) => {
      const path = context.env.GITHUB_STEP_SUMMARY;
      if (path !== undefined && path !== "") appendFileSync(path, `${markdown.trimEnd()}\n\n`);
    },
    render: ({ data, human, summary }) => {
      output.result(data, human);
      if (summary !== undefined) output.summary(summary);
    },
  };
  return output;
}
