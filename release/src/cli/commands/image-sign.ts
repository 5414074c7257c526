import { readdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { ReleaseError } from "../../errors.js";
import { inspectImage } from "../../image/inspect.js";
import { formatReference, type ImageReference, parseImageReference } from "../../image/reference.js";
import { RegistryClient } from "../../image/registry-client.js";
import {
  PASSWORD_ENV,
  type RegistryCredentials,
  registryCredentials,
  USERNAME_ENV,
} from "../../image/registry-credentials.js";
import type { SigningMode } from "../../image/sign/cosign-args.js";
import { readSbomFiles, type SignReport, signImage } from "../../image/sign/sign-image.js";
import type { CliContext } from "../context.js";
import { commandOutput, type Rendering } from "../output.js";
import { COSIGN_OPTION, type SigningFlags, signingMode } from "./signing-options.js";

interface SignFlags extends SigningFlags {
  sbomDir: string;
  json?: boolean;
}

export function registerImageSign(image: Command, context: CliContext): void {
  image
    .command("sign")
    .description(
      "sign a pushed image by digest with cosign (keyless in GitHub Actions, or --key) and attest each platform's SPDX SBOM",
    )
    .argument("<ref@digest>", "the image index by digest, e.g. ghcr.io/alto9/kube9-operator@sha256:...")
    .requiredOption("--sbom-dir <dir>", "the folder `image sbom --out` wrote: one SBOM for every platform")
    .option(
      "--key <file>",
      "sign with this cosign private key (its password in COSIGN_PASSWORD), no transparency log",
    )
    .option(...COSIGN_OPTION)
    .option("--json", "print the result as JSON")
    .addHelpText(
      "after",
      `
Without --key the signature is keyless: a certificate for the GitHub Actions workflow's OIDC
identity (permissions: id-token: write), recorded in the public transparency log.
Registry credentials come from ${USERNAME_ENV} and ${PASSWORD_ENV}.`,
    )
    .action(async (refText: string, flags: SignFlags) => {
      const output = commandOutput(context, flags);
      const outcome = await imageSign(signRequest(refText, flags, context), context.env, output.progress);
      output.render(renderImageSign(outcome));
    });
}

export interface ImageSignRequest {
  /** By digest: the image index. */
  ref: ImageReference;
  mode: SigningMode;
  credentials: RegistryCredentials | undefined;
  sbomDir: string;
  cosign: string;
}

/** The flags as a typed request, each checked before the SBOMs or the registry are read. */
export function signRequest(
  refText: string,
  flags: SignFlags,
  context: Pick<CliContext, "cwd" | "env">,
): ImageSignRequest {
  const ref = parseImageReference(refText);
  if (!ref.reference.startsWith("sha256:")) {
    throw new ReleaseError(
      "USAGE",
      `${refText} names a tag; sign by digest so that what is signed cannot move`,
      {
        field: "<ref@digest>",
        fix: "give host/name@sha256:<digest>, e.g. the digest `image push --github-output` wrote",
      },
    );
  }
  return {
    ref,
    mode: signingMode(flags, context.cwd, context.env),
    credentials: registryCredentials(context.env),
    sbomDir: resolve(context.cwd, flags.sbomDir),
    cosign: flags.cosign,
  };
}

async function sbomFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    throw new ReleaseError("USAGE", `cannot read the SBOM folder: ${(error as Error).message}`, {
      file: dir,
      field: "--sbom-dir",
      fix: "give the --out folder of `kube9-release image sbom`",
    });
  }
  return names
    .filter((name) => name.endsWith(".spdx.json"))
    .sort()
    .map((name) => join(dir, name));
}

export interface ImageSignOutcome {
  /** The reference as given, by digest. */
  ref: ImageReference;
  report: SignReport;
}

/** `image sign` as a plain function: the index signed with cosign, each platform's SBOM attested. */
export async function imageSign(
  request: ImageSignRequest,
  env: NodeJS.ProcessEnv,
  progress: (line: string) => void,
): Promise<ImageSignOutcome> {
  const { ref, credentials } = request;
  const sboms = await readSbomFiles(await sbomFiles(request.sbomDir));
  const inspected = await inspectImage(
    new RegistryClient(credentials === undefined ? {} : { credentials }),
    ref,
  );
  const report = await signImage({
    cosign: request.cosign,
    env,
    mode: request.mode,
    reference: ref,
    image: inspected,
    sboms,
    credentials,
    progress,
  });
  return { ref, report };
}

export function renderImageSign({ ref, report }: ImageSignOutcome): Rendering {
  return {
    data: report,
    human: [
      `signed ${formatReference(ref)} (${report.mode}) in ${report.signSeconds.toFixed(1)} s`,
      ...report.platforms.map(
        (p) => `  ${p.platform.padEnd(13)} ${p.digest}  SBOM attested in ${p.seconds.toFixed(1)} s`,
      ),
    ].join("\n"),
    summary: [
      `### Image signed (${report.mode})`,
      "",
      `\`${report.reference}\``,
      "",
      "| platform | digest | SBOM attestation |",
      "| --- | --- | --- |",
      ...report.platforms.map((p) => `| ${p.platform} | \`${p.digest}\` | SPDX 2.3 |`),
    ].join("\n"),
  };
}
