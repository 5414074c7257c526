/**
 * The one place that turns a command's outcome into an exit code and an error report:
 * 0 success, 1 a failure it explains, 2 bad usage. Commands never exit the process themselves.
 */
import { Command, CommanderError } from "commander";
import { ReleaseError } from "../errors.js";
import { registerChartPackage } from "./commands/chart-package.js";
import { registerChartPublish } from "./commands/chart-publish.js";
import { registerImageBuild } from "./commands/image-build.js";
import { registerImageLabels } from "./commands/image-labels.js";
import { registerImageTags } from "./commands/image-tags.js";
import { registerImageVerify } from "./commands/image-verify.js";
import { registerImageWait } from "./commands/image-wait.js";
import { registerReleaseCheck } from "./commands/release-check.js";
import { registerRepoReindex } from "./commands/repo-reindex.js";
import { registerRepoServe } from "./commands/repo-serve.js";
import { registerRepoVerify } from "./commands/repo-verify.js";
import type { CliContext } from "./context.js";

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export function buildProgram(context: CliContext, version: string): Command {
  const program = new Command("kube9-release")
    .description(
      "Distribution toolkit of kube9-operator: package, publish, serve and verify its Helm chart repository",
    )
    .version(version, "-V, --tool-version", "print the version of kube9-release")
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ writeOut: context.stdout, writeErr: context.stderr })
    .exitOverride();
  const chart = program.command("chart").description("chart packaging and publishing").exitOverride();
  registerChartPackage(chart, context);
  registerChartPublish(chart, context);
  const repo = program
    .command("repo")
    .description("chart repositories: serve, verify and repair")
    .exitOverride();
  registerRepoServe(repo, context);
  registerRepoVerify(repo, context);
  registerRepoReindex(repo, context);
  const image = program
    .command("image")
    .description("the operator image: daemonless build, tags, labels, anonymous registry verification")
    .exitOverride();
  registerImageBuild(image, context);
  registerImageTags(image, context);
  registerImageLabels(image, context);
  registerImageVerify(image, context);
  registerImageWait(image, context);
  const release = program
    .command("release")
    .description("release consistency: tag, chart version, appVersion, image tag")
    .exitOverride();
  registerReleaseCheck(release, context);
  for (const group of [chart, repo, image, release]) {
    group
      .configureOutput({ writeOut: context.stdout, writeErr: context.stderr })
      .showHelpAfterError("(run with --help for usage)");
    for (const command of group.commands) {
      command
        .configureOutput({ writeOut: context.stdout, writeErr: context.stderr })
        .exitOverride()
        .showHelpAfterError("(run with --help for usage)");
    }
  }
  return program;
}

export async function runCli(context: CliContext, version: string): Promise<number> {
  const program = buildProgram(context, version);
  const json = context.argv.includes("--json");
  try {
    await program.parseAsync(context.argv, { from: "user" });
    return EXIT_OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed the message (or the help it was asked for).
      if (
        error.code === "commander.helpDisplayed" ||
        error.code === "commander.version" ||
        error.code === "commander.help"
      )
        return EXIT_OK;
      if (error.code === "commander.executeSubCommandAsync") return EXIT_FAILURE;
      return EXIT_USAGE;
    }
    if (error instanceof ReleaseError) {
      if (json) context.stdout(`${JSON.stringify({ error: error.toJSON() }, null, 2)}\n`);
      context.stderr(`error: ${error.describe()}\n`);
      return error.code === "USAGE" ? EXIT_USAGE : EXIT_FAILURE;
    }
    // Not an error we explain: a bug. Keep the stack so it can be reported.
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    if (json)
      context.stdout(`${JSON.stringify({ error: { code: "INTERNAL", message: String(error) } }, null, 2)}\n`);
    context.stderr(`internal error (please report it): ${text}\n`);
    return EXIT_FAILURE;
  }
}
