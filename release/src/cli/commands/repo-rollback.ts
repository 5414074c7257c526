import type { Command } from "commander";
import { parseCdnTarget } from "../../cdn/cdn.js";
import { ReleaseError } from "../../errors.js";
import { applyRollback, planRollback } from "../../publish/rollback.js";
import type { CliContext } from "../context.js";
import { parseDuration } from "../duration.js";
import { addS3Options, requestTimeoutMs, type S3Flags, storeFor } from "../options.js";
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

/** The index and the root (which CloudFront answers with the index) are all a rollback changes. */
const ROLLBACK_INVALIDATION_PATHS = ["/index.yaml", "/"];

export function registerRepoRollback(repo: Command, context: CliContext): void {
  const command = repo
    .command("rollback")
    .description(
      "restore an earlier index.yaml of a versioned S3 repository, written with If-Match so a concurrent publish is never undone",
    )
    .requiredOption("--repo <s3 url>", "the repository: s3://<bucket>[/<prefix>] (a versioned bucket)")
    .option("--to <version id>", "the index.yaml version to restore (default: the one before the current)")
    .option("--cdn <cdn>", "CDN to invalidate after the write: cloudfront:<distribution id>")
    .option("--wait", "with --cdn: wait until the invalidation is complete")
    .option("--wait-timeout <duration>", "how long --wait waits", "15m")
    .option("--dry-run", "show the history and what would change, and write nothing")
    .option("--json", "print the plan as JSON");
  addS3Options(command).action(async (flags: RollbackFlags) => {
    const output = commandOutput(context, flags);
    if (!flags.repo.startsWith("s3://")) {
      throw new ReleaseError("USAGE", `${flags.repo} keeps no earlier versions of index.yaml`, {
        field: "--repo",
        fix: "give s3://<bucket>[/<prefix>] of a versioned bucket; a directory repository is repaired with `repo reindex`",
      });
    }
    const cdnTarget = flags.cdn === undefined ? undefined : parseCdnTarget(flags.cdn);
    const waitMs = parseDuration(flags.waitTimeout, "--wait-timeout");
    const store = await storeFor(flags.repo, context.cwd, flags);
    const [{ S3ObjectHistory }, { S3Store }] = await Promise.all([
      import("../../storage/s3-object-history.js"),
      import("../../storage/s3-store.js"),
    ]);
    if (!(store instanceof S3Store)) throw new Error("an s3:// repository always has an S3 store");
    const planned = await planRollback(store, new S3ObjectHistory(store.client, store.where), {
      ...(flags.to === undefined ? {} : { to: flags.to }),
    });
    const { plan } = planned;
    let invalidation: string | undefined;
    if (flags.dryRun !== true) {
      await applyRollback(store, planned);
      output.progress(`restored version ${plan.target.versionId} of ${plan.repository}/index.yaml`);
      if (cdnTarget !== undefined) {
        const [{ CloudFrontCdn }, { cloudFrontClient }] = await Promise.all([
          import("../../cdn/cloudfront.js"),
          import("../aws-clients.js"),
        ]);
        const cdn = new CloudFrontCdn(
          cloudFrontClient({ requestTimeoutMs: requestTimeoutMs(flags) }),
          cdnTarget.distributionId,
        );
        const created = await cdn.invalidate(
          ROLLBACK_INVALIDATION_PATHS,
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
