import type { Command } from "commander";
import {
  INVALIDATION_WAIT_TIMEOUT_SECONDS,
  ROLLBACK_INVALIDATION_PATHS,
} from "../../policy/repository-policy.js";
import { applyRollback, planRollback } from "../../publish/rollback.js";
import { DEFAULT_BACKENDS } from "../composition.js";
import type { CliContext } from "../context.js";
import { formatDuration, parseDuration } from "../duration.js";
import { addS3Options, type S3Flags } from "../options.js";
import { commandOutput } from "../output.js";

interface RollbackFlags extends S3Flags {
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
    const versioned = DEFAULT_BACKENDS.versionedBackend(flags.repo);
    const cdnTarget = flags.cdn === undefined ? undefined : DEFAULT_BACKENDS.cdnTarget(flags.cdn);
    const waitMs = parseDuration(flags.waitTimeout, "--wait-timeout");
    const settings = { cwd: context.cwd, flags };
    const { store, history } = await versioned.openVersioned(flags.repo, settings);
    const planned = await planRollback(store, history, {
      ...(flags.to === undefined ? {} : { to: flags.to }),
    });
    const { plan } = planned;
    let invalidation: string | undefined;
    if (flags.dryRun !== true) {
      await applyRollback(store, planned);
      output.progress(`restored version ${plan.target.versionId} of ${plan.repository}/index.yaml`);
      if (cdnTarget !== undefined) {
        const cdn = await cdnTarget.connect(settings);
        const created = await cdn.invalidate(
          [...ROLLBACK_INVALIDATION_PATHS],
          `rollback-${plan.target.versionId}-${context.now().getTime()}`,
        );
        invalidation = created.id;
        if (flags.wait === true) await cdn.waitForCompletion(created.id, waitMs);
      }
    }
    const verb = flags.dryRun === true ? "Would restore" : "Restored";
    const lines = [
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
    ];
    output.result(
      { dryRun: flags.dryRun === true, plan, ...(invalidation === undefined ? {} : { invalidation }) },
      lines.join("\n"),
    );
    output.summary(
      `### repo rollback\n\n${verb} \`index.yaml\` version \`${plan.target.versionId}\`: ${plan.removed.length} version(s) removed, ${plan.restored.length} restored.`,
    );
  });
}
