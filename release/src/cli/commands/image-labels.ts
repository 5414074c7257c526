import type { Command } from "commander";
import { writeGithubOutputs } from "../../image/github-output.js";
import { checkRfc3339, imageLabels } from "../../image/labels.js";
import type { CliContext } from "../context.js";
import { commandOutput } from "../output.js";

interface LabelsFlags {
  revision: string;
  created: string;
  source: string;
  json?: boolean;
  githubOutput?: boolean;
}

export function registerImageLabels(image: Command, context: CliContext): void {
  image
    .command("labels")
    .description(
      "the OCI labels of the image, `created` from the commit time so that digests stay reproducible",
    )
    .argument("<version>", "release tag or version, e.g. v1.2.3")
    .requiredOption("--revision <sha>", "full commit SHA of the release")
    .requiredOption("--created <time>", "commit time, RFC 3339 (git log -1 --format=%cI)")
    .requiredOption("--source <url>", "source repository URL")
    .option("--json", "print the labels as a JSON object")
    .option(
      "--github-output",
      "also write labels and build-args (multi-line key=value) and created to $GITHUB_OUTPUT",
    )
    .action((version: string, flags: LabelsFlags) => {
      const output = commandOutput(context, flags);
      // One canonical form (UTC, whole seconds) so that the same commit always gives the same label.
      const created = new Date(checkRfc3339(flags.created, "--created"))
        .toISOString()
        .replace(/\.000Z$/, "Z");
      const labels = imageLabels({ version, revision: flags.revision, created, source: flags.source });
      const lines = Object.entries(labels).map(([key, value]) => `${key}=${value}`);
      if (flags.githubOutput === true) {
        // The Dockerfile writes the same labels from its build arguments (for builds outside
        // Actions); give them the same values so that both agree.
        const buildArgs = [
          `VERSION=${labels["org.opencontainers.image.version"] ?? ""}`,
          `REVISION=${flags.revision}`,
          `CREATED=${created}`,
          `SOURCE=${flags.source}`,
        ];
        writeGithubOutputs(context.env, {
          labels: lines.join("\n"),
          created,
          "build-args": buildArgs.join("\n"),
        });
      }
      output.result(labels, lines.join("\n"));
    });
}
