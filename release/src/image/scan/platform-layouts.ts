/**
 * Splits a multi-platform OCI image layout (what `image build --oci-layout DIR` writes: index.json
 * naming one image index by tag) into one single-platform layout per platform. Trivy's `--input`
 * on a multi-platform layout scans only the first platform, so each platform is scanned from its
 * own layout. Every blob is checked against its digest while it is copied: the digests recorded
 * are those of the bytes scanned.
 */
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { type Descriptor, type ImageIndex, OCI_INDEX } from "../media-types.js";
import {
  layoutBlobPath as blobPath,
  invalidLayout as invalid,
  type LayoutIndex,
  type PlatformImage,
  REF_NAME,
} from "../oci-layout-reader.js";

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
