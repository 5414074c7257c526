/**
 * Splits a multi-platform OCI image layout (what `image build --oci-layout DIR` writes: index.json
 * naming one image index by tag) into one single-platform layout per platform. Trivy's `--input`
 * on a multi-platform layout scans only the first platform, so each platform is scanned from its
 * own layout. Every blob is checked against its digest while it is copied: the digests recorded
 * are those of the bytes scanned.
 */
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { ReleaseError } from "../../errors.js";
import {
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
  isIndexType,
  isManifestType,
  OCI_INDEX,
  platformName,
} from "../media-types.js";
import { ociBlobPath } from "../oci-blob-path.js";

const REF_NAME = "org.opencontainers.image.ref.name";

export interface PlatformImage {
  platform: string;
  /** The platform's manifest in the index: its digest is what a registry serves for it. */
  descriptor: Descriptor;
  manifest: ImageManifest;
}

export interface LayoutIndex {
  dir: string;
  tag: string;
  /** Digest of the image index: what the release tags point to once pushed. */
  digest: string;
  mediaType: string;
  platforms: PlatformImage[];
}

function invalid(dir: string, message: string, fix?: string): ReleaseError {
  return new ReleaseError("IMAGE_INVALID", `not a multi-platform OCI image layout: ${message}`, {
    file: dir,
    fix: fix ?? "give the folder written by `kube9-release image build <version> --oci-layout DIR`",
  });
}

function blobPath(dir: string, digest: string): string {
  const path = ociBlobPath(dir, digest);
  if (path === undefined) throw invalid(dir, `unsupported digest ${JSON.stringify(digest)}`);
  return path;
}

function sha256(body: Buffer): string {
  return `sha256:${createHash("sha256").update(body).digest("hex")}`;
}

function checkDescriptor(dir: string, value: unknown, where: string): Descriptor {
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

export async function readJsonBlob<T>(dir: string, descriptor: Descriptor): Promise<T> {
  let body: Buffer;
  try {
    body = await readFile(blobPath(dir, descriptor.digest));
  } catch (error) {
    throw invalid(dir, `cannot read blob ${descriptor.digest}: ${(error as Error).message}`);
  }
  const digest = sha256(body);
  if (digest !== descriptor.digest || body.length !== descriptor.size) {
    throw invalid(dir, `blob ${descriptor.digest} holds ${body.length} bytes with digest ${digest}`);
  }
  try {
    return JSON.parse(body.toString("utf8")) as T;
  } catch (error) {
    throw invalid(dir, `blob ${descriptor.digest} is not JSON: ${(error as Error).message}`);
  }
}

/** The image of index.json tagged `tag`, or its only image when no tag is given. */
async function chooseImage(dir: string, tag: string | undefined): Promise<Descriptor> {
  let top: ImageIndex;
  try {
    top = JSON.parse(await readFile(join(dir, "index.json"), "utf8")) as ImageIndex;
  } catch (error) {
    throw invalid(dir, `cannot read index.json: ${(error as Error).message}`);
  }
  if (!Array.isArray(top?.manifests)) throw invalid(dir, "index.json has no manifests list");
  const entries = top.manifests.map((m, i) => checkDescriptor(dir, m, `index.json manifests[${i}]`));
  const tags = entries.map((e) => e.annotations?.[REF_NAME] ?? "(untagged)");
  if (tag !== undefined) {
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
  if (entries.length !== 1) {
    throw invalid(
      dir,
      `index.json holds ${entries.length} images (${tags.join(", ") || "none"}), not one`,
      "pass --tag <tag> to choose one",
    );
  }
  return entries[0] as Descriptor;
}

/** The tagged image index of the layout and each platform's manifest, checked against their digests. */
export async function readLayoutIndex(dir: string, tag?: string): Promise<LayoutIndex> {
  const entry = await chooseImage(dir, tag);
  if (!isIndexType(entry.mediaType)) {
    throw invalid(dir, `the image ${entry.digest} is ${entry.mediaType}, not a multi-platform index`);
  }
  const index = await readJsonBlob<ImageIndex>(dir, entry);
  if (!Array.isArray(index?.manifests) || index.manifests.length === 0) {
    throw invalid(dir, `the index ${entry.digest} lists no platforms`);
  }
  const platforms: PlatformImage[] = [];
  for (const [i, value] of index.manifests.entries()) {
    const descriptor = checkDescriptor(dir, value, `index ${entry.digest} manifests[${i}]`);
    if (!isManifestType(descriptor.mediaType)) {
      throw invalid(
        dir,
        `index ${entry.digest} lists ${descriptor.digest} of type ${descriptor.mediaType}, not an image manifest`,
      );
    }
    const platform = platformName(descriptor.platform);
    if (descriptor.platform === undefined || platforms.some((p) => p.platform === platform)) {
      throw invalid(
        dir,
        `index ${entry.digest} lists ${descriptor.digest} with ${descriptor.platform === undefined ? "no platform" : `platform ${platform} twice`}`,
      );
    }
    const manifest = await readJsonBlob<ImageManifest>(dir, descriptor);
    checkDescriptor(dir, manifest?.config, `manifest ${descriptor.digest} config`);
    if (!Array.isArray(manifest.layers))
      throw invalid(dir, `manifest ${descriptor.digest} has no layers list`);
    for (const [l, layer] of manifest.layers.entries()) {
      checkDescriptor(dir, layer, `manifest ${descriptor.digest} layers[${l}]`);
    }
    platforms.push({ platform, descriptor, manifest });
  }
  return {
    dir,
    tag: entry.annotations?.[REF_NAME] ?? "",
    digest: entry.digest,
    mediaType: entry.mediaType,
    platforms,
  };
}

/** Copies a blob, checking its digest and size on the way; a mismatch leaves nothing usable. */
async function copyBlob(source: string, target: string, descriptor: Descriptor): Promise<void> {
  const hash = createHash("sha256");
  let size = 0;
  try {
    const input = createReadStream(blobPath(source, descriptor.digest));
    input.on("data", (chunk: string | Buffer) => {
      hash.update(chunk);
      size += chunk.length;
    });
    await pipeline(input, createWriteStream(blobPath(target, descriptor.digest), { flags: "wx" }));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return;
    throw invalid(source, `cannot read blob ${descriptor.digest}: ${(error as Error).message}`);
  }
  const digest = `sha256:${hash.digest("hex")}`;
  if (digest !== descriptor.digest || size !== descriptor.size) {
    throw invalid(source, `blob ${descriptor.digest} holds ${size} bytes with digest ${digest}`);
  }
}

/**
 * Writes `target` (a new folder) as an OCI layout holding only `image`: its manifest, config and
 * layers, copied from the source layout, and an index.json naming that manifest with `tag`.
 */
export async function writePlatformLayout(
  layout: LayoutIndex,
  image: PlatformImage,
  target: string,
): Promise<void> {
  await mkdir(join(target, "blobs", "sha256"), { recursive: true });
  for (const descriptor of [image.descriptor, image.manifest.config, ...image.manifest.layers]) {
    await copyBlob(layout.dir, target, descriptor);
  }
  const index: ImageIndex = {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [
      layout.tag === ""
        ? image.descriptor
        : { ...image.descriptor, annotations: { ...image.descriptor.annotations, [REF_NAME]: layout.tag } },
    ],
  };
  await writeFile(join(target, "oci-layout"), `${JSON.stringify({ imageLayoutVersion: "1.0.0" })}\n`);
  await writeFile(join(target, "index.json"), `${JSON.stringify(index)}\n`);
}
