import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readOciLayout } from "../../../src/image/builder/oci-layout.js";
import { type Descriptor, OCI_INDEX, OCI_MANIFEST } from "../../../src/image/media-types.js";
import { rejectionOf } from "../../support/refusal.js";

const LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
const LAYER_TAR = "application/vnd.oci.image.layer.v1.tar";
const CONFIG = "application/vnd.oci.image.config.v1+json";
const REF_NAME = "org.opencontainers.image.ref.name";

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "kube9-oci-layout-"));
  mkdirSync(join(dir, "blobs", "sha256"), { recursive: true });
  writeFileSync(join(dir, "oci-layout"), '{"imageLayoutVersion":"1.0.0"}');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function blobFile(digest: string): string {
  return join(dir, "blobs", "sha256", digest.slice("sha256:".length));
}

function writeBlob(mediaType: string, body: Buffer | string, extra: Partial<Descriptor> = {}): Descriptor {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, "utf8");
  const digest = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
  writeFileSync(blobFile(digest), bytes);
  return { mediaType, digest, size: bytes.length, ...extra };
}

/** Bytes that do not compress to nothing, so compressed and uncompressed sizes differ visibly. */
function content(seed: string, length: number): Buffer {
  let text = "";
  for (let i = 0; text.length < length; i++) text += `${seed}-${i}\n`;
  return Buffer.from(text.slice(0, length));
}

interface PlatformSpec {
  os: string;
  architecture: string;
  variant?: string;
  labels: Record<string, string> | null;
  layers: Array<{ mediaType: string; body: Buffer }>;
}

function writeManifest(spec: PlatformSpec): Descriptor {
  const config = writeBlob(
    CONFIG,
    JSON.stringify({
      architecture: spec.architecture,
      os: spec.os,
      config: { Labels: spec.labels, Env: ["PATH=/usr/bin"] },
      rootfs: { type: "layers", diff_ids: [] },
    }),
  );
  const layers = spec.layers.map((layer) => writeBlob(layer.mediaType, layer.body));
  return writeBlob(
    OCI_MANIFEST,
    JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers }),
    {
      platform: {
        os: spec.os,
        architecture: spec.architecture,
        ...(spec.variant === undefined ? {} : { variant: spec.variant }),
      },
    },
  );
}

function writeIndexJson(manifests: Descriptor[]): void {
  writeFileSync(
    join(dir, "index.json"),
    JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }),
  );
}

const AMD64_LAYER = content("amd64", 5000);
const ARM64_LAYERS = [content("arm64-base", 3000), content("arm64-app", 7000)];
const LABELS = {
  "org.opencontainers.image.version": "1.2.3",
  "org.opencontainers.image.title": "kube9-operator",
};

interface Built {
  index: Descriptor;
  amd64: Descriptor;
  arm64: Descriptor;
}

/** A two-platform image tagged 1.2.3, as `buildah manifest push --all --format oci` writes it. */
function writeTwoPlatformImage(): Built {
  const amd64 = writeManifest({
    os: "linux",
    architecture: "amd64",
    labels: LABELS,
    layers: [{ mediaType: LAYER_GZIP, body: gzipSync(AMD64_LAYER) }],
  });
  const arm64 = writeManifest({
    os: "linux",
    architecture: "arm64",
    variant: "v8",
    labels: { ...LABELS, extra: "arm" },
    layers: ARM64_LAYERS.map((body) => ({ mediaType: LAYER_GZIP, body: gzipSync(body) })),
  });
  const index = writeBlob(
    OCI_INDEX,
    JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [amd64, arm64] }),
    {
      annotations: { [REF_NAME]: "1.2.3" },
    },
  );
  return { index, amd64, arm64 };
}

