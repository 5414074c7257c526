import type { Command } from "commander";
import { writeGithubOutputs } from "../../image/github-output.js";
import { parseImageReference } from "../../image/reference.js";
import { RegistryClient } from "../../image/registry-client.js";
import { computeTagSet, TAG_SHAPES } from "../../image/tag-set.js";
import type { CliContext } from "../context.js";
import { commandOutput } from "../output.js";

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
      const repository =
        flags.image === undefined ? undefined : parseImageReference(flags.image, "--image", "latest");
      let existing: string[] = [];
      if (flags.existing !== undefined) {
        existing =
          flags.existing === true ? [] : flags.existing.flatMap((t) => t.split(",")).filter((t) => t !== "");
      } else if (repository !== undefined) {
        output.progress(`reading the tags of ${repository.registry}/${repository.name}`);
        const listed = await new RegistryClient().listTags(repository);
        if (listed === undefined)
          output.progress("the repository does not exist yet: this is its first release");
        existing = listed ?? [];
      }
      const set = computeTagSet(version, existing);
      for (const decision of set.floating) {
        output.progress(`${decision.tag}: ${decision.moves ? "moves" : "stays"} (${decision.reason})`);
      }
      const refs =
        repository === undefined
          ? []
          : set.tags.map((tag) => `${repository.registry}/${repository.name}:${tag}`);
      if (flags.githubOutput === true) {
        const path = writeGithubOutputs(context.env, {
          version: set.version,
          prerelease: String(set.prerelease),
          tags: set.tags.join(","),
          "tag-lines": set.tags.join("\n"),
          ...(refs.length === 0 ? {} : { refs: refs.join("\n") }),
        });
        output.progress(`wrote tags to ${path}`);
      }
      output.result({ ...set, ...(repository === undefined ? {} : { refs }), existing }, set.tags.join("\n"));
    });
}
