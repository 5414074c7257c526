/**
 * The Chart.yaml written into our archives, re-emitted from validated metadata like `helm package`
 * does (pkg/chart/v2/util/save.go marshals the loaded metadata): only the fields Helm knows, empty
 * ones left out, keys in alphabetical order at every level (Helm's JSON-to-YAML marshalling sorts
 * them too), and every string YAML 1.1 would misread quoted. Comments and unknown keys of the
 * original file are not carried over, exactly as in Helm's archives.
 */
import {
  CHART_METADATA_KEYS,
  type ChartMetadata,
  DEPENDENCY_KEYS,
  type Dependency,
  MAINTAINER_KEYS,
} from "../helm-format/chart-metadata.js";
import { dumpYaml11Safe } from "./yaml11.js";

function pick(value: object, keys: readonly string[]): Record<string, unknown> {
  const source = value as Record<string, unknown>;
  return Object.fromEntries(
    keys.filter((key) => Object.hasOwn(source, key)).map((key) => [key, source[key]]),
  );
}

function withoutEmpty(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(value).filter(([, field]) => {
      if (field === undefined || field === null || field === "" || field === false) return false;
      if (Array.isArray(field)) return field.length > 0;
      if (typeof field === "object") return Object.keys(field).length > 0;
      return true;
    }),
  );
}

function dependencyFields(dependency: Dependency): Record<string, unknown> {
  // Helm always writes `name` and `repository` (no omitempty on those two fields).
  return {
    ...withoutEmpty(pick(dependency, DEPENDENCY_KEYS)),
    name: dependency.name,
    repository: dependency.repository ?? "",
  };
}

export function emitChartYaml(metadata: ChartMetadata): string {
  const fields = pick(metadata, CHART_METADATA_KEYS);
  if (metadata.maintainers !== undefined)
    fields.maintainers = metadata.maintainers.map((m) => withoutEmpty(pick(m, MAINTAINER_KEYS)));
  if (metadata.dependencies !== undefined) fields.dependencies = metadata.dependencies.map(dependencyFields);
  return dumpYaml11Safe(withoutEmpty(fields));
}
