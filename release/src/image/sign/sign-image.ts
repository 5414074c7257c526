/**
 * Signs a released image by digest and attests each platform's SBOM: one cosign signature on the
 * image index (what the release tags point at), and one SPDX attestation on each platform's
 * manifest (what a node pulls). Every platform of the index must have its SBOM, whose described
 * digest is the platform's: this is checked before anything is signed.
 */
import { readFile } from "node:fs/promises";
import { ReleaseError } from "../../errors.js";
import type { ImageInspection } from "../inspect.js";
import { formatReference, type ImageReference } from "../reference.js";
import type { RegistryCredentials } from "../registry-credentials.js";
import { describedDigest, type SpdxDocument } from "../sbom/spdx.js";
import { cosignMessage, runCosign } from "./cosign.js";
import { attestArgs, type SigningMode, signArgs } from "./cosign-args.js";
import { withCosignHome } from "./cosign-home.js";

export interface SbomFile {
  file: string;
  /** The platform manifest digest the document describes. */
  digest: string;
}

export interface SignRequest {
  cosign: string;
  /** The environment cosign gets (COSIGN_PASSWORD, the OIDC variables of GitHub Actions...). */
  env: NodeJS.ProcessEnv;
  mode: SigningMode;
  /** By digest: the image index. */
  reference: ImageReference;
  image: ImageInspection;
  sboms: SbomFile[];
  credentials: RegistryCredentials | undefined;
  progress: (line: string) => void;
}

export interface SignedPlatform {
  platform: string;
  digest: string;
  sbom: string;
  seconds: number;
}

export interface SignReport {
  reference: string;
  digest: string;
  mode: SigningMode["kind"];
  signSeconds: number;
  platforms: SignedPlatform[];
}

/** Reads the SBOM files and the digest each describes; a file that is not one is refused. */
export async function readSbomFiles(files: string[]): Promise<SbomFile[]> {
  const sboms: SbomFile[] = [];
  for (const file of files) {
    let document: SpdxDocument;
    try {
      document = JSON.parse(await readFile(file, "utf8")) as SpdxDocument;
    } catch (error) {
      throw new ReleaseError("USAGE", `cannot read the SBOM: ${(error as Error).message}`, {
        file,
        fix: "give the files `kube9-release image sbom` wrote",
      });
    }
    const digest = describedDigest(document);
    if (
      document?.spdxVersion !== "SPDX-2.3" ||
      digest === undefined ||
      !/^sha256:[0-9a-f]{64}$/.test(digest)
    ) {
      throw new ReleaseError(
        "USAGE",
        "not an SPDX 2.3 SBOM of an image platform (no described image digest)",
        {
          file,
          field: "relationships",
          fix: "give the files `kube9-release image sbom` wrote",
        },
      );
    }
    sboms.push({ file, digest });
  }
  return sboms;
}

/** Pairs every platform of the image with its SBOM; names each platform that has none. */
export function pairSboms(image: ImageInspection, sboms: SbomFile[]): Array<SbomFile & { platform: string }> {
  const missing: string[] = [];
  const pairs = image.platforms.flatMap((platform) => {
    const sbom = sboms.find((s) => s.digest === platform.digest);
    if (sbom === undefined) missing.push(`${platform.platform} (${platform.digest})`);
    return sbom === undefined ? [] : [{ ...sbom, platform: platform.platform }];
  });
  if (missing.length > 0) {
    throw new ReleaseError(
      "USAGE",
      `no SBOM for ${missing.join(", ")} of ${image.reference}; the SBOMs given describe ${sboms.map((s) => s.digest).join(", ") || "nothing"}`,
      {
        field: "--sbom",
        fix: "run `kube9-release image sbom` on the layout that was pushed, and give every file it wrote",
      },
    );
  }
  return pairs;
}

export async function signImage(request: SignRequest): Promise<SignReport> {
  const { reference, image } = request;
  const pairs = pairSboms(image, request.sboms);
  const repository = `${reference.registry}/${reference.name}`;
  return withCosignHome(reference.registry, request.credentials, async (home) => {
    const env = { ...request.env, DOCKER_CONFIG: home.dockerConfig };
    const cosign = async (args: string[], what: string) => {
      const run = await runCosign({ binary: request.cosign, env }, args);
      if (run.code !== 0) {
        throw new ReleaseError("TOOL_FAILED", `${what} failed: ${cosignMessage(run)}`, {
          file: formatReference(reference),
          fix:
            request.mode.kind === "keyless"
              ? "keyless signing needs the job's OIDC token (permissions: id-token: write) and write access to the registry"
              : "check the key and COSIGN_PASSWORD, and that the registry credentials may push",
        });
      }
    };
    const index = `${repository}@${image.digest}`;
    request.progress(`signing ${index} (${request.mode.kind})`);
    let started = Date.now();
    await cosign(signArgs(request.mode, index, home.offline), `cosign sign of ${index}`);
    const signSeconds = (Date.now() - started) / 1000;
    const platforms: SignedPlatform[] = [];
    for (const pair of pairs) {
      const target = `${repository}@${pair.digest}`;
      request.progress(`attesting the SBOM of ${pair.platform} on ${target}`);
      started = Date.now();
      await cosign(
        attestArgs(request.mode, target, pair.file, home.offline),
        `cosign attest of the ${pair.platform} SBOM`,
      );
      platforms.push({
        platform: pair.platform,
        digest: pair.digest,
        sbom: pair.file,
        seconds: (Date.now() - started) / 1000,
      });
    }
    return { reference: index, digest: image.digest, mode: request.mode.kind, signSeconds, platforms };
  });
}
