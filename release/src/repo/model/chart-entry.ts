/**
 * Builds the index entry of one chart version from its Chart.yaml metadata. Only the metadata
 * fields Helm knows are copied (one unknown key makes Helm reject the whole index), in the order
 * Helm's own ChartVersion has them.
 */
import { CHART_METADATA_KEYS, type ChartMetadata } from "../../helm-format/chart-metadata.js";
import type { ChartVersion } from "./index-file.js";

export interface EntryFacts {
  urls: string[];
  /** RFC 3339 time of the first publication of this version. */
  created: string;
  /** Lowercase hex SHA-256 of the archive bytes. */
  digest: string;
}

export function chartEntry(metadata: ChartMetadata, facts: EntryFacts): ChartVersion {
  const entry: Record<string, unknown> = {};
  for (const field of CHART_METADATA_KEYS) {
    const value = metadata[field];
    if (value !== undefined) entry[field] = structuredClone(value);
  }
  entry.urls = [...facts.urls];
  entry.created = facts.created;
  entry.digest = facts.digest;
  return entry as unknown as ChartVersion;
}
