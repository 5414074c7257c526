/**
 * How each kind of repository object is served: its Content-Type and Cache-Control. The one home
 * of this rule: the stores write it at upload and the local server sends it.
 */
export interface ObjectPolicy {
  contentType: string;
  cacheControl: string;
  /** Whether a client that asks may receive it compressed. Never true for an archive. */
  compressible: boolean;
}

/** A published archive never changes (its digest is in the index), so caches may keep it for a year. */
export const ARCHIVE_POLICY: ObjectPolicy = {
  contentType: "application/gzip",
  cacheControl: "public, max-age=31536000, immutable",
  compressible: false,
};

/** index.yaml changes on every publish; five minutes bounds how stale a cache may serve it. */
export const INDEX_POLICY: ObjectPolicy = {
  contentType: "application/yaml",
  cacheControl: "public, max-age=300",
  compressible: true,
};

const PROVENANCE_POLICY: ObjectPolicy = {
  contentType: "application/pgp-signature",
  cacheControl: "public, max-age=31536000, immutable",
  compressible: false,
};

const OTHER_POLICY: ObjectPolicy = {
  contentType: "application/octet-stream",
  cacheControl: "public, max-age=300",
  compressible: false,
};

export function objectPolicyFor(key: string): ObjectPolicy {
  if (key.endsWith(".tgz")) return ARCHIVE_POLICY;
  if (key.endsWith(".prov")) return PROVENANCE_POLICY;
  if (key === "index.yaml" || key.endsWith("/index.yaml")) return INDEX_POLICY;
  return OTHER_POLICY;
}
