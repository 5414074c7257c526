import type { Command } from "commander";
import { writeGithubOutputs } from "../../image/github-output.js";
import { checkRfc3339, imageLabels } from "../../image/labels.js";
import type { CliContext } from "../context.js";
import { commandOutput, type Rendering } from "../output.js";

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
      const labelSet = imageLabelSet(labelsRequest(version, flags));
      if (flags.githubOutput === true) writeLabelOutputs(context.env, labelSet);
      output.render(renderImageLabels(labelSet));
    });
}

export interface ImageLabelsRequest {
  version: string;
  revision: string;
  /** UTC, whole seconds. */
  created: string;
  source: string;
}

/** The flags as a typed request; the version, revision and source are checked by imageLabels. */
export function labelsRequest(version: string, flags: LabelsFlags): ImageLabelsRequest {
  // One canonical form (UTC, whole seconds) so that the same commit always gives the same label.
  const created = new Date(checkRfc3339(flags.created, "--created")).toISOString().replace(/\.000Z$/, "Z");
  return { version, revision: flags.revision, created, source: flags.source };
}

export interface ImageLabelSet {
  labels: Record<string, string>;
  created: string;
  /** The Dockerfile's build arguments that write the same labels, as NAME=value. */
  buildArgs: string[];
}

/** `image labels` as a plain function: the labels, and the build arguments that agree with them. */
export function imageLabelSet(request: ImageLabelsRequest): ImageLabelSet {
  const { version, revision, created, source } = request;
  const labels = imageLabels({ version, revision, created, source });
  // The Dockerfile writes the same labels from its build arguments (for builds outside
  // Actions); give them the same values so that both agree.
  const buildArgs = [
    `VERSION=${labels["org.opencontainers.image.version"] ?? ""}`,
    `REVISION=${revision}`,
    `CREATED=${created}`,
    `SOURCE=${source}`,
  ];
  return { labels, created, buildArgs };
}

function labelLines(labels: Record<string, string>): string[] {
  return Object.entries(labels).map(([key, value]) => `${key}=${value}`);
}

function writeLabelOutputs(env: CliContext["env"], { labels, created, buildArgs }: ImageLabelSet): void {
  writeGithubOutputs(env, {
    labels: labelLines(labels).join("\n"),
    created,
    "build-args": buildArgs.join("\n"),
  });
}

export function renderImageLabels({ labels }: ImageLabelSet): Rendering {
  return { data: labels, human: labelLines(labels).join("\n") };
}
