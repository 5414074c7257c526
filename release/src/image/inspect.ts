/**
 * Reads what an anonymous puller gets for a tag: the top manifest, and for an index every platform
 * manifest it lists, each platform's config (labels) and its layer sizes. Reads only; judging is
 * verify.ts's job.
 */
import { ReleaseError } from "../errors.js";
import {
  type Descriptor,
  type ImageConfig,
  type ImageIndex,
  type ImageManifest,
  isIndexType,
  isManifestType,
  platformName,
} from "./media-types.js";
import { formatReference, type ImageReference } from "./reference.js";
import type { RegistryClient } from "./registry-client.js";

export interface PlatformImage {
  /** os/arch[/variant] from the index entry (or the config for a single-platform image). */
  platform: string;
  digest: string;
  /** BuildKit attestation manifests are listed as unknown/unknown with this annotation. */
  attestation: boolean;
  /** Sum of the layer sizes as stored (compressed): what a node downloads. */
  compressedBytes: number;
  layers: number;
  labels: Record<string, string>;
}

export interface ImageInspection {
  reference: string;
  digest: string;
  mediaType: string;
  platforms: PlatformImage[];
}

function invalid(ref: ImageReference, message: string): ReleaseError {
  return new ReleaseError("IMAGE_INVALID", message, { file: formatReference(ref) });
}

function isDescriptor(value: unknown): value is Descriptor {
  const d = value as Descriptor;
  return typeof d === "object" && d !== null && typeof d.digest === "string" && typeof d.size === "number";
}

async function readPlatform(
  client: RegistryClient,
  ref: ImageReference,
  entry: Descriptor | undefined,
  manifestJson: unknown,
  digest: string,
): Promise<PlatformImage> {
  const manifest = manifestJson as ImageManifest;
  if (
    !isDescriptor(manifest.config) ||
    !Array.isArray(manifest.layers) ||
    !manifest.layers.every(isDescriptor)
  ) {
    throw invalid(ref, `manifest ${digest} has no valid config or layers`);
  }
  const attestation =
    entry?.annotations?.["vnd.docker.reference.type"] === "attestation-manifest" ||
    (entry !== undefined && platformName(entry.platform) === "unknown/unknown");
  let labels: Record<string, string> = {};
  let platform = entry === undefined ? "unknown/unknown" : platformName(entry.platform);
  // Attestation manifests carry in-toto documents, not an image config: nothing to read there.
  if (!attestation) {
    const config = JSON.parse(
      (await client.getBlob(ref, manifest.config.digest)).toString("utf8"),
    ) as ImageConfig;
    labels = config.config?.Labels ?? {};
    if (entry === undefined) platform = `${config.os ?? "unknown"}/${config.architecture ?? "unknown"}`;
  }
  return {
    platform,
    digest,
    attestation,
    compressedBytes: manifest.layers.reduce((sum, layer) => sum + layer.size, 0),
    layers: manifest.layers.length,
    labels,
  };
}

/** Inspects `ref`; a missing tag is an IMAGE_INVALID error naming the reference. */
export async function inspectImage(client: RegistryClient, ref: ImageReference): Promise<ImageInspection> {
  const top = await client.getManifest(ref);
  if (top === undefined) {
    throw new ReleaseError(
      "IMAGE_INVALID",
      `${formatReference(ref)} does not exist (manifest unknown: 404)`,
      {
        file: formatReference(ref),
        fix: "check the tag, or wait for the image workflow: kube9-release image wait <ref>",
      },
    );
  }
  const result: ImageInspection = {
    reference: formatReference(ref),
    digest: top.digest,
    mediaType: top.mediaType,
    platforms: [],
  };
  if (isManifestType(top.mediaType)) {
    result.platforms.push(await readPlatform(client, ref, undefined, top.json, top.digest));
    return result;
  }
  if (!isIndexType(top.mediaType)) throw invalid(ref, `unsupported manifest media type ${top.mediaType}`);
  const index = top.json as ImageIndex;
  if (!Array.isArray(index.manifests) || !index.manifests.every(isDescriptor)) {
    throw invalid(ref, `index ${top.digest} has no valid manifests list`);
  }
  for (const entry of index.manifests) {
    const child = await client.getManifest(ref, entry.digest);
    if (child === undefined)
      throw invalid(ref, `index entry ${entry.digest} (${platformName(entry.platform)}) is missing`);
    if (!isManifestType(child.mediaType)) {
      throw invalid(ref, `index entry ${entry.digest} is a ${child.mediaType}, not an image manifest`);
    }
    result.platforms.push(await readPlatform(client, ref, entry, child.json, child.digest));
  }
  return result;
}
