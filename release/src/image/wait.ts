/**
 * Waits until a tag exists, so that the chart workflow never publishes a chart whose default
 * image is not pullable yet. Polls with a HEAD (cheap, and does not count as a pull on ghcr.io),
 * with exponential backoff capped so that a tag pushed late is still seen quickly.
 */
import { ReleaseError } from "../errors.js";
import { formatReference, type ImageReference } from "./reference.js";
import type { RegistryClient } from "./registry-client.js";

export interface WaitOptions {
  timeoutMs: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  progress: (line: string) => void;
  /** First delay between polls (default 2 s), doubled up to `maxDelayMs` (default 30 s). */
  initialDelayMs?: number;
  maxDelayMs?: number;
}

export interface WaitResult {
  reference: string;
  attempts: number;
  waitedMs: number;
}

export async function waitForImage(
  client: RegistryClient,
  ref: ImageReference,
  options: WaitOptions,
): Promise<WaitResult> {
  const start = options.now();
  const deadline = start + options.timeoutMs;
  let delay = options.initialDelayMs ?? 2000;
  const maxDelay = options.maxDelayMs ?? 30_000;
  for (let attempt = 1; ; attempt++) {
    if (await client.manifestExists(ref)) {
      return { reference: formatReference(ref), attempts: attempt, waitedMs: options.now() - start };
    }
    const left = deadline - options.now();
    if (left <= 0) {
      throw new ReleaseError(
        "TIMEOUT",
        `${formatReference(ref)} did not appear within ${Math.round(options.timeoutMs / 1000)} s (${attempt} checks)`,
        {
          file: formatReference(ref),
          fix: "check that the release-image workflow ran and succeeded for this tag, then re-run this job",
        },
      );
    }
    const pause = Math.min(delay, left);
    options.progress(
      `${formatReference(ref)} not there yet (check ${attempt}); next check in ${Math.ceil(pause / 1000)} s, ${Math.ceil(left / 1000)} s left`,
    );
    await options.sleep(pause);
    delay = Math.min(delay * 2, maxDelay);
  }
}
