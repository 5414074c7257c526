/**
 * Strict Chart.yaml validation for the chart we package and publish. Each rule follows Helm's
 * (pkg/chart/v2 metadata.go Validate, dependency.go, lint/rules/chartfile.go), made stricter where
 * Helm's leniency corrupts data: values YAML reads as numbers or booleans are refused instead of
 * being turned into strings, build metadata and a leading `v` in the version are refused.
 *
 * Unknown keys are accepted (Helm's loader ignores them) but never copied anywhere: they are
 * reported in `unknownKeys` so callers can warn.
 */

import type { ChartMetadata } from "../helm-format/chart-metadata.js";
import { checkDependencyKeys, parseDependency, parseMaintainer } from "./chart-yaml-entries.js";
import { checkChartField } from "./check-field.js";
import { FieldReader, loadYamlMap, nonEmpty, nonEmptyList, sanitizeString } from "./yaml-fields.js";

export interface ParsedChartYaml {
  metadata: ChartMetadata;
  /** Field paths present in Chart.yaml that Helm does not know; they are dropped. */
  unknownKeys: string[];
}

export function parseChartYaml(text: string, file: string): ChartMetadata {
  return parseChartYamlDetailed(text, file).metadata;
}

export function parseChartYamlDetailed(text: string, file: string): ParsedChartYaml {
  const reader = new FieldReader(file, loadYamlMap(text, file, "Chart.yaml"), "", text);
  const unknownKeys: string[] = [];
  const optional = (key: string): string | undefined => nonEmpty(reader.string(key));

  const apiVersion = checkChartField(file, "chart", "apiVersion", reader.string("apiVersion"));
  const name = checkChartName(file, "name", optional("name"));
  const version = checkChartVersion(file, "version", reader.string("version"));
  const metadata: ChartMetadata = { apiVersion, name, version };

  const kubeVersion = optional("kubeVersion");
  if (kubeVersion !== undefined)
    metadata.kubeVersion = checkChartField(file, "chart", "kubeVersion", kubeVersion);
  const type = optional("type");
  checkChartField(file, "chart", "type", type);
  for (const key of ["description", "home", "icon", "appVersion", "condition", "tags"] as const) {
    const value = optional(key);
    if (value !== undefined) metadata[key] = value;
  }
  if (type !== undefined) metadata.type = type;
  if (metadata.icon !== undefined) checkChartField(file, "chart", "url", metadata.icon, "icon");

  const keywords = nonEmptyList(reader.stringList("keywords")?.map(sanitizeString));
  if (keywords !== undefined) metadata.keywords = keywords;
  const sources = nonEmptyList(reader.stringList("sources")?.map(sanitizeString));
  sources?.forEach((source, index) => {
    checkChartField(file, "chart", "url", source, `sources[${index}]`);
  });
  if (sources !== undefined) metadata.sources = sources;

  if (reader.boolean("deprecated") === true) metadata.deprecated = true;

  const annotations = reader.map("annotations");
  if (annotations !== undefined) {
    const annotationReader = new FieldReader(file, annotations, "annotations");
    const entries = Object.keys(annotations).map((key) => [key, annotationReader.string(key) ?? ""] as const);
    if (entries.length > 0) metadata.annotations = Object.fromEntries(entries);
  }

  const maintainers = reader
    .list("maintainers")
    ?.map((item, index) => parseMaintainer(file, item, index, unknownKeys));
  if (maintainers !== undefined && maintainers.length > 0) metadata.maintainers = maintainers;

  const dependencies = reader
    .list("dependencies")
    ?.map((item, index) => parseDependency(file, item, index, unknownKeys));
  if (dependencies !== undefined && dependencies.length > 0) {
    checkDependencyKeys(file, dependencies);
    metadata.dependencies = dependencies;
  }

  unknownKeys.unshift(...reader.unknownKeys());
  return { metadata, unknownKeys };
}

/** Helm's name rules (not empty, not `.`/`..`, a single path element) plus `helm create`'s charset. */
export function checkChartName(file: string, field: string, name: string | undefined): string {
  return checkChartField(file, "chart", "name", name, field);
}

/** Strict SemVer 2, no leading `v`, no `+build` metadata. `field` is "version" or an option name. */
export function checkChartVersion(file: string, field: string, version: string | undefined): string {
  return checkChartField(file, "chart", "version", version, field);
}
