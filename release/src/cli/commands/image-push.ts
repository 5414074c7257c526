import { resolve } from "node:path";
import type { Command } from "commander";
import { ReleaseError } from "../../errors.js";
import { writeGithubOutputs } from "../../image/github-output.js";
import { readLayoutContents } from "../../image/push/layout-contents.js";
import { type PushReport, pushLayout } from "../../image/push/push-layout.js";
import { parseImageReference } from "../../image/reference.js";
import { RegistryClient } from "../../image/registry-client.js";
import { PASSWORD_ENV, registryCredentials, USERNAME_ENV } from "../../image/registry-credentials.js";
import { parseReleaseVersion } from "../../image/release-version.js";
import { TAG_SHAPES } from "../../image/tag-set.js";
import type { CliContext } from "../context.js";
import { commandOutput } from "../output.js";

interface PushFlags {
  to: string;
  digest?: string;
  json?: boolean;
  githubOutput?: boolean;
}

export function renderPushReport(report: PushReport): string {
  const lines = [
    `pushed ${report.digest} (${report.blobsUploaded} blob(s) uploaded, ${report.blobsPresent} already there)`,
  ];
  for (const tag of [...report.fixed, ...report.floating]) {
    lines.push(`  ${tag.reference} -> ${tag.version} (${tag.outcome})`);
  }
  return lines.join("\n");
}

export function registerImagePush(image: Command, context: CliContext): void {
  image
    .command("push")
    .description(
      `push a built image from its OCI layout, byte for byte: release tags create-only, floating tags (${TAG_SHAPES.floating}) settled after the push`,
    )
    .argument("<oci-layout>", "the folder `image build --oci-layout` wrote")
    .argument("<version>", "release tag or version, e.g. v1.2.3 (the layout's tag)")
    .requiredOption("--to <repository>", "the repository (host/name), e.g. ghcr.io/alto9/kube9-operator")
    .option("--digest <sha256:...>", "the digest that was scanned: refuse to push anything else")
    .option("--json", "print the result as JSON")
    .option("--github-output", "also write digest= and tags= to $GITHUB_OUTPUT")
    .addHelpText(
      "after",
      `
Credentials come from ${USERNAME_ENV} and ${PASSWORD_ENV}.
A release tag (vX.Y.Z, X.Y.Z) that holds another digest stops the push before any byte is sent.`,
    )
    .action(async (layoutText: string, versionText: string, flags: PushFlags) => {
      const output = commandOutput(context, flags);
      const version = parseReleaseVersion(versionText).version;
      const repository = parseImageReference(flags.to, "--to", "latest");
      if (flags.digest !== undefined && !/^sha256:[0-9a-f]{64}$/.test(flags.digest)) {
        throw new ReleaseError("USAGE", `${JSON.stringify(flags.digest)} is not a digest`, {
          field: "--digest",
          fix: "give sha256:<64 hex>, e.g. the digest `image scan` or `image build` printed",
        });
      }
      const credentials = registryCredentials(context.env);
      const contents = await readLayoutContents(resolve(context.cwd, layoutText), version);
      output.progress(`pushing ${contents.digest} to ${repository.registry}/${repository.name}`);
      const report = await pushLayout({
        client: new RegistryClient(credentials === undefined ? {} : { credentials }),
        repository,
        contents,
        version,
        ...(flags.digest === undefined ? {} : { expectedDigest: flags.digest }),
        progress: output.progress,
      });
      const tags = [...report.fixed, ...report.floating];
      if (flags.githubOutput === true) {
        writeGithubOutputs(context.env, {
          digest: report.digest,
          tags: tags
            .filter((t) => t.version === version)
            .map((t) => t.tag)
            .join(","),
        });
      }
      output.result(report, renderPushReport(report));
      output.summary(
        [
          `### Image ${version} pushed`,
          "",
          `digest \`${report.digest}\``,
          "",
          "| tag | points at | |",
          "|---|---|---|",
          ...tags.map((t) => `| \`${t.tag}\` | ${t.version} | ${t.outcome} |`),
        ].join("\n"),
      );
    });
}
