import type { Command } from "commander";
import { type ImageReference, parseImageReference } from "../../image/reference.js";
import { RegistryClient } from "../../image/registry-client.js";
import { type WaitResult, waitForImage } from "../../image/wait.js";
import type { CliContext } from "../context.js";
import { parseDuration } from "../duration.js";
import { commandOutput, type Rendering } from "../output.js";

interface WaitFlags {
  timeout: string;
  json?: boolean;
}

export function registerImageWait(image: Command, context: CliContext): void {
  image
    .command("wait")
    .description(
      "poll (anonymously, with backoff) until the image tag exists; exit 1 when the timeout passes",
    )
    .argument("<ref>", "image reference, e.g. ghcr.io/alto9/kube9-operator:1.2.3")
    .option("--timeout <duration>", "how long to wait, e.g. 15m, 90s", "15m")
    .option("--json", "print the result as JSON")
    .action(async (refText: string, flags: WaitFlags) => {
      const output = commandOutput(context, flags);
      const result = await imageWait(waitRequest(refText, flags), {
        now: context.now,
        progress: output.progress,
      });
      output.render(renderImageWait(result));
    });
}

export interface ImageWaitRequest {
  refText: string;
  ref: ImageReference;
  timeoutMs: number;
  /** The timeout as given, for the progress line. */
  timeoutText: string;
}

/** The flags as a typed request, checked before the registry is asked. */
export function waitRequest(refText: string, flags: WaitFlags): ImageWaitRequest {
  const timeoutMs = parseDuration(flags.timeout, "--timeout");
  return { refText, ref: parseImageReference(refText), timeoutMs, timeoutText: flags.timeout };
}

/** `image wait` as a plain function: resolves once the tag exists, a TIMEOUT error when it does not. */
export async function imageWait(
  request: ImageWaitRequest,
  deps: { now: () => Date; progress: (line: string) => void },
): Promise<WaitResult> {
  deps.progress(`waiting up to ${request.timeoutText} for ${request.refText}`);
  return await waitForImage(new RegistryClient(), request.ref, {
    timeoutMs: request.timeoutMs,
    now: () => deps.now().getTime(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    progress: deps.progress,
  });
}

export function renderImageWait(result: WaitResult): Rendering {
  return { data: result, human: `OK ${result.reference} exists (after ${result.attempts} check(s))` };
}
