/**
 * The objects a chart repository has, and how each may be written: the repository policy's
 * written kinds (@kube9/release/policy, the list kube9-release writes by), one row per key
 * pattern. The one list the bucket policy (conditional writes) and the publisher role (which keys
 * it may write at all) are built from. S3 policies have no condition key for Content-Type, so it
 * is not enforced here: the client sets it, and the CDN's nosniff and Content-Security-Policy
 * keep a wrong one from doing harm in a browser.
 */
import { INDEX, WRITTEN_KINDS, type WriteRule } from "@kube9/release/policy";

export type { WriteRule };

export interface RepositoryObject {
  /** S3 key pattern (IAM wildcard: `*` also crosses `/`, so prefixed repositories match too). */
  readonly pattern: string;
  readonly contentType: string;
  readonly write: WriteRule;
}

export const REPOSITORY_OBJECTS: readonly RepositoryObject[] = WRITTEN_KINDS.flatMap(
  ({ keyPatterns, contentType, write }) =>
    write === undefined ? [] : keyPatterns.map((pattern) => ({ pattern, contentType, write })),
);

export function patternsWritten(rule: WriteRule): string[] {
  return REPOSITORY_OBJECTS.filter((o) => o.write === rule).map((o) => o.pattern);
}

/** The index keys: the only objects whose earlier versions a rollback reads. */
export const INDEX_KEY_PATTERNS: readonly string[] = INDEX.keyPatterns;
