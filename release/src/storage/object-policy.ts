/**
 * How each kind of repository object is served: its Content-Type and Cache-Control, as header
 * strings. The stores write them at upload and the local server sends them; the figures come from
 * the shared repository policy (policy/repository-policy.ts), which the CDN's cache policies read
 * too.
 */
import {
  ARCHIVE,
  cacheControlOf,
  INDEX,
  type ObjectKind,
  objectKindOf,
} from "../policy/repository-policy.js";

export interface ObjectPolicy {
  contentType: string;
  cacheControl: string;
  /** Whether a client that asks may receive it compressed. Never true for an archive. */
  compressible: boolean;
}

function policyOf(kind: ObjectKind): ObjectPolicy {
  return {
    contentType: kind.contentType,
    cacheControl: cacheControlOf(kind.cache),
    compressible: kind.compressible,
  };
}

export const ARCHIVE_POLICY: ObjectPolicy = policyOf(ARCHIVE);
export const INDEX_POLICY: ObjectPolicy = policyOf(INDEX);

export function objectPolicyFor(key: string): ObjectPolicy {
  return policyOf(objectKindOf(key));
}
