import { resolve } from "node:path";
import type { Command } from "commander";
import { ReleaseError } from "../../errors.js";
import { writeGithubOutputs } from "../../image/github-output.js";
import { readLayoutContents } from "../../image/push/layout-contents.js";
import { type PushReport, pushLayout } from "../../image/push/push-layout.js";
import { type ImageReference, parseImageReference } from "../../image/reference.js";
import { RegistryClient } from "../../image/registry-client.js";
import {
  PASSWORD_ENV,
  type RegistryCredentials,
  registryCredentials,
  USERNAME_ENV,
} from "../../image/registry-credentials.js";
import { parseReleaseVersion } from "../../image/release-version.js";
import { TAG_SHAPES } from "../../image/tag-set.js";
import type { CliContext } from "../context.js";
import { commandOutput, type Rendering } from "../output.js";

interface PushFlags {
  to: string;
  digest?: string;
  json?: boolean;
  githubOutput?: boolean;
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
      const outcome = await imagePush(pushRequest(layoutText, versionText, flags, context), output.progress);
      if (flags.githubOutput === true) writePushOutputs(context.env, outcome);
      output.render(renderImagePush(outcome));
    });
}

export interface ImagePushRequest {
  layoutDir: string;
  version: string;
  repository: ImageReference;
  /** The digest that was scanned: a layout holding another is not pushed. */
  digest?: string;
  credentials: RegistryCredentials | undefined;
}

/** The flags as a typed request, each checked before the layout is read. */
export function pushRequest(
  layoutText: string,
  versionText: string,
  flags: PushFlags,
  context: Pick<CliContext, "cwd" | "env">,
): ImagePushRequest {
  const version = parseReleaseVersion(versionText).version;
  const repository = parseImageReference(flags.to, "--to", "latest");
  if (flags.digest !== undefined && !/^sha256:[0-9a-f]{64}$/.test(flags.digest)) {
    throw new ReleaseError("USAGE", `${JSON.stringify(flags.digest)} is not a digest`, {
      field: "--digest",
      fix: "give sha256:<64 hex>, e.g. the digest `image scan` or `image build` printed",
    });
  }
  return {
    layoutDir: resolve(context.cwd, layoutText),
    version,
    repository,
    ...(flags.digest === undefined ? {} : { digest: flags.digest }),
    credentials: registryCredentials(context.env),
  };
}

export interface ImagePushOutcome {
  version: string;
  report: PushReport;
}

/** `image push` as a plain function: the layout pushed byte for byte, its tags settled. */
export async function imagePush(
  request: ImagePushRequest,
  progress: (line: string) => void,
): Promise<ImagePushOutcome> {
  const { version, repository, credentials } = request;
  const contents = await readLayoutContents(request.layoutDir, version);
  progress(`pushing ${contents.digest} to ${repository.registry}/${repository.name}`);
  const report = await pushLayout({
    client: new RegistryClient(credentials === undefined ? {} : { credentials }),
    repository,
    contents,
    version,
    ...(request.digest === undefined ? {} : { expectedDigest: request.digest }),
    progress,
  });
  return { version, report };
}

const pushedTags = (report: PushReport) => [...report.fixed, ...report.floating];

/** digest=, and tags=: the tags pointing at this release after the push (a floating one may stay on a higher release). */
function writePushOutputs(env: CliContext["env"], { version, report }: ImagePushOutcome): void {
  writeGithubOutputs(env, {
    digest: report.digest,
    tags: pushedTags(report)
      .filter((t) => t.version === version)
      .map((t) => t.tag)
      .join(","),
  });
}

function pushReportText(report: PushReport): string {
  const lines = [
    `pushed ${report.digest} (${report.blobsUploaded} blob(s) uploaded, ${report.blobsPresent} already there)`,
  ];
  for (const tag of pushedTags(report)) {
    lines.push(`  ${tag.reference} -> ${tag.version} (${tag.outcome})`);
  }
  return lines.join("\n");
}

export function renderImagePush({ version, report }: ImagePushOutcome): Rendering {
  return {
    data: report,
    human: pushReportText(report),
    summary: [
      `### Image ${version} pushed`,
      "",
      `digest \`${report.digest}\``,
      "",
      "| tag | points at | |",
      "|---|---|---|",
      ...pushedTags(report).map((t) => `| \`${t.tag}\` | ${t.version} | ${t.outcome} |`),
    ].join("\n"),
  };
}
