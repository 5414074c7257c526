/** The index.yaml model: one place for everything about index.yaml (like Helm's pkg/repo/index.go). */

export {
  checkHelmVersion,
  compareVersions,
  helmVersion,
  sameVersion,
  sortVersions,
  type VersionCheck,
} from "../helm-format/version.js";
export { needsQuotes, resolvePlain } from "../yaml/yaml11-scalars.js";
export { type MergeResult, mergeEntry } from "./merge.js";
export { chartUrl } from "./model/chart-url.js";
export {
  type ChartVersion,
  emptyIndex,
  findEntry,
  INDEX_API_VERSION,
  type IndexFile,
  isRfc3339,
  rfc3339,
  ZERO_TIME,
} from "./model/index-file.js";
export { compareKeys, sortedKeys, sortIndex } from "./order/order.js";
export { parseIndex } from "./parse/parse-index.js";
export { serializeIndex } from "./serialize/serialize-index.js";
