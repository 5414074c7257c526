import type { Command } from "commander";
import { applyReindex, planReindex, type ReindexPlan } from "../../publish/reindex.js";
import type { Store } from "../../storage/store.js";
import { DEFAULT_BACKENDS } from "../composition.js";
import type { CliContext } from "../context.js";
import { DEFAULT_REPO_DIR } from "../defaults.js";
import { addS3Options, repositoryUrl, type S3Flags } from "../options.js";
import { commandOutput, type Rendering } from "../output.js";

export interface ReindexFlags extends S3Flags {
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
    const outcome = await repoReindex(await reindexRequest(flags, context), context.now);
    output.render(renderRepoReindex(outcome));
  });
}

export interface RepoReindexRequest {
  store: Store;
  baseUrl?: string;
  dryRun: boolean;
}

/** The flags as a typed request: the repository opened (nothing read yet) and --url checked. */
export async function reindexRequest(flags: ReindexFlags, context: CliContext): Promise<RepoReindexRequest> {
  const { store } = await DEFAULT_BACKENDS.openRepository(flags.repo, { cwd: context.cwd, flags });
  const baseUrl = flags.url === undefined ? undefined : repositoryUrl(flags.url, "--url");
  return { store, ...(baseUrl === undefined ? {} : { baseUrl }), dryRun: flags.dryRun === true };
}

export interface RepoReindexOutcome {
  dryRun: boolean;
  plan: ReindexPlan;
}

/** `repo reindex` as a plain function: index.yaml rebuilt from the stored archives, unless a dry run. */
export async function repoReindex(request: RepoReindexRequest, now: () => Date): Promise<RepoReindexOutcome> {
  const { store, baseUrl } = request;
  const reindexed = await planReindex(store, { now, ...(baseUrl === undefined ? {} : { baseUrl }) });
  if (!request.dryRun) await applyReindex(store, reindexed, now);
  return { dryRun: request.dryRun, plan: reindexed.plan };
}

export function renderRepoReindex({ dryRun, plan }: RepoReindexOutcome): Rendering {
  return {
    data: { dryRun, plan },
    human: [
      `${dryRun ? "Would rebuild" : "Rebuilt"} ${plan.repository}/index.yaml (current index: ${plan.currentIndex})`,
      ...(plan.currentIndexProblem === undefined
        ? []
        : [`  current index problem: ${plan.currentIndexProblem}`]),
      ...plan.added.map((name) => `  + ${name}`),
      ...plan.removed.map((name) => `  - ${name} (no archive stored)`),
      `  ${plan.kept.length} version(s) kept with their created time`,
      ...plan.skipped.map((skip) => `  ! skipped ${skip.key}: ${skip.reason}`),
    ].join("\n"),
  };
}
