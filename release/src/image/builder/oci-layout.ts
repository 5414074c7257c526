/**
 * Reads a multi-platform image from an OCI image layout (the directory a builder exports to):
 * the index, each platform's manifest and config, and the compressed and uncompressed size of
 * its layers. Every blob read is checked against its digest, so the figures describe exactly the
 * bytes that a push sends.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createGunzip } from "node:zlib";
import { ReleaseError } from "../../errors.js";
import {
  type Descriptor,
  type ImageConfig,
  type ImageIndex,
  type ImageManifest,
  isIndexType,
  platformName,
} from "../media-types.js";
import { ociBlobPath } from "../oci-blob-path.js";

export interface LayoutPlatform {
  platform: string;
  digest: string;
  /** Layers as stored (what a node downloads). */
  compressedBytes: number;
  /** Layers unpacked (what the image takes on a node's disk). */
  uncompressedBytes: number;
  layers: Descriptor[];
  labels: Record<string, string>;
}

export interface LayoutImage {
  digest: string;
  mediaType: string;
  platforms: LayoutPlatform[];
}

function invalid(dir: string, message: string): ReleaseError {
  return new ReleaseError("IMAGE_BUILD_FAILED", message, {
    file: dir,
    fix: "the builder's export is not a valid OCI image layout; rebuild",
  });
}

function blobPath(dir: string, digest: string): string {
  const path = ociBlobPath(dir, digest);
  if (path === undefined) throw invalid(dir, `unsupported digest ${digest}`);
  return path;
}

async function readBlob(dir: string, descriptor: Descriptor): Promise<Buffer> {
  const path = blobPath(dir, descriptor.digest);
  let body: Buffer;
  try {
    body = await readFile(path);
  } catch (error) {
    throw invalid(dir, `cannot read blob ${descriptor.digest}: ${(error as Error).message}`);
  }
  const digest = `sha256:${createHash("sha256").update(body).digest("hex")}`;
  if (digest !== descriptor.digest || body.length !== descriptor.size) {
    throw invalid(dir, `blob ${descriptor.digest} holds ${body.length} bytes with digest ${digest}`);
  }
  return body;
}

async function readJson<T>(dir: string, descriptor: Descriptor): Promise<T> {
  return JSON.parse((await readBlob(dir, descriptor)).toString("utf8")) as T;
}

/**
 * Bytes of a layer once unpacked: gzip layers are inflated and counted, tar layers are as stored.
 * The stored bytes are checked against the layer's digest and size on the way.
 */
async function unpackedSize(dir: string, layer: Descriptor): Promise<number> {
  const gzip = layer.mediaType.endsWith("+gzip") || layer.mediaType.endsWith(".gzip");
  if (!gzip && /zstd/.test(layer.mediaType)) throw invalid(dir, `cannot measure zstd layer ${layer.digest}`);
  const path = blobPath(dir, layer.digest);
  const hash = createHash("sha256");
  let stored = 0;
  let unpacked = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const source = createReadStream(path);
      source.on("error", reject);
      source.on("data", (chunk: string | Buffer) => {
        hash.update(chunk);
        stored += chunk.length;
      });
      if (!gzip) {
        source.on("end", resolve);
        return;
      }
      const gunzip = createGunzip();
      gunzip.on("data", (chunk: Buffer) => {
        unpacked += chunk.length;
      });
      gunzip.on("end", resolve);
      gunzip.on("error", reject);
      source.pipe(gunzip);
    });
  } catch (error) {
    throw invalid(dir, `cannot read layer ${layer.digest}: ${(error as Error).message}`);
  }
  const digest = `sha256:${hash.digest("hex")}`;
  if (digest !== layer.digest || stored !== layer.size) {
    throw invalid(dir, `blob ${layer.digest} holds ${stored} bytes with digest ${digest}`);
  }
  return gzip ? unpacked : stored;
}

/** The image tagged `tag` in the layout at `dir` (`org.opencontainers.image.ref.name`). */
export async function readOciLayout(dir: string, tag: string): Promise<LayoutImage> {
  let top: ImageIndex;
  try {
    top = JSON.parse(await readFile(join(dir, "index.json"), "utf8")) as ImageIndex;
  } catch (error) {
    throw invalid(dir, `cannot read index.json: ${(error as Error).message}`);
  }
  const entry = top.manifests.find((m) => m.annotations?.["org.opencontainers.image.ref.name"] === tag);
  if (entry === undefined) throw invalid(dir, `no image tagged ${tag} in index.json`);
  if (!isIndexType(entry.mediaType)) {
    throw invalid(dir, `${tag} is a single-platform image (${entry.mediaType}), not an index`);
  }
  const index = await readJson<ImageIndex>(dir, entry);
  const platforms: LayoutPlatform[] = [];
  for (const descriptor of index.manifests) {
    const manifest = await readJson<ImageManifest>(dir, descriptor);
    const config = await readJson<ImageConfig>(dir, manifest.config);
    let uncompressedBytes = 0;
    for (const layer of manifest.layers) uncompressedBytes += await unpackedSize(dir, layer);
    platforms.push({
      platform: platformName(descriptor.platform),
      digest: descriptor.digest,
      compressedBytes: manifest.layers.reduce((sum, layer) => sum + layer.size, 0),
      uncompressedBytes,
      layers: manifest.layers,
      labels: config.config?.Labels ?? {},
    });
  }
  return { digest: entry.digest, mediaType: entry.mediaType, platforms };
}
