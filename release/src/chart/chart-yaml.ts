/**
 * Strict Chart.yaml validation for the chart we package and publish. Each rule follows Helm's
 * (pkg/chart/v2 metadata.go Validate, dependency.go, lint/rules/chartfile.go), made stricter where
 * Helm's leniency corrupts data: values YAML reads as numbers or booleans are refused instead of
 * being turned into strings, build metadata and a leading `v` in the version are refused.
 *
 * Unknown keys are accepted (Helm's loader ignores them) but never copied anywhere: they are
 * reported in `unknownKeys` so callers can warn.
 */
import { checkDependencyKeys, parseDependency, parseMaintainer } from "./chart-yaml-entries.js";
import type { ChartMetadata } from "./metadata.js";
import { isStrictSemver, isValidConstraint } from "./semver-rules.js";
import {
  chartInvalid,
  checkUrl,
  FieldReader,
  loadYamlMap,
  nonEmpty,
  nonEmptyList,
  sanitizeString,
} from "./yaml-fields.js";

export interface ParsedChartYaml {
  metadata: ChartMetadata;
  /** Field paths present in Chart.yaml that Helm does not know; they are dropped. */
  unknownKeys: string[];
}

/** Chart names become archive file names and URL paths: `helm create`'s rule. */
const NAME_FORMAT = /^[a-zA-Z0-9._-]+$/;

export function parseChartYaml(text: string, file: string): ChartMetadata {
  return parseChartYamlDetailed(text, file).metadata;
}

export function parseChartYamlDetailed(text: string, file: string): ParsedChartYaml {
  const reader = new FieldReader(file, loadYamlMap(text, file, "Chart.yaml"), "", text);
  const unknownKeys: string[] = [];
  const optional = (key: string): string | undefined => nonEmpty(reader.string(key));

  const apiVersion = checkApiVersion(file, reader.string("apiVersion"));
  const name = checkChartName(file, "name", optional("name"));
  const version = checkChartVersion(file, "version", reader.string("version"));
  const metadata: ChartMetadata = { apiVersion, name, version };

  const kubeVersion = optional("kubeVersion");
  if (kubeVersion !== undefined) {
    if (!isValidConstraint(kubeVersion)) {
      throw chartInvalid(
        file,
        "kubeVersion",
        `kubeVersion ${JSON.stringify(kubeVersion)} is not a version constraint Helm can evaluate`,
        'write a constraint such as ">=1.25.0-0" (operators =, !=, >, <, >=, <=, ~, ^; "," or a space for AND, "||" for OR)',
      );
    }
    metadata.kubeVersion = kubeVersion;
  }
  const type = optional("type");
  if (type !== undefined && type !== "application" && type !== "library") {
    throw chartInvalid(
      file,
      "type",
      `type ${JSON.stringify(type)} is not a chart type`,
      "set type to application or library, or remove it",
    );
  }
  for (const key of ["description", "home", "icon", "appVersion", "condition", "tags"] as const) {
    const value = optional(key);
    if (value !== undefined) metadata[key] = value;
  }
  if (type !== undefined) metadata.type = type;
  if (metadata.icon !== undefined) checkUrl(file, "icon", metadata.icon);

  const keywords = nonEmptyList(reader.stringList("keywords")?.map(sanitizeString));
  if (keywords !== undefined) metadata.keywords = keywords;
  const sources = nonEmptyList(reader.stringList("sources")?.map(sanitizeString));
  sources?.forEach((source, index) => {
    checkUrl(file, `sources[${index}]`, source);
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

function checkApiVersion(file: string, apiVersion: string | undefined): string {
  if (apiVersion === undefined || apiVersion === "") {
    throw chartInvalid(
      file,
      "apiVersion",
      "apiVersion is required",
      "add apiVersion: v2 as the first line of Chart.yaml",
    );
  }
  if (apiVersion === "v1") {
    throw chartInvalid(
      file,
      "apiVersion",
      "apiVersion v1 (a Helm 2 chart) is not accepted: only apiVersion v2 charts are packaged and published",
      "set apiVersion: v2, and move any requirements.yaml dependencies into Chart.yaml (and requirements.lock to Chart.lock)",
    );
  }
  if (apiVersion !== "v2") {
    throw chartInvalid(
      file,
      "apiVersion",
      `apiVersion ${JSON.stringify(apiVersion)} is not v2`,
      "set apiVersion: v2",
    );
  }
  return apiVersion;
}

/** Helm's name rules (not empty, not `.`/`..`, a single path element) plus `helm create`'s charset. */
export function checkChartName(file: string, field: string, name: string | undefined): string {
  if (name === undefined)
    throw chartInvalid(file, field, `${field} is required`, `add ${field}: <chart name>`);
  if (name === "." || name === "..") {
    throw chartInvalid(
      file,
      field,
      `${field} ${JSON.stringify(name)} is not allowed`,
      "name the chart after its directory, e.g. kube9-operator",
    );
  }
  if (name.includes("/") || name.includes("\\")) {
    throw chartInvalid(
      file,
      field,
      `${field} ${JSON.stringify(name)} must not contain / or \\`,
      "use a single word such as kube9-operator",
    );
  }
  if (!NAME_FORMAT.test(name)) {
    throw chartInvalid(
      file,
      field,
      `${field} ${JSON.stringify(name)} may only contain letters, digits, ".", "_" and "-" (it becomes part of archive file names and URLs)`,
      "use lowercase letters, digits and dashes, e.g. kube9-operator",
    );
  }
  return name;
}

/** Strict SemVer 2, no leading `v`, no `+build` metadata. `field` is "version" or an option name. */
export function checkChartVersion(file: string, field: string, version: string | undefined): string {
  if (version === undefined || version === "") {
    throw chartInvalid(
      file,
      field,
      `${field} is required`,
      `set ${field} to a SemVer 2 version such as 1.2.3`,
    );
  }
  if (/^[vV]/.test(version)) {
    throw chartInvalid(
      file,
      field,
      `${field} ${JSON.stringify(version)} starts with "${version[0]}"; chart versions are plain SemVer`,
      `write ${JSON.stringify(version.slice(1))} (the release tag may be v-prefixed, the chart version is not)`,
    );
  }
  if (version.includes("+")) {
    throw chartInvalid(
      file,
      field,
      `${field} ${JSON.stringify(version)} carries +build metadata, which Helm ignores when it matches versions (1.0.0+a and 1.0.0+b would be the same chart version)`,
      `drop the build metadata (${JSON.stringify(version.slice(0, version.indexOf("+")))}) or use a pre-release such as 1.0.0-rc.1`,
    );
  }
  if (!isStrictSemver(version)) {
    throw chartInvalid(
      file,
      field,
      `${field} ${JSON.stringify(version)} is not a SemVer 2 version`,
      "use MAJOR.MINOR.PATCH with an optional -pre.release, e.g. 1.2.3 or 1.3.0-rc.1 (no leading zeros)",
    );
  }
  return version;
}
