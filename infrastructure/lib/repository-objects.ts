/**
 * The objects a chart repository has, and how each may be written. The one list the bucket policy
 * (conditional writes) and the publisher role (which keys it may write at all) are built from;
 * the Content-Type is what kube9-release sets on upload (release/src/storage/object-policy.ts, a
 * test keeps the two equal). S3 policies have no condition key for Content-Type, so it is not
 * enforced here: the client sets it, and the CDN's nosniff and Content-Security-Policy keep a
 * wrong one from doing harm in a browser.
 */

export type WriteRule =
  /** Written once and never replaced: PutObject must carry `If-None-Match: *`. */
  | "create-only"
  /** Replaced by compare-and-swap: PutObject must carry `If-Match` or `If-None-Match`. */
  | "compare-and-swap";

export interface RepositoryObject {
  /** S3 key pattern (IAM wildcard: `*` also crosses `/`, so prefixed repositories match too). */
  readonly pattern: string;
  readonly contentType: string;
  readonly write: WriteRule;
}

export const REPOSITORY_OBJECTS: readonly RepositoryObject[] = [
  { pattern: "*.tgz", contentType: "application/gzip", write: "create-only" },
  { pattern: "*.prov", contentType: "application/pgp-signature", write: "create-only" },
  { pattern: "index.yaml", contentType: "application/yaml", write: "compare-and-swap" },
  { pattern: "*/index.yaml", contentType: "application/yaml", write: "compare-and-swap" },
];

export function patternsWritten(rule: WriteRule): string[] {
  return REPOSITORY_OBJECTS.filter((o) => o.write === rule).map((o) => o.pattern);
}

/** The index keys: the only objects whose earlier versions a rollback reads. */
export const INDEX_KEY_PATTERNS = patternsWritten("compare-and-swap");