describe("readOciLayout", () => {
  it("reads the tagged index: digest, platforms, sizes and labels", async () => {
    const built = writeTwoPlatformImage();
    const other = writeManifest({ os: "linux", architecture: "amd64", labels: null, layers: [] });
    writeIndexJson([
      { ...other, mediaType: OCI_MANIFEST, annotations: { [REF_NAME]: "other" } },
      built.index,
    ]);

    const image = await readOciLayout(dir, "1.2.3");

    expect(image.digest).toBe(built.index.digest);
    expect(image.mediaType).toBe(OCI_INDEX);
    expect(image.platforms.map((p) => [p.platform, p.digest])).toEqual([
      ["linux/amd64", built.amd64.digest],
      ["linux/arm64/v8", built.arm64.digest],
    ]);
    const [amd64, arm64] = image.platforms;
    expect(amd64?.compressedBytes).toBe(gzipSync(AMD64_LAYER).length);
    expect(amd64?.uncompressedBytes).toBe(5000);
    expect(amd64?.layers).toHaveLength(1);
    expect(amd64?.labels).toEqual(LABELS);
    expect(arm64?.compressedBytes).toBe(ARM64_LAYERS.reduce((sum, body) => sum + gzipSync(body).length, 0));
    expect(arm64?.uncompressedBytes).toBe(10_000);
    expect(arm64?.layers.map((l) => l.size)).toEqual(ARM64_LAYERS.map((body) => gzipSync(body).length));
    expect(arm64?.labels).toEqual({ ...LABELS, extra: "arm" });
  });

  it("counts an uncompressed tar layer as stored and a config without labels as no labels", async () => {
    const tar = content("tar", 2048);
    const manifest = writeManifest({
      os: "linux",
      architecture: "s390x",
      labels: null,
      layers: [
        { mediaType: LAYER_TAR, body: tar },
        { mediaType: LAYER_GZIP, body: gzipSync(content("gz", 100)) },
      ],
    });
    const index = writeBlob(OCI_INDEX, JSON.stringify({ schemaVersion: 2, manifests: [manifest] }), {
      annotations: { [REF_NAME]: "2.0.0" },
    });
    writeIndexJson([index]);
    const [only] = (await readOciLayout(dir, "2.0.0")).platforms;
    expect(only?.platform).toBe("linux/s390x");
    expect(only?.uncompressedBytes).toBe(2048 + 100);
    expect(only?.compressedBytes).toBe(2048 + gzipSync(content("gz", 100)).length);
    expect(only?.labels).toEqual({});
  });

  it("refuses a tag that the layout does not hold", async () => {
    writeIndexJson([writeTwoPlatformImage().index]);
    const error = await rejectionOf(readOciLayout(dir, "9.9.9"));
    expect(error.code).toBe("IMAGE_BUILD_FAILED");
    expect(error.file).toBe(dir);
    expect(error.message).toContain(`no image tagged "9.9.9"`);
  });

  it("refuses a manifest blob whose bytes do not match its digest", async () => {
    const built = writeTwoPlatformImage();
    writeIndexJson([built.index]);
    const tampered = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: built.amd64,
      layers: [],
    });
    writeFileSync(blobFile(built.amd64.digest), tampered);
    const error = await rejectionOf(readOciLayout(dir, "1.2.3"));
    expect(error.code).toBe("IMAGE_BUILD_FAILED");
    expect(error.message).toContain(`blob ${built.amd64.digest}`);
  });

  it("refuses a blob that was replaced by bytes of the same length", async () => {
    const built = writeTwoPlatformImage();
    writeIndexJson([built.index]);
    const path = blobFile(built.index.digest);
    writeFileSync(path, readFileSync(path, "utf8").replace('"linux"', '"LINUX"'));
    const error = await rejectionOf(readOciLayout(dir, "1.2.3"));
    expect(error.code).toBe("IMAGE_BUILD_FAILED");
    expect(error.message).toContain(built.index.digest);
  });

  it("refuses a layer whose bytes do not match its digest", async () => {
    const built = writeTwoPlatformImage();
    writeIndexJson([built.index]);
    const layerDigest = `sha256:${createHash("sha256").update(gzipSync(AMD64_LAYER)).digest("hex")}`;
    const forged = gzipSync(content("forged", 5000));
    writeFileSync(blobFile(layerDigest), forged);
    const error = await rejectionOf(readOciLayout(dir, "1.2.3"));
    expect(error.code).toBe("IMAGE_BUILD_FAILED");
    expect(error.message).toContain(layerDigest);
  });

  it("refuses an uncompressed layer whose bytes do not match its digest", async () => {
    const tar = content("tar", 2048);
    const manifest = writeManifest({
      os: "linux",
      architecture: "amd64",
      labels: LABELS,
      layers: [{ mediaType: LAYER_TAR, body: tar }],
    });
    const index = writeBlob(OCI_INDEX, JSON.stringify({ schemaVersion: 2, manifests: [manifest] }), {
      annotations: { [REF_NAME]: "1.2.3" },
    });
    writeIndexJson([index]);
    const layerDigest = `sha256:${createHash("sha256").update(tar).digest("hex")}`;
    writeFileSync(blobFile(layerDigest), content("TAR", 2048));
    const error = await rejectionOf(readOciLayout(dir, "1.2.3"));
    expect(error.code).toBe("IMAGE_BUILD_FAILED");
    expect(error.message).toContain(layerDigest);
  });

  it("reports a gzip layer that does not inflate as a broken layout, not a crash", async () => {
    const manifest = writeManifest({
      os: "linux",
      architecture: "amd64",
      labels: LABELS,
      layers: [{ mediaType: LAYER_GZIP, body: Buffer.from("these bytes are not gzip") }],
    });
    const index = writeBlob(OCI_INDEX, JSON.stringify({ schemaVersion: 2, manifests: [manifest] }), {
      annotations: { [REF_NAME]: "1.2.3" },
    });
    writeIndexJson([index]);
    const error = await rejectionOf(readOciLayout(dir, "1.2.3"));
    expect(error.code).toBe("IMAGE_BUILD_FAILED");
    expect(error.file).toBe(dir);
  });

  it("reports a missing layer blob as a broken layout, not a crash", async () => {
    const built = writeTwoPlatformImage();
    writeIndexJson([built.index]);
    rmSync(blobFile(`sha256:${createHash("sha256").update(gzipSync(AMD64_LAYER)).digest("hex")}`));
    const error = await rejectionOf(readOciLayout(dir, "1.2.3"));
    expect(error.code).toBe("IMAGE_BUILD_FAILED");
    expect(error.message).toContain("ENOENT");
  });

  it("reports a missing manifest blob as a broken layout, not a crash", async () => {
    const built = writeTwoPlatformImage();
    writeIndexJson([built.index]);
    rmSync(blobFile(built.arm64.digest));
    const error = await rejectionOf(readOciLayout(dir, "1.2.3"));
    expect(error.code).toBe("IMAGE_BUILD_FAILED");
    expect(error.message).toContain(built.arm64.digest);
    expect(error.message).toContain("ENOENT");
  });

  it("refuses a single-platform manifest where an index is expected", async () => {
    const manifest = writeManifest({ os: "linux", architecture: "amd64", labels: LABELS, layers: [] });
    writeIndexJson([{ ...manifest, annotations: { [REF_NAME]: "1.2.3" } }]);
    const error = await rejectionOf(readOciLayout(dir, "1.2.3"));
    expect(error.code).toBe("IMAGE_BUILD_FAILED");
    expect(error.message).toContain("single-platform");
  });

  it("refuses a directory without index.json", async () => {
    writeTwoPlatformImage();
    const error = await rejectionOf(readOciLayout(dir, "1.2.3"));
    expect(error.code).toBe("IMAGE_BUILD_FAILED");
    expect(error.file).toBe(dir);
    expect(error.message).toContain("index.json");
  });

  it("refuses a zstd layer, whose unpacked size it cannot measure", async () => {
    const manifest = writeManifest({
      os: "linux",
      architecture: "amd64",
      labels: LABELS,
      layers: [
        { mediaType: "application/vnd.oci.image.layer.v1.tar+zstd", body: Buffer.from("not really zstd") },
      ],
    });
    const index = writeBlob(OCI_INDEX, JSON.stringify({ schemaVersion: 2, manifests: [manifest] }), {
      annotations: { [REF_NAME]: "1.2.3" },
    });
    writeIndexJson([index]);
    const error = await rejectionOf(readOciLayout(dir, "1.2.3"));
    expect(error.code).toBe("IMAGE_BUILD_FAILED");
    expect(error.message).toContain("zstd");
  });
});
