/**
 * The one reader of a multi-platform OCI image layout (what `image build --oci-layout DIR` and
 * the builder's export write: index.json naming one image index by tag). Build, scan, SBOM and
 * push all read the layout through it, so they agree on what a valid layout is. Every blob read
 * is checked against its digest and size: what the callers measure, scan, describe or push is
 * exactly the bytes the layout holds. Each caller passes its own error, so that a bad layout is
 * reported in the terms of the command that read it.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ReleaseError } from "../errors.js";
import {
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
  isIndexType,
  isManifestType,
  platformName,
} from "./media-types.js";
import { ociBlobPath } from "./oci-blob-path.js";

export const REF_NAME = "org.opencontainers.image.ref.name";

/** How a caller reports a layout it cannot use: the message, and a fix when the reader knows one. */
export type InvalidLayout = (dir: string, message: string, fix?: string) => ReleaseError;

/** A layout given by the user: `image scan`, `image sbom`, `image push`. */
export const invalidLayout: InvalidLayout = (dir, message, fix) =>
  new ReleaseError("IMAGE_INVALID", `not a multi-platform OCI image layout: ${message}`, {
    file: dir,
    fix: fix ?? "give the folder written by `kube9-release image build <version> --oci-layout DIR`",
  });

export interface PlatformImage {
  platform: string;
  /** The platform's manifest in the index: its digest is what a registry serves for it. */
  descriptor: Descriptor;
  manifest: ImageManifest;
  /** The manifest's bytes, as stored (and as pushed). */
  body: Buffer;
}

export interface LayoutIndex {
  dir: string;
  tag: string;
  /** Digest of the image index: what the release tags point to once pushed. */
  digest: string;
  mediaType: string;
  /** The index's bytes, as stored (and as pushed). */
  body: Buffer;
  platforms: PlatformImage[];
}

export function layoutBlobPath(dir: string, digest: string, invalid: InvalidLayout = invalidLayout): string {
  const path = ociBlobPath(dir, digest);
  if (path === undefined) throw invalid(dir, `unsupported digest ${JSON.stringify(digest)}`);
  return path;
}

export function sha256(body: Buffer): string {
  return `sha256:${createHash("sha256").update(body).digest("hex")}`;
}

/** The blob's bytes, refused unless they have the descriptor's digest and size. */
export async function readBlob(
  dir: string,
  descriptor: Descriptor,
  invalid: InvalidLayout = invalidLayout,
): Promise<Buffer> {
  let body: Buffer;
  try {
    body = await readFile(layoutBlobPath(dir, descriptor.digest, invalid));
  } catch (error) {
    if (error instanceof ReleaseError) throw error;
    throw invalid(dir, `cannot read blob ${descriptor.digest}: ${(error as Error).message}`);
  }
  const digest = sha256(body);
  if (digest !== descriptor.digest || body.length !== descriptor.size) {
    throw invalid(dir, `blob ${descriptor.digest} holds ${body.length} bytes with digest ${digest}`);
  }
  return body;
}

function parseJson<T>(dir: string, body: Buffer, what: string, invalid: InvalidLayout): T {
  try {
    return JSON.parse(body.toString("utf8")) as T;
  } catch (error) {
    throw invalid(dir, `${what} is not JSON: ${(error as Error).message}`);
  }
}

export async function readJsonBlob<T>(
  dir: string,
  descriptor: Descriptor,
  invalid: InvalidLayout = invalidLayout,
): Promise<T> {
  return parseJson<T>(dir, await readBlob(dir, descriptor, invalid), `blob ${descriptor.digest}`, invalid);
}

function checkDescriptor(dir: string, value: unknown, where: string, invalid: InvalidLayout): Descriptor {
  const d = value as Partial<Descriptor> | null;
  if (
    typeof d !== "object" ||
    d === null ||
    typeof d.mediaType !== "string" ||
    typeof d.digest !== "string" ||
    typeof d.size !== "number"
  ) {
    throw invalid(dir, `${where} is not a descriptor (mediaType, digest, size)`);
  }
  return d as Descriptor;
}

