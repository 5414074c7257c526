/**
 * The Artifact Hub options: `--artifacthub` and what goes with it for `chart package` (the release
 * annotations), `--changes-from` for `release check` too, and `--artifacthub-repo` for
 * `chart publish` (the repository metadata file). Files are read here, at the edge; the rules are
 * in release/src/artifacthub/.
 */
import { promises as fs } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { isFingerprint } from "../artifacthub/annotations.js";
import { isWebUrl, metadataError } from "../artifacthub/problems.js";
import type { ArtifactHubRequest } from "../artifacthub/release-annotations.js";
import { repositoryMetadataProblems } from "../artifacthub/repository-metadata.js";
import { ReleaseError } from "../errors.js";

export interface ArtifactHubFlags {
  artifacthub?: boolean;
  changesFrom?: string;
  signKeyFingerprint?: string;
  signKeyUrl?: string;
}

export function addArtifactHubOptions(command: Command): Command {
  return command
    .option(
      "--artifacthub",
      "add Artifact Hub's release annotations: images (values.yaml's image, tag appVersion, linux/amd64 and linux/arm64), prerelease for a pre-release version",
    )
    .option(
      "--changes-from <file>",
      "with --artifacthub: the version's changes (and containsSecurityUpdates) from this CHANGELOG.md",
    )
    .option(
      "--sign-key-fingerprint <hex>",
      "with --artifacthub and --sign-key-url: the fingerprint of the key that signs the chart (signKey annotation)",
    )
    .option(
      "--sign-key-url <url>",
      "with --artifacthub: where users get that public key, e.g. https://charts.kube9.io/pubkey.asc",
    );
}

export async function readTextOption(
  path: string,
  option: string,
  cwd: string,
  what: string,
): Promise<{ text: string; file: string }> {
  const file = resolve(cwd, path);
  try {
    return { text: await fs.readFile(file, "utf8"), file };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ReleaseError("USAGE", `cannot read ${what} (${code ?? String(error)})`, {
      file,
      field: option,
      fix:
        code === "EISDIR"
          ? `give the file itself, e.g. ${option} ${what === "the changelog" ? "CHANGELOG.md" : "charts/artifacthub-repo.yml"}`
          : "check the path (relative to the working directory) and that this user may read it",
      cause: error,
    });
  }
}

/** What --artifacthub and its companions ask for; undefined without --artifacthub. */
export async function artifactHubRequest(
  flags: ArtifactHubFlags,
  cwd: string,
): Promise<ArtifactHubRequest | undefined> {
  const companions = [
    ["--changes-from", flags.changesFrom],
    ["--sign-key-fingerprint", flags.signKeyFingerprint],
    ["--sign-key-url", flags.signKeyUrl],
  ] as const;
  if (flags.artifacthub !== true) {
    const given = companions.find(([, value]) => value !== undefined);
    if (given !== undefined) {
      throw new ReleaseError(
        "USAGE",
        `${given[0]} sets an Artifact Hub annotation, which only --artifacthub adds`,
        {
          field: given[0],
          fix: "add --artifacthub",
        },
      );
    }
    return undefined;
  }
  const { signKeyFingerprint: fingerprint, signKeyUrl: url } = flags;
  if ((fingerprint === undefined) !== (url === undefined)) {
    throw new ReleaseError("USAGE", "the signKey annotation needs both the key's fingerprint and its URL", {
      field: fingerprint === undefined ? "--sign-key-fingerprint" : "--sign-key-url",
      fix: "give --sign-key-fingerprint and --sign-key-url together, or neither (docs/release-chart.md#artifact-hub)",
    });
  }
  if (fingerprint !== undefined && !isFingerprint(fingerprint.replace(/\s+/g, ""))) {
    throw new ReleaseError("USAGE", `"${fingerprint}" is not an OpenPGP fingerprint`, {
      field: "--sign-key-fingerprint",
      fix: "give the key's full fingerprint, 40 hex digits (gpg --fingerprint), not its short id",
    });
  }
  if (url !== undefined && !isWebUrl(url)) {
    throw new ReleaseError("USAGE", `"${url}" is not an absolute http(s) URL`, {
      field: "--sign-key-url",
      fix: "give the public key's URL, e.g. https://charts.kube9.io/pubkey.asc",
    });
  }
  const changelog =
    flags.changesFrom === undefined
      ? undefined
      : await readTextOption(flags.changesFrom, "--changes-from", cwd, "the changelog");
  return {
    ...(changelog === undefined ? {} : { changelog }),
    ...(fingerprint === undefined || url === undefined
      ? {}
      : { signKey: { fingerprint: fingerprint.replace(/\s+/g, "").toUpperCase(), url } }),
  };
}

/** `--artifacthub-repo <file>`: its bytes, once they pass Artifact Hub's rules. */
export async function readRepositoryMetadata(
  path: string,
  cwd: string,
): Promise<{ bytes: Uint8Array; file: string }> {
  const { text, file } = await readTextOption(
    path,
    "--artifacthub-repo",
    cwd,
    "the Artifact Hub repository file",
  );
  const error = metadataError(repositoryMetadataProblems(text, file), "this repository metadata file");
  if (error !== undefined) throw error;
  return { bytes: new TextEncoder().encode(text), file };
}
