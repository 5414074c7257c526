/**
 * Where an OCI image layout keeps a blob (image-spec "Image Layout": blobs/<alg>/<hex>). Only
 * sha256 is written by our builder and accepted by registries we push to; any other digest is
 * undefined here, and each reader refuses it with its own error.
 */
import { join } from "node:path";

export function ociBlobPath(layoutDir: string, digest: string): string | undefined {
  const hex = /^sha256:([0-9a-f]{64})$/.exec(digest)?.[1];
  return hex === undefined ? undefined : join(layoutDir, "blobs", "sha256", hex);
}
