import type { Command } from "commander";
import { writeGithubOutputs } from "../../image/github-output.js";
import { type ImageReference, parseImageReference } from "../../image/reference.js";
import { RegistryClient } from "../../image/registry-client.js";
import { parseReleaseVersion } from "../../image/release-version.js";
import { computeTagSet, TAG_SHAPES, type TagSet } from "../../image/tag-set.js";
import type { CliContext } from "../context.js";
import { commandOutput, type Rendering } from "../output.js";

interface TagsFlags {
  image?: string;
  existing?: string[] | true;
  json?: boolean;
  githubOutput?: boolean;
}

export function registerImageTags(image: Command, context: CliContext): void {
  image
    .command("tags")
    .description(
      `the tags a release publishes: ${TAG_SHAPES.fixed}, and ${TAG_SHAPES.floating} when it is the highest stable version in their scope`,
    )
    .argument("<version>", "release tag or version, e.g. v1.2.3")
    .option("--image <ref>", "image repository (host/name) whose existing tags decide the floating tags")
    .option("--existing [tags...]", "existing tags instead of reading the registry (alone: none exist)")
    .option("--json", "print the result as JSON")
    .option("--github-output", "also write tags= and refs to $GITHUB_OUTPUT")
    .action(async (version: string, flags: TagsFlags) => {
      const output = commandOutput(context, flags);
      const outcome = await imageTags(tagsRequest(version, flags), output.progress);
      if (flags.githubOutput === true) {
        output.progress(`wrote tags to ${writeTagOutputs(context.env, outcome)}`);
      }
      output.render(renderImageTags(outcome));
    });
}

export interface ImageTagsRequest {
  version: string;
  repository?: ImageReference;
  /** The tags given with --existing; undefined: read them from the repository, if any. */
  existing?: string[];
}

/** The flags as a typed request, checked before the registry is read. */
export function tagsRequest(version: string, flags: TagsFlags): ImageTagsRequest {
  // computeTagSet parses it again; a bad version is refused here, before the registry is read.
  parseReleaseVersion(version);
  const repository =
    flags.image === undefined ? undefined : parseImageReference(flags.image, "--image", "latest");
  const existing =
    flags.existing === undefined
      ? undefined
      : flags.existing === true
        ? []
        : flags.existing.flatMap((t) => t.split(",")).filter((t) => t !== "");
  return {
    version,
    ...(repository === undefined ? {} : { repository }),
    ...(existing === undefined ? {} : { existing }),
  };
}

export interface ImageTagsOutcome {
  set: TagSet;
  /** host/name:tag of every tag; undefined without --image. */
  refs: string[] | undefined;
  existing: string[];
}

/** The release tags already in the repository: none when it does not exist yet. */
async function existingTags(request: ImageTagsRequest, progress: (line: string) => void): Promise<string[]> {
  const { repository } = request;
  if (request.existing !== undefined) return request.existing;
  if (repository === undefined) return [];
  progress(`reading the tags of ${repository.registry}/${repository.name}`);
  const listed = await new RegistryClient().listTags(repository);
  if (listed === undefined) progress("the repository does not exist yet: this is its first release");
  return listed ?? [];
}

/** `image tags` as a plain function: the tags this release publishes, each floating one explained. */
export async function imageTags(
  request: ImageTagsRequest,
  progress: (line: string) => void,
): Promise<ImageTagsOutcome> {
  const { repository } = request;
  const existing = await existingTags(request, progress);
  const set = computeTagSet(request.version, existing);
  for (const decision of set.floating) {
    progress(`${decision.tag}: ${decision.moves ? "moves" : "stays"} (${decision.reason})`);
  }
  const refs =
    repository === undefined
      ? undefined
      : set.tags.map((tag) => `${repository.registry}/${repository.name}:${tag}`);
  return { set, refs, existing };
}

/** Writes the GitHub outputs; returns the file written. */
function writeTagOutputs(env: CliContext["env"], { set, refs }: ImageTagsOutcome): string {
  return writeGithubOutputs(env, {
    version: set.version,
    prerelease: String(set.prerelease),
    tags: set.tags.join(","),
    "tag-lines": set.tags.join("\n"),
    ...(refs === undefined || refs.length === 0 ? {} : { refs: refs.join("\n") }),
  });
}

export function renderImageTags({ set, refs, existing }: ImageTagsOutcome): Rendering {
  return { data: { ...set, ...(refs === undefined ? {} : { refs }), existing }, human: set.tags.join("\n") };
}
