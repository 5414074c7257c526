import type { Command } from "commander";
import { parseImageReference } from "../../image/reference.js";
import { RegistryClient } from "../../image/registry-client.js";
import { waitForImage } from "../../image/wait.js";
import type { CliContext } from "../context.js";
import { parseDuration } from "../duration.js";
import { commandOutput } from "../output.js";

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
      const timeoutMs = parseDuration(flags.timeout, "--timeout");
      const ref = parseImageReference(refText);
      output.progress(`waiting up to ${flags.timeout} for ${refText}`);
      const result = await waitForImage(new RegistryClient(), ref, {
        timeoutMs,
        now: () => context.now().getTime(),
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        progress: output.progress,
      });
      output.result(result, `OK ${result.reference} exists (after ${result.attempts} check(s))`);
    });
}
