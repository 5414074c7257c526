/**
 * Everything a push of one image from an OCI layout sends, read and checked once: the blobs
 * (layers, configs), each platform's manifest and the index, in the order a registry accepts
 * them (a manifest only after its blobs, the index only after its manifests). The index and the
 * manifests are checked against their digests by the layout reader, so what is pushed is byte for
 * byte what was built and scanned.
 */
import { layoutBlobPath, readLayoutIndex } from "../oci-layout-reader.js";

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

/** The image tagged `tag` in the layout's index.json (`org.opencontainers.image.ref.name`). */
export async function readLayoutContents(dir: string, tag: string): Promise<LayoutContents> {
  const layout = await readLayoutIndex(dir, tag);
  const blobs = new Map<string, LayoutBlob>();
  for (const { manifest } of layout.platforms) {
    for (const blob of [manifest.config, ...manifest.layers]) {
      // Layers are hashed by the registry on upload; their size and presence are checked here.
      blobs.set(blob.digest, {
        digest: blob.digest,
        size: blob.size,
        path: layoutBlobPath(dir, blob.digest),
      });
    }
  }
  return {
    digest: layout.digest,
    index: { digest: layout.digest, mediaType: layout.mediaType, body: layout.body },
    manifests: layout.platforms.map((p) => ({
      digest: p.descriptor.digest,
      mediaType: p.descriptor.mediaType,
      body: p.body,
    })),
    blobs: [...blobs.values()],
  };
}
