/**
 * Writes small multi-platform OCI image layouts in TypeScript, laid out as
 * `kube9-release image build --oci-layout DIR` writes them (buildah's `oci:DIR:<tag>`): index.json
 * names one image index by tag, which lists one manifest per platform, each with a config and
 * one gzip layer. No builder or registry is needed, so scans and pushes can be tested on any
 * machine.
 */
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { pack } from "tar-stream";
import { OCI_INDEX, OCI_MANIFEST } from "../../release/src/image/media-types.js";

export interface PlatformContent {
  /** e.g. linux/amd64, linux/arm/v7 */
  platform: string;
  /** Files of the image's only layer, by path without a leading slash. */
  files: Record<string, string | Buffer>;
}

export interface WrittenLayout {
  dir: string;
  tag: string;
  /** Digest of the image index. */
  digest: string;
  platforms: Array<{ platform: string; digest: string; configDigest: string; layerDigest: string }>;
}

const LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";
const CONFIG = "application/vnd.oci.image.config.v1+json";
const REF_NAME = "org.opencontainers.image.ref.name";

function sha256(body: Buffer): string {
  return `sha256:${createHash("sha256").update(body).digest("hex")}`;
}

/** A tar of the files, sorted, owned by root, dated 1970: the same bytes every time. */
export async function tarOf(files: Record<string, string | Buffer>): Promise<Buffer> {
  const tar = pack();
  const chunks: Buffer[] = [];
  tar.on("data", (chunk: unknown) => chunks.push(chunk as Buffer));
  const ended = new Promise<void>((resolve, reject) => {
    tar.on("end", resolve);
    tar.on("error", reject);
  });
  for (const name of Object.keys(files).sort()) {
    const body = Buffer.from(files[name] ?? "");
    tar.entry({ name, size: body.length, mode: 0o644, mtime: new Date(0), uid: 0, gid: 0 }, body);
  }
  tar.finalize();
  await ended;
  return Buffer.concat(chunks);
}

function writeBlob(dir: string, body: Buffer, mediaType: string) {
  const digest = sha256(body);
  writeFileSync(join(dir, "blobs", "sha256", digest.slice("sha256:".length)), body);
  return { mediaType, digest, size: body.length };
}

function jsonBytes(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

/** Writes the layout into `dir` (created if missing) and returns its digests. */
export async function writeOciLayout(
  dir: string,
  tag: string,
  platforms: PlatformContent[],
): Promise<WrittenLayout> {
  mkdirSync(join(dir, "blobs", "sha256"), { recursive: true });
  const written: WrittenLayout["platforms"] = [];
  const manifests = [];
  for (const { platform, files } of platforms) {
    const [os = "", architecture = "", variant] = platform.split("/");
    const tar = await tarOf(files);
    const layer = writeBlob(dir, gzipSync(tar), LAYER);
    const config = writeBlob(
      dir,
      jsonBytes({
        architecture,
        os,
        ...(variant === undefined ? {} : { variant }),
        config: { Labels: { "org.opencontainers.image.version": tag } },
        rootfs: { type: "layers", diff_ids: [sha256(tar)] },
        history: [{ created: "1970-01-01T00:00:00Z", created_by: "test/support/oci-layout.ts" }],
      }),
      CONFIG,
    );
    const manifest = writeBlob(
      dir,
      jsonBytes({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [layer] }),
      OCI_MANIFEST,
    );
    manifests.push({
      ...manifest,
      platform: { os, architecture, ...(variant === undefined ? {} : { variant }) },
    });
    written.push({
      platform,
      digest: manifest.digest,
      configDigest: config.digest,
      layerDigest: layer.digest,
    });
  }
  const index = writeBlob(dir, jsonBytes({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }), OCI_INDEX);
  writeFileSync(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  writeFileSync(
    join(dir, "index.json"),
    JSON.stringify({ schemaVersion: 2, manifests: [{ ...index, annotations: { [REF_NAME]: tag } }] }),
  );
  return { dir, tag, digest: index.digest, platforms: written };
}

/**
 * The files Trivy reads to list a Debian 12 image's packages: os-release, debian_version and a
 * dpkg status naming libc6 (source package glibc) at `libc6Version`.
 */
export function debian12Root(architecture: string, libc6Version: string): Record<string, string> {
  return {
    "etc/os-release": [
      'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"',
      'NAME="Debian GNU/Linux"',
      'VERSION_ID="12"',
      'VERSION="12 (bookworm)"',
      "VERSION_CODENAME=bookworm",
      "ID=debian",
      "",
    ].join("\n"),
    "etc/debian_version": "12.8\n",
    "var/lib/dpkg/status": [
      "Package: libc6",
      "Status: install ok installed",
      "Priority: optional",
      "Section: libs",
      "Installed-Size: 12988",
      "Maintainer: GNU Libc Maintainers <debian-glibc@lists.debian.org>",
      `Architecture: ${architecture}`,
      "Multi-Arch: same",
      "Source: glibc",
      `Version: ${libc6Version}`,
      "Description: GNU C Library: Shared libraries",
      "",
    ].join("\n"),
  };
}

/** A two-platform (linux/amd64, linux/arm64) release image whose bytes differ by `seed`. */
export function writeReleaseLayout(dir: string, version: string, seed = version): Promise<WrittenLayout> {
  return writeOciLayout(
    dir,
    version,
    ["linux/amd64", "linux/arm64"].map((platform) => ({
      platform,
      files: { "etc/kube9-release": `${version} ${platform} ${seed}\n` },
    })),
  );
}
