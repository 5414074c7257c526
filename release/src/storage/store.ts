/**
 * The one interface every repository backend implements (a directory now, S3 later). The publish
 * pipeline only speaks this; dry-run, retries and recording are wrappers around it.
 *
 * Contract:
 * - `get` answers `undefined` only when the object does not exist. Every other failure throws:
 *   a failed read is never taken for an empty object.
 * - `putIfAbsent` creates the object only if no object has that key (S3 `If-None-Match: *`);
 *   otherwise it throws a ReleaseError with code PRECONDITION_FAILED.
 * - `putIfMatch` replaces the object only if its current ETag is `etag` (S3 `If-Match`);
 *   otherwise (changed or deleted meanwhile) it throws PRECONDITION_FAILED.
 * - Every write is atomic: a reader sees the old bytes or the new bytes, never a part.
 */
export interface StoredObject {
  body: Uint8Array;
  /** Opaque version tag of these bytes, used for compare-and-swap. */
  etag: string;
}

export interface ObjectInfo {
  key: string;
  size: number;
  lastModified: Date;
}

export interface WriteOptions {
  contentType: string;
  cacheControl: string;
}

export interface Store {
  /** Human-readable location for messages, e.g. `/path/to/repo` or `s3://bucket/prefix`. */
  readonly location: string;
  get(key: string): Promise<StoredObject | undefined>;
  putIfAbsent(key: string, body: Uint8Array, options: WriteOptions): Promise<{ etag: string }>;
  putIfMatch(key: string, body: Uint8Array, etag: string, options: WriteOptions): Promise<{ etag: string }>;
  list(): Promise<ObjectInfo[]>;
}
