/**
 * Chart.yaml of a subchart (under charts/): only what Helm's loader itself requires
 * (pkg/chart/v2 metadata.go Validate), because subcharts are often third-party charts packaged
 * elsewhere. Helm turns YAML numbers and booleans into strings for its string fields, so this does
 * too, instead of refusing them as the strict parser does for our own chart.
 */

import { checkDependencyKeys } from "./chart-yaml-entries.js";
import { checkChartField } from "./check-field.js";
import { chartInvalid, isMap, loadYamlMap, sanitizeString, type YamlMap } from "./yaml-fields.js";

export interface SubchartIdentity {
  apiVersion: string;
  name: string;
  version: string;
}

function asString(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object") return "";
  return String(value);
}

export function parseSubchartYaml(text: string, file: string): SubchartIdentity {
  const doc = loadYamlMap(text, file, "Chart.yaml");
  // Helm 2 charts had no apiVersion: the loader assumes v1.
  const apiVersion = asString(doc.apiVersion) || "v1";
  const name = sanitizeString(asString(doc.name));
  const version = asString(doc.version);
  checkChartField(file, "subchart", "name", name);
  checkChartField(file, "subchart", "version", version);
  checkChartField(file, "subchart", "type", asString(doc.type));
  for (const [index, maintainer] of listOf(doc, "maintainers").entries()) {
    if (!isMap(maintainer)) {
      throw chartInvalid(
        file,
        `maintainers[${index}]`,
        "maintainers must not contain empty entries",
        "remove the empty entry",
      );
    }
  }
  const dependencies = listOf(doc, "dependencies").map((dependency, index) => {
    if (!isMap(dependency)) {
      throw chartInvalid(
        file,
        `dependencies[${index}]`,
        "dependencies must not contain empty entries",
        "remove the empty entry",
      );
    }
    const alias = asString(dependency.alias);
    checkChartField(file, "subchart", "alias", alias, `dependencies[${index}].alias`);
    return { name: sanitizeString(asString(dependency.name)), ...(alias === "" ? {} : { alias }) };
  });
  checkDependencyKeys(file, dependencies);
  return { apiVersion, name, version };
}

function listOf(doc: YamlMap, key: string): unknown[] {
  const value = doc[key];
  return Array.isArray(value) ? value : [];
}
