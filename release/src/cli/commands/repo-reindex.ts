import type { Command } from "commander";
import { applyReindex, planReindex } from "../../publish/reindex.js";
import { DEFAULT_BACKENDS } from "../composition.js";
import type { CliContext } from "../context.js";
import { DEFAULT_REPO_DIR } from "../defaults.js";
import { addS3Options, repositoryUrl, type S3Flags } from "../options.js";
import { commandOutput } from "../output.js";

interface ReindexFlags extends S3Flags {
  repo: string;
  url?: string;
  dryRun?: boolean;
  json?: boolean;
}

export function registerRepoReindex(repo: Command, context: CliContext): void {
  const command = repo
    .command("reindex")
    .description(
      "rebuild index.yaml from the stored archives, keeping every known `created` time (the way out of a lost or corrupt index)",
    )
    .option(
      `--repo ${DEFAULT_BACKENDS.repoPlaceholder()}`,
      `repository to rebuild: ${DEFAULT_BACKENDS.repoHelp()}`,
      DEFAULT_REPO_DIR,
    )
    .option("--url <url>", "public base URL for the URLs of versions the current index does not know")
    .option("--dry-run", "show what would change and write nothing")
    .option("--json", "print the plan as JSON");
  addS3Options(command).action(async (flags: ReindexFlags) => {
    const output = commandOutput(context, flags);
    const { store } = await DEFAULT_BACKENDS.openRepository(flags.repo, { cwd: context.cwd, flags });
    const baseUrl = flags.url === undefined ? undefined : repositoryUrl(flags.url, "--url");
    const reindexed = await planReindex(store, {
      now: context.now,
      ...(baseUrl === undefined ? {} : { baseUrl }),
    });
    const { plan } = reindexed;
    if (flags.dryRun !== true) await applyReindex(store, reindexed, context.now);
    const lines = [
      `${flags.dryRun === true ? "Would rebuild" : "Rebuilt"} ${plan.repository}/index.yaml (current index: ${plan.currentIndex})`,
      ...(plan.currentIndexProblem === undefined
        ? []
        : [`  current index problem: ${plan.currentIndexProblem}`]),
      ...plan.added.map((name) => `  + ${name}`),
      ...plan.removed.map((name) => `  - ${name} (no archive stored)`),
      `  ${plan.kept.length} version(s) kept with their created time`,
      ...plan.skipped.map((skip) => `  ! skipped ${skip.key}: ${skip.reason}`),
    ];
    output.result({ dryRun: flags.dryRun === true, plan }, lines.join("\n"));
  });
}
