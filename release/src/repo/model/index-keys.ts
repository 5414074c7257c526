/**
 * The keys Helm's strict parser accepts in index.yaml, per object (Helm's IndexFile, ChartVersion
 * with its embedded chart.Metadata, Maintainer and Dependency). Anything else rejects the whole file.
 */

import {
  CHART_METADATA_KEYS,
  DEPENDENCY_KEYS as DEPENDENCY_FIELDS,
  MAINTAINER_KEYS as MAINTAINER_FIELDS,
} from "../../helm-format/chart-metadata.js";

export const INDEX_KEYS: ReadonlySet<string> = new Set([
  "apiVersion",
  "entries",
  "generated",
  "publicKeys",
  "annotations",
  "serverInfo",
]);

/** chart.Metadata (embedded in ChartVersion), then ChartVersion's own keys, Helm 2 era ones included. */
export const ENTRY_KEYS: ReadonlySet<string> = new Set([
  ...CHART_METADATA_KEYS,
  ...["urls", "created", "removed", "digest", "checksum", "engine", "tillerVersion", "url"],
]);

export const MAINTAINER_KEYS: ReadonlySet<string> = new Set(MAINTAINER_FIELDS);

export const DEPENDENCY_KEYS: ReadonlySet<string> = new Set(DEPENDENCY_FIELDS);
