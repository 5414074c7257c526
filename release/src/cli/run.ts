/**
 * The one place that turns a command's outcome into an exit code and an error report:
 * 0 success, 1 a failure it explains, 2 bad usage. Commands never exit the process themselves.
 */
import { Command, CommanderError } from "commander";
import { ReleaseError } from "../errors.js";
import type { CliContext } from "./context.js";
import { refuseEmptyArguments } from "./empty-argument.js";

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

type Register = (group: Command, context: CliContext) => void;

/**
 * The command groups, in help order. A group's commands (and what they import: image builds, the
 * server, the registry client...) are loaded only when the command line names that group, or names
 * none (`--help`, a typo): `chart publish` does not pay for loading `image build`.
 */
const GROUPS: ReadonlyArray<{ name: string; description: string; commands: () => Promise<Register[]> }> = [
  {
    name: "chart",
    description: "chart packaging and publishing",
    commands: async () => {
      const [pack, publish] = await Promise.all([
        import("./commands/chart-package.js"),
        import("./commands/chart-publish.js"),
      ]);
      return [pack.registerChartPackage, publish.registerChartPublish];
    },
  },
  {
    name: "repo",
    description: "chart repositories: serve, verify, repair and roll back",
    commands: async () => {
      const [serve, verify, reindex, rollback] = await Promise.all([
        import("./commands/repo-serve.js"),
        import("./commands/repo-verify.js"),
        import("./commands/repo-reindex.js"),
        import("./commands/repo-rollback.js"),
      ]);
      return [
        serve.registerRepoServe,
        verify.registerRepoVerify,
        reindex.registerRepoReindex,
        rollback.registerRepoRollback,
      ];
    },
  },
  {
    name: "image",
    description:
      "the operator image: daemonless build, vulnerability scan, push, SBOM, signature, tags, labels, anonymous registry verification",
    commands: async () => {
      const [build, scan, push, sbom, sign, tags, labels, verify, wait] = await Promise.all([
        import("./commands/image-build.js"),
        import("./commands/image-scan.js"),
        import("./commands/image-push.js"),
        import("./commands/image-sbom.js"),
        import("./commands/image-sign.js"),
        import("./commands/image-tags.js"),
        import("./commands/image-labels.js"),
        import("./commands/image-verify.js"),
        import("./commands/image-wait.js"),
      ]);
      return [
        build.registerImageBuild,
        scan.registerImageScan,
        push.registerImagePush,
        sbom.registerImageSbom,
        sign.registerImageSign,
        tags.registerImageTags,
        labels.registerImageLabels,
        verify.registerImageVerify,
        wait.registerImageWait,
      ];
    },
  },
  {
    name: "release",
    description:
      "releases: consistency of a tag and its chart, and a local rehearsal of the release workflows",
    commands: async () => {
      const [check, rehearse] = await Promise.all([
        import("./commands/release-check.js"),
        import("./commands/release-rehearse.js"),
      ]);
      return [check.registerReleaseCheck, rehearse.registerReleaseRehearse];
    },
  },
];

export async function buildProgram(context: CliContext, version: string): Promise<Command> {
  const program = new Command("kube9-release")
    .description(
      "Distribution toolkit of kube9-operator: package, publish, serve and verify its Helm chart repository",
    )
    .version(version, "-V, --tool-version", "print the version of kube9-release")
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ writeOut: context.stdout, writeErr: context.stderr })
    .exitOverride();
  const first = context.argv[0];
  const named = GROUPS.some((g) => g.name === first);
  for (const g of GROUPS) {
    const group = program.command(g.name).description(g.description).exitOverride();
    if (!named || g.name === first) {
      for (const register of await g.commands()) register(group, context);
    }
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
  const program = await buildProgram(context, version);
  const json = context.argv.includes("--json");
  try {
    refuseEmptyArguments(context.argv);
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
