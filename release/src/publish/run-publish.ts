/**
 * The publish pipeline of docs/architecture.md once planned (step 3): steps 4-6 (applyPublish), 7
 * (CDN invalidation, optionally waited for) and 8 (verification of what users get, retried until it
 * is visible or the time is up). The CLI assembles the store, the CDN and the reader; this module
 * only orders the steps and measures them.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Cdn, Invalidation } from "../cdn/cdn.js";
import { isReleaseError } from "../errors.js";
import { parseIndex } from "../repo/parse/parse-index.js";
import type { Store } from "../storage/store.js";
import type { PackagedChart } from "./chart-source.js";
import type { Planned } from "./plan.js";
import { type ApplyResult, applyPublish, type SignedObjects } from "./publish-chart.js";
import type { RepositoryReader } from "./repository-reader.js";
import { type IndexParser, type VerifyResult, verifyPublished } from "./verify.js";

export interface RunPublishOptions {
  now: () => Date;
  log: (line: string) => void;
  cdn?: { cdn: Cdn; paths: string[]; wait: boolean; timeoutMs: number };
  /** Where step 8 reads from; undefined skips verification. */
  verifyWith?: RepositoryReader;
  /** How long step 8 keeps retrying until the new version is visible. */
  verifyTimeoutMs?: number;
  delay?: (ms: number) => Promise<void>;
  signing?: SignedObjects;
}

export interface RunPublishResult {
  result: ApplyResult;
  invalidation: (Invalidation & { completed: boolean }) | undefined;
  verified: VerifyResult | undefined;
  /** Milliseconds from the index write until the version was visible to users (step 8). */
  visibleAfterMs: number | undefined;
}

export async function runPublish(
  store: Store,
  chart: PackagedChart,
  planned: Planned,
  options: RunPublishOptions,
): Promise<RunPublishResult> {
  const delay = options.delay ?? ((ms: number) => sleep(ms));
  // `written` (the whole index and its bytes) serves the verification below; it is not part of the result.
  const { written: ours, ...result } = await applyPublish(store, chart, planned, {
    now: options.now,
    log: options.log,
    delay,
    ...(options.signing === undefined ? {} : { signing: options.signing }),
  });
  const written = Date.now();
  let invalidation: RunPublishResult["invalidation"];
  if (options.cdn !== undefined) {
    const { cdn, paths, wait, timeoutMs } = options.cdn;
    // Also after "unchanged": a previous run may have died between the index write and this step.
    const reference = `kube9-release ${planned.plan.chart}-${planned.plan.version} ${options.now().toISOString()} ${Math.random().toString(36).slice(2, 10)}`;
    const created = await cdn.invalidate(paths, reference);
    options.log(`${cdn.description}: invalidation ${created.id} created for ${paths.join(" ")}`);
    if (wait) {
      await cdn.waitForCompletion(created.id, timeoutMs);
      options.log(`${cdn.description}: invalidation ${created.id} completed`);
    }
    invalidation = { ...created, completed: wait };
  }
  if (options.verifyWith === undefined)
    return { result, invalidation, verified: undefined, visibleAfterMs: undefined };
  // Bytes identical to those this run wrote parse to the index it wrote: skip parsing them again.
  const parse: IndexParser =
    ours === undefined
      ? parseIndex
      : (bytes, file) =>
          Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).equals(ours.bytes)
            ? ours.index
            : parseIndex(bytes, file);
  const verified = await verifyUntilVisible(
    options.verifyWith,
    planned,
    options.verifyTimeoutMs ?? 300_000,
    delay,
    options.log,
    parse,
  );
  return { result, invalidation, verified, visibleAfterMs: Date.now() - written };
}

async function verifyUntilVisible(
  reader: RepositoryReader,
  planned: Planned,
  timeoutMs: number,
  delay: (ms: number) => Promise<void>,
  log: (line: string) => void,
  parse: IndexParser,
): Promise<VerifyResult> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await verifyPublished(
        reader,
        { chart: planned.plan.chart, version: planned.plan.version, expectedDigest: planned.plan.digest },
        parse,
      );
    } catch (error) {
      // A CDN still serving the old index is expected for a moment; anything else is an error now.
      if (!isReleaseError(error, "VERIFY_FAILED") || Date.now() >= deadline) throw error;
      log(`verify: not visible yet (${error.message}); retrying`);
      await delay(Math.min(10_000, 500 * 2 ** (attempt - 1)));
    }
  }
}
