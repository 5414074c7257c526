import type { Command } from "commander";
import {
  INVALIDATION_WAIT_TIMEOUT_SECONDS,
  ROLLBACK_INVALIDATION_PATHS,
} from "../../policy/repository-policy.js";
import { applyRollback, planRollback, type RollbackPlan } from "../../publish/rollback.js";
import {
  type BackendSettings,
  type CdnTarget,
  DEFAULT_BACKENDS,
  type VersionedRepository,
} from "../composition.js";
import type { CliContext } from "../context.js";
import { formatDuration, parseDuration } from "../duration.js";
import { addS3Options, type S3Flags } from "../options.js";
import { commandOutput, type Rendering } from "../output.js";

export interface RollbackFlags extends S3Flags {
  repo: string;
  to?: string;
  cdn?: string;
  wait?: boolean;
  waitTimeout: string;
  dryRun?: boolean;
  json?: boolean;
}

export function registerRepoRollback(repo: Command, context: CliContext): void {
  const command = repo
    .command("rollback")
    .description(
      "restore an earlier index.yaml of a versioned S3 repository, written with If-Match so a concurrent publish is never undone",
    )
    .requiredOption(
      `--repo ${DEFAULT_BACKENDS.repoPlaceholder(true)}`,
      `the repository: ${DEFAULT_BACKENDS.repoHelp(true)} (a versioned bucket)`,
    )
    .option("--to <version id>", "the index.yaml version to restore (default: the one before the current)")
    .option("--cdn <cdn>", `CDN to invalidate after the write: ${DEFAULT_BACKENDS.cdnHelp()}`)
    .option("--wait", "with --cdn: wait until the invalidation is complete")
    .option(
      "--wait-timeout <duration>",
      "how long --wait waits",
      formatDuration(INVALIDATION_WAIT_TIMEOUT_SECONDS),
    )
    .option("--dry-run", "show the history and what would change, and write nothing")
    .option("--json", "print the plan as JSON");
  addS3Options(command).action(async (flags: RollbackFlags) => {
    const output = commandOutput(context, flags);
    const outcome = await repoRollback(await rollbackRequest(flags, context), context.now, output.progress);
    output.render(renderRepoRollback(outcome));
  });
}

export interface RepoRollbackRequest {
  repository: VersionedRepository;
  /** What opening a CDN client needs (region, endpoint, timeouts from the flags). */
  backendSettings: BackendSettings;
  to?: string;
  cdn?: { target: CdnTarget; wait: boolean; timeoutMs: number };
  dryRun: boolean;
}

/** The flags as a typed request: a repository without history is refused before anything else. */
export async function rollbackRequest(
  flags: RollbackFlags,
  context: CliContext,
): Promise<RepoRollbackRequest> {
  const versioned = DEFAULT_BACKENDS.versionedBackend(flags.repo);
  const target = flags.cdn === undefined ? undefined : DEFAULT_BACKENDS.cdnTarget(flags.cdn);
  const timeoutMs = parseDuration(flags.waitTimeout, "--wait-timeout");
  const backendSettings = { cwd: context.cwd, flags };
  return {
    repository: await versioned.openVersioned(flags.repo, backendSettings),
    backendSettings,
    ...(flags.to === undefined ? {} : { to: flags.to }),
    ...(target === undefined ? {} : { cdn: { target, wait: flags.wait === true, timeoutMs } }),
    dryRun: flags.dryRun === true,
  };
}

export interface RepoRollbackOutcome {
  dryRun: boolean;
  plan: RollbackPlan;
  /** The id of the CDN invalidation made after the write. */
  invalidation?: string;
}

/** `repo rollback` as a plain function: the earlier index.yaml planned and, unless a dry run, written back. */
export async function repoRollback(
  request: RepoRollbackRequest,
  now: () => Date,
  progress: (line: string) => void,
): Promise<RepoRollbackOutcome> {
  const { store, history } = request.repository;
  const planned = await planRollback(store, history, {
    ...(request.to === undefined ? {} : { to: request.to }),
  });
  const { plan } = planned;
  if (request.dryRun) return { dryRun: true, plan };
  await applyRollback(store, planned);
  progress(`restored version ${plan.target.versionId} of ${plan.repository}/index.yaml`);
  if (request.cdn === undefined) return { dryRun: false, plan };
  const cdn = await request.cdn.target.connect(request.backendSettings);
  const created = await cdn.invalidate(
    [...ROLLBACK_INVALIDATION_PATHS],
    `rollback-${plan.target.versionId}-${now().getTime()}`,
  );
  if (request.cdn.wait) await cdn.waitForCompletion(created.id, request.cdn.timeoutMs);
  return { dryRun: false, plan, invalidation: created.id };
}

export function renderRepoRollback({ dryRun, plan, invalidation }: RepoRollbackOutcome): Rendering {
  const verb = dryRun ? "Would restore" : "Restored";
  return {
    data: { dryRun, plan, ...(invalidation === undefined ? {} : { invalidation }) },
    human: [
      `${verb} index.yaml version ${plan.target.versionId} (${plan.target.lastModified}) in ${plan.repository}`,
      `  current: ${plan.current === undefined ? "absent" : `${plan.current.versionId} (${plan.current.lastModified})`}`,
      ...plan.removed.map((v) => `  - ${v} (its archive stays stored)`),
      ...plan.restored.map((v) => `  + ${v}`),
      ...(invalidation === undefined
        ? []
        : [`  invalidated ${ROLLBACK_INVALIDATION_PATHS.join(",")}: ${invalidation}`]),
      "History of index.yaml, newest first:",
      ...plan.history.map(
        (v) =>
          `  ${v.versionId}  ${v.lastModified}  ${v.deleted ? "deleted" : `${v.size} bytes`}${v.latest ? "  (current)" : ""}${v.versionId === plan.target.versionId ? "  <- target" : ""}`,
      ),
    ].join("\n"),
    summary: `### repo rollback\n\n${verb} \`index.yaml\` version \`${plan.target.versionId}\`: ${plan.removed.length} version(s) removed, ${plan.restored.length} restored.`,
  };
}
