/** The index.yaml model: one place for everything about index.yaml (like Helm's pkg/repo/index.go). */

export { needsQuotes, resolvePlain } from "../yaml/yaml11-scalars.js";
export { chartUrl } from "./chart-url.js";
export {
  type ChartVersion,
  emptyIndex,
  findEntry,
  INDEX_API_VERSION,
  type IndexFile,
  isRfc3339,
  rfc3339,
  ZERO_TIME,
} from "./index-file.js";
export { type MergeResult, mergeEntry } from "./merge.js";
export {
  checkHelmVersion,
  compareKeys,
  compareVersions,
  helmVersion,
  sameVersion,
  sortedKeys,
  sortIndex,
  sortVersions,
  type VersionCheck,
} from "./order.js";
export { parseIndex } from "./parse-index.js";
export { serializeIndex } from "./serialize-index.js";
