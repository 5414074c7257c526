/**
 * The stored versions of one object, for backends that keep them (an S3 bucket with versioning;
 * a directory keeps none). Only `repo rollback` reads it; publishing never needs an old version.
 */
export interface ObjectVersion {
  versionId: string;
  /** ETag of that version's bytes (empty for a delete marker). */
  etag: string;
  size: number;
  lastModified: Date;
  /** The version a plain GET returns now. */
  latest: boolean;
  /** A deletion recorded as a version: the object was absent from then on. */
  deleteMarker: boolean;
}

export interface ObjectHistory {
  readonly location: string;
  /** Every stored version of exactly `key`, newest first. */
  versions(key: string): Promise<ObjectVersion[]>;
  /** The bytes of one version (never a delete marker). */
  getVersion(key: string, versionId: string): Promise<Uint8Array>;
}
