import type { Command } from "commander";
import { ReleaseError } from "../../errors.js";
import { inspectImage } from "../../image/inspect.js";
import { parseImageReference } from "../../image/reference.js";
import { RegistryClient } from "../../image/registry-client.js";
import { parseReleaseVersion } from "../../image/release-version.js";
import { formatSize, parseSize } from "../../image/units.js";
import { verifyImage } from "../../image/verify.js";
import type { CliContext } from "../context.js";
import { commandOutput } from "../output.js";

interface VerifyFlags {
  platform: string;
  maxSize: string;
  label: string[];
  version?: string;
  revision?: string;
  json?: boolean;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function expectedLabels(flags: VerifyFlags): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of flags.label) {
    const eq = pair.indexOf("=");
    if (eq <= 0) {
      throw new ReleaseError("USAGE", `${JSON.stringify(pair)} is not key=value`, {
        field: "--label",
        fix: "e.g. --label org.opencontainers.image.version=1.2.3",
      });
    }
    labels[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  if (flags.version !== undefined) {
    labels["org.opencontainers.image.version"] = parseReleaseVersion(flags.version, "--version").version;
  }
  if (flags.revision !== undefined) labels["org.opencontainers.image.revision"] = flags.revision;
  return labels;
}

export function registerImageVerify(image: Command, context: CliContext): void {
  image
    .command("verify")
    .description(
      "check, as an anonymous user: exactly the expected platforms, the expected labels, and each platform under the size budget",
    )
    .argument("<ref>", "image reference, e.g. ghcr.io/alto9/kube9-operator:v1.2.3")
    .option(
      "--platform <list>",
      "comma-separated platforms the index must hold, and nothing else",
      "linux/amd64,linux/arm64",
    )
    .option("--max-size <size>", "budget per platform, compressed layers (1 MB = 10^6 bytes)", "200MB")
    .option("--label <key=value>", "require this label on every platform (repeatable)", collect, [])
    .option("--version <version>", "require org.opencontainers.image.version (a leading v is dropped)")
    .option("--revision <sha>", "require org.opencontainers.image.revision")
    .option("--json", "print the result as JSON")
    .action(async (refText: string, flags: VerifyFlags) => {
      const output = commandOutput(context, flags);
      const ref = parseImageReference(refText);
      const platforms = flags.platform
        .split(",")
        .map((p) => p.trim())
        .filter((p) => p !== "");
      const expect = {
        platforms,
        maxBytes: parseSize(flags.maxSize, "--max-size"),
        labels: expectedLabels(flags),
      };
      output.progress(`reading ${refText} anonymously`);
      const result = verifyImage(await inspectImage(new RegistryClient(), ref), expect);
      const rows = result.platforms.map(
        (p) =>
          `  ${p.platform.padEnd(14)} ${p.digest}  ${formatSize(p.compressedBytes)} compressed, ${p.layers} layers`,
      );
      output.result(
        result,
        `OK ${result.reference}\n  digest ${result.digest}\n${rows.join("\n")}\n  budget ${formatSize(result.maxBytes)} per platform; labels: ${Object.keys(expect.labels).length} checked`,
      );
      output.summary(
        [
          `### Image verified: \`${result.reference}\``,
          "",
          `- index digest: \`${result.digest}\``,
          `- budget per platform: ${formatSize(result.maxBytes)} (compressed layers)`,
          "",
          "| platform | digest | compressed size | layers |",
          "| --- | --- | --- | --- |",
          ...result.platforms.map(
            (p) => `| ${p.platform} | \`${p.digest}\` | ${formatSize(p.compressedBytes)} | ${p.layers} |`,
          ),
        ].join("\n"),
      );
    });
}