/** The entry of index.json naming the image: the one tagged `tag`, or the only one. */
async function taggedEntry(
  dir: string,
  tag: string | undefined,
  invalid: InvalidLayout,
): Promise<Descriptor> {
  let text: string;
  try {
    text = await readFile(join(dir, "index.json"), "utf8");
  } catch (error) {
    throw invalid(dir, `cannot read index.json: ${(error as Error).message}`);
  }
  let top: ImageIndex;
  try {
    top = JSON.parse(text) as ImageIndex;
  } catch (error) {
    throw invalid(dir, `cannot read index.json: ${(error as Error).message}`);
  }
  if (!Array.isArray(top?.manifests)) throw invalid(dir, "index.json has no manifests list");
  const entries = top.manifests.map((m, i) => checkDescriptor(dir, m, `index.json manifests[${i}]`, invalid));
  const tags = entries.map((e) => e.annotations?.[REF_NAME] ?? "(untagged)");
  if (tag === undefined) {
    if (entries.length !== 1) {
      throw invalid(
        dir,
        `index.json holds ${entries.length} images (${tags.join(", ") || "none"}), not one`,
        "pass --tag <tag> to choose one",
      );
    }
    return entries[0] as Descriptor;
  }
  const entry = entries.find((e) => e.annotations?.[REF_NAME] === tag);
  if (entry === undefined) {
    throw invalid(
      dir,
      `no image tagged ${JSON.stringify(tag)} in index.json (it holds ${tags.join(", ") || "none"})`,
      "pass --tag with one of the tags listed",
    );
  }
  return entry;
}

/** A platform's manifest, checked: an image manifest with a platform, a config and a layers list. */
async function readPlatform(
  dir: string,
  index: LayoutIndex,
  value: unknown,
  where: string,
  invalid: InvalidLayout,
): Promise<PlatformImage> {
  const descriptor = checkDescriptor(dir, value, where, invalid);
  if (!isManifestType(descriptor.mediaType)) {
    throw invalid(
      dir,
      `index ${index.digest} lists ${descriptor.digest} of type ${descriptor.mediaType}, not an image manifest`,
    );
  }
  const platform = platformName(descriptor.platform);
  if (descriptor.platform === undefined || index.platforms.some((p) => p.platform === platform)) {
    throw invalid(
      dir,
      `index ${index.digest} lists ${descriptor.digest} with ${descriptor.platform === undefined ? "no platform" : `platform ${platform} twice`}`,
    );
  }
  const body = await readBlob(dir, descriptor, invalid);
  const manifest = parseJson<ImageManifest>(dir, body, `blob ${descriptor.digest}`, invalid);
  checkDescriptor(dir, manifest?.config, `manifest ${descriptor.digest} config`, invalid);
  if (!Array.isArray(manifest.layers)) throw invalid(dir, `manifest ${descriptor.digest} has no layers list`);
  for (const [l, layer] of manifest.layers.entries()) {
    checkDescriptor(dir, layer, `manifest ${descriptor.digest} layers[${l}]`, invalid);
  }
  return { platform, descriptor, manifest, body };
}

/**
 * The tagged image index of the layout (or its only image when no tag is given) and each
 * platform's manifest, checked against their digests.
 */
export async function readLayoutIndex(
  dir: string,
  tag?: string,
  invalid: InvalidLayout = invalidLayout,
): Promise<LayoutIndex> {
  const entry = await taggedEntry(dir, tag, invalid);
  if (!isIndexType(entry.mediaType)) {
    const kind = isManifestType(entry.mediaType) ? "a single-platform image" : "of type";
    throw invalid(dir, `the image ${entry.digest} is ${kind} ${entry.mediaType}, not a multi-platform index`);
  }
  const body = await readBlob(dir, entry, invalid);
  const index = parseJson<ImageIndex>(dir, body, `blob ${entry.digest}`, invalid);
  if (!Array.isArray(index?.manifests) || index.manifests.length === 0) {
    throw invalid(dir, `the index ${entry.digest} lists no platforms`);
  }
  const layout: LayoutIndex = {
    dir,
    tag: entry.annotations?.[REF_NAME] ?? "",
    digest: entry.digest,
    mediaType: entry.mediaType,
    body,
    platforms: [],
  };
  for (const [i, value] of index.manifests.entries()) {
    layout.platforms.push(
      await readPlatform(dir, layout, value, `index ${entry.digest} manifests[${i}]`, invalid),
    );
  }
  return layout;
}
