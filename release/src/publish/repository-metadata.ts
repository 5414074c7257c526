/**
 * Puts artifacthub-repo.yml next to index.yaml, before the index write: Artifact Hub reads it
 * when it sees index.yaml change, so it must be in place by then.
 *
 * Unlike an archive, this file is the maintainer's settings (the repository ID, the owners, the
 * ignore list), not a published artifact: the copy in the repository at the released commit is
 * the truth, and a different stored one is replaced. The write is still conditional (created
 * only if absent, replaced only if unchanged since it was read), so a file someone changed in the
 * meantime is read again and compared instead of overwritten unseen; the bucket keeps the earlier
 * version.
 */

import { REPOSITORY_METADATA_KEY } from "../artifacthub/repository-metadata.js";
import { isReleaseError, ReleaseError } from "../errors.js";
import { objectPolicyFor } from "../storage/object-policy.js";
import type { Store } from "../storage/store.js";

export type RepositoryMetadataResult = "created" | "updated" | "unchanged";

const MAX_ATTEMPTS = 5;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}

export async function putRepositoryMetadata(
  store: Store,
  bytes: Uint8Array,
  log: (line: string) => void,
): Promise<RepositoryMetadataResult> {
  const key = REPOSITORY_METADATA_KEY;
  const policy = objectPolicyFor(key);
  const options = { contentType: policy.contentType, cacheControl: policy.cacheControl };
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    const stored = await store.get(key);
    if (stored !== undefined && sameBytes(stored.body, bytes)) {
      log(`${key}: already up to date`);
      return "unchanged";
    }
    try {
      if (stored === undefined) await store.putIfAbsent(key, bytes, options);
      else await store.putIfMatch(key, bytes, stored.etag, options);
      log(`${key}: ${stored === undefined ? "created" : "updated"}`);
      return stored === undefined ? "created" : "updated";
    } catch (error) {
      if (!isReleaseError(error, "PRECONDITION_FAILED")) throw error;
      log(`${key}: changed by another writer meanwhile; reading it again`);
    }
  }
  throw new ReleaseError("PRECONDITION_FAILED", `${key} kept changing while this publish wrote it`, {
    file: `${store.location}/${key}`,
    fix: "another publisher is writing it at the same time; re-run when it is done",
  });
}
