/**
 * Everything a push of one image from an OCI layout sends, read and checked once: the blobs
 * (layers, configs), each platform's manifest and the index, in the order a registry accepts
 * them (a manifest only after its blobs, the index only after its manifests). Every body is
 * checked against its digest here, so what is pushed is byte for byte what was built and scanned.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ReleaseError } from "../../errors.js";
import { type Descriptor, type ImageIndex, type ImageManifest, isIndexType } from "../media-types.js";
import { ociBlobPath } from "../oci-blob-path.js";

export interface LayoutBlob {
  digest: string;
  size: number;
  path: string;
}

export interface LayoutManifest {
  digest: string;
  mediaType: string;
  body: Buffer;
}

export interface LayoutContents {
  /** Digest of the image index: the digest of the release. */
  digest: string;
  index: LayoutManifest;
  manifests: LayoutManifest[];
  blobs: LayoutBlob[];
}

function invalid(dir: string, message: string): ReleaseError {
  return new ReleaseError("IMAGE_INVALID", message, {
    file: dir,
    fix: "give the folder that `kube9-release image build --oci-layout` wrote, unchanged",
  });
}

function blobPath(dir: string, digest: string): string {
  const path = ociBlobPath(dir, digest);
  if (path === undefined) throw invalid(dir, `unsupported digest ${digest}`);
  return path;
}

async function readChecked(dir: string, descriptor: Descriptor): Promise<Buffer> {
  let body: Buffer;
  try {
    body = await readFile(blobPath(dir, descriptor.digest));
  } catch (error) {
    throw invalid(dir, `cannot read blob ${descriptor.digest}: ${(error as Error).message}`);
  }
  const digest = `sha256:${createHash("sha256").update(body).digest("hex")}`;
  if (digest !== descriptor.digest || body.length !== descriptor.size) {
    throw invalid(dir, `blob ${descriptor.digest} holds ${body.length} bytes with digest ${digest}`);
  }
  return body;
}

/** The image tagged `tag` in the layout's index.json (`org.opencontainers.image.ref.name`). */
export async function readLayoutContents(dir: string, tag: string): Promise<LayoutContents> {
  let top: ImageIndex;
  try {
    top = JSON.parse(await readFile(join(dir, "index.json"), "utf8")) as ImageIndex;
  } catch (error) {
    throw invalid(dir, `cannot read index.json: ${(error as Error).message}`);
  }
  const entry = top.manifests?.find((m) => m.annotations?.["org.opencontainers.image.ref.name"] === tag);
  if (entry === undefined) throw invalid(dir, `no image tagged ${tag} in index.json`);
  if (!isIndexType(entry.mediaType)) {
    throw invalid(dir, `${tag} is a single-platform image (${entry.mediaType}), not an index`);
  }
  const indexBody = await readChecked(dir, entry);
  const index = JSON.parse(indexBody.toString("utf8")) as ImageIndex;
  const manifests: LayoutManifest[] = [];
  const blobs = new Map<string, LayoutBlob>();
  for (const descriptor of index.manifests) {
    const body = await readChecked(dir, descriptor);
    const manifest = JSON.parse(body.toString("utf8")) as ImageManifest;
    for (const blob of [manifest.config, ...manifest.layers]) {
      // Layers are hashed by the registry on upload; their size and presence are checked here.
      blobs.set(blob.digest, { digest: blob.digest, size: blob.size, path: blobPath(dir, blob.digest) });
    }
    manifests.push({ digest: descriptor.digest, mediaType: descriptor.mediaType, body });
  }
  return {
    digest: entry.digest,
    index: { digest: entry.digest, mediaType: entry.mediaType, body: indexBody },
    manifests,
    blobs: [...blobs.values()],
  };
}
