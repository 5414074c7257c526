/**
 * Writes small multi-platform images as OCI image layouts on disk, in the shape
 * `kube9-release image build --oci-layout` leaves them (index.json naming one image index by its
 * tag, blobs under blobs/sha256), for tests of the commands that read a layout (push, scan)
 * without running a builder.
 */
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

export interface LayoutPlatform {
  os: string;
  architecture: string;
  labels?: Record<string, string>;
  /** Layer contents, stored as given (gzip them yourself, or use syntheticLayer). */
  layers: Buffer[];
}

export interface WrittenLayout {
  dir: string;
  /** Digest of the image index. */
  digest: string;
  platforms: Array<{ platform: string; digest: string }>;
}

const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
const OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";

const digestOf = (data: Buffer) => `sha256:${createHash("sha256").update(data).digest("hex")}`;

/** A small gzip layer whose bytes differ by `seed`. */
export function syntheticLayer(seed: string): Buffer {
  return gzipSync(Buffer.from(`synthetic layer ${seed}\n`.repeat(64)));
}

function writeBlob(dir: string, data: Buffer): { digest: string; size: number } {
  const digest = digestOf(data);
  writeFileSync(join(dir, "blobs", "sha256", digest.slice("sha256:".length)), data);
  return { digest, size: data.length };
}

export function writeOciLayout(dir: string, tag: string, platforms: LayoutPlatform[]): WrittenLayout {
  mkdirSync(join(dir, "blobs", "sha256"), { recursive: true });
  writeFileSync(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  const manifests = platforms.map((spec) => {
    const config = Buffer.from(
      JSON.stringify({
        architecture: spec.architecture,
        os: spec.os,
        config: { Labels: spec.labels ?? {} },
        rootfs: { type: "layers", diff_ids: spec.layers.map((l) => digestOf(l)) },
      }),
    );
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: OCI_CONFIG, ...writeBlob(dir, config) },
        layers: spec.layers.map((data) => ({ mediaType: OCI_LAYER, ...writeBlob(dir, data) })),
      }),
    );
    return {
      mediaType: OCI_MANIFEST,
      ...writeBlob(dir, manifest),
      platform: { os: spec.os, architecture: spec.architecture },
    };
  });
  const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }));
  const indexBlob = writeBlob(dir, index);
  writeFileSync(
    join(dir, "index.json"),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        { mediaType: OCI_INDEX, ...indexBlob, annotations: { "org.opencontainers.image.ref.name": tag } },
      ],
    }),
  );
  return {
    dir,
    digest: indexBlob.digest,
    platforms: manifests.map((m) => ({
      platform: `${m.platform.os}/${m.platform.architecture}`,
      digest: m.digest,
    })),
  };
}

/** A two-platform (linux/amd64, linux/arm64) synthetic release image. */
export function writeReleaseLayout(dir: string, version: string, seed = version): WrittenLayout {
  return writeOciLayout(
    dir,
    version,
    ["amd64", "arm64"].map((architecture) => ({
      os: "linux",
      architecture,
      labels: { "org.opencontainers.image.version": version },
      layers: [syntheticLayer(`base-${architecture}`), syntheticLayer(`app-${architecture}-${seed}`)],
    })),
  );
}
