/**
 * Steps 3 and 6 of the publish pipeline (docs/architecture.md): read index.yaml with its ETag.
 * Absence is reported as such; every other failure, and an index that does not parse strictly, is
 * an error. A failed read is never an empty index.
 */
import type { IndexFile } from "../repo/model/index-file.js";
import { parseIndex } from "../repo/parse/parse-index.js";
import type { Store } from "../storage/store.js";

export const INDEX_KEY = "index.yaml";

export interface IndexSnapshot {
  index: IndexFile;
  etag: string;
  size: number;
}

export async function readIndex(store: Store, key = INDEX_KEY): Promise<IndexSnapshot | undefined> {
  const object = await store.get(key);
  if (object === undefined) return undefined;
  return {
    index: parseIndex(object.body, describeKey(store, key)),
    etag: object.etag,
    size: object.body.byteLength,
  };
}

export function describeKey(store: Store, key: string): string {
  return store.location.includes("://")
    ? `${store.location.replace(/\/+$/, "")}/${key}`
    : `${store.location}/${key}`;
}
