/**
 * Reads a multi-platform image from an OCI image layout (the directory a builder exports to):
 * the index, each platform's manifest and config, and the compressed and uncompressed size of
 * its layers. Every blob read is checked against its digest, so the figures describe exactly the
 * bytes that a push sends.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { createGunzip } from "node:zlib";
import { ReleaseError } from "../../errors.js";
import type { Descriptor, ImageConfig } from "../media-types.js";
import { type InvalidLayout, layoutBlobPath, readJsonBlob, readLayoutIndex } from "../oci-layout-reader.js";

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

const invalid: InvalidLayout = (dir, message) =>
  new ReleaseError("IMAGE_BUILD_FAILED", message, {
    file: dir,
    fix: "the builder's export is not a valid OCI image layout; rebuild",
  });

/**
 * Bytes of a layer once unpacked: gzip layers are inflated and counted, tar layers are as stored.
 * The stored bytes are checked against the layer's digest and size on the way.
 */
async function unpackedSize(dir: string, layer: Descriptor): Promise<number> {
  const gzip = layer.mediaType.endsWith("+gzip") || layer.mediaType.endsWith(".gzip");
  if (!gzip && /zstd/.test(layer.mediaType)) throw invalid(dir, `cannot measure zstd layer ${layer.digest}`);
  const path = layoutBlobPath(dir, layer.digest, invalid);
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
  const index = await readLayoutIndex(dir, tag, invalid);
  const platforms: LayoutPlatform[] = [];
  for (const { platform, descriptor, manifest } of index.platforms) {
    const config = await readJsonBlob<ImageConfig>(dir, manifest.config, invalid);
    let uncompressedBytes = 0;
    for (const layer of manifest.layers) uncompressedBytes += await unpackedSize(dir, layer);
    platforms.push({
      platform,
      digest: descriptor.digest,
      compressedBytes: manifest.layers.reduce((sum, layer) => sum + layer.size, 0),
      uncompressedBytes,
      layers: manifest.layers,
      labels: config.config?.Labels ?? {},
    });
  }
  return { digest: index.digest, mediaType: index.mediaType, platforms };
}
