/**
 * The list entries of Chart.yaml: maintainers and dependencies (pkg/chart/v2 metadata.go,
 * dependency.go), and Helm's rule that no two dependencies share a name or alias.
 */

import type { Dependency, Maintainer } from "../helm-format/chart-metadata.js";
import { checkChartField } from "./check-field.js";
import { chartInvalid, FieldReader, isMap, nonEmpty, nonEmptyList, sanitizeString } from "./yaml-fields.js";

function entryReader(file: string, item: unknown, field: string, what: string): FieldReader {
  if (!isMap(item)) {
    throw chartInvalid(
      file,
      field,
      `${field} must be a mapping describing one ${what}, not ${item === null ? "empty" : typeof item}`,
      `remove the empty "-" entry or fill in the ${what}`,
    );
  }
  return new FieldReader(file, item, field);
}

export function parseMaintainer(
  file: string,
  item: unknown,
  index: number,
  unknownKeys: string[],
): Maintainer {
  const reader = entryReader(file, item, `maintainers[${index}]`, "maintainer");
  const name = nonEmpty(reader.string("name"));
  if (name === undefined) {
    throw chartInvalid(
      file,
      reader.path("name"),
      "each maintainer needs a name",
      "add name: <person or team> to the maintainer",
    );
  }
  const maintainer: Maintainer = { name };
  const email = nonEmpty(reader.string("email"));
  if (email !== undefined) {
    checkChartField(file, "chart", "maintainer email", email, reader.path("email"));
    maintainer.email = email;
  }
  const url = nonEmpty(reader.string("url"));
  if (url !== undefined) maintainer.url = url;
  unknownKeys.push(...reader.unknownKeys());
  return maintainer;
}

export function parseDependency(
  file: string,
  item: unknown,
  index: number,
  unknownKeys: string[],
): Dependency {
  const reader = entryReader(file, item, `dependencies[${index}]`, "dependency");
  const name = nonEmpty(reader.string("name"));
  if (name === undefined) {
    throw chartInvalid(
      file,
      reader.path("name"),
      "each dependency needs a name",
      "add name: <chart name> to the dependency",
    );
  }
  const dependency: Dependency = { name };
  const version = nonEmpty(reader.string("version"));
  if (version !== undefined) {
    checkChartField(file, "chart", "dependency version", version, reader.path("version"));
    dependency.version = version;
  }
  const repository = nonEmpty(reader.string("repository"));
  if (repository !== undefined) dependency.repository = repository;
  const condition = nonEmpty(reader.string("condition"));
  if (condition !== undefined) dependency.condition = condition;
  const tags = nonEmptyList(reader.stringList("tags")?.map(sanitizeString));
  if (tags !== undefined) dependency.tags = tags;
  if (reader.boolean("enabled") === true) dependency.enabled = true;
  const importValues = nonEmptyList(reader.list("import-values"));
  importValues?.forEach((entry, i) => {
    if (typeof entry !== "string" && !isMap(entry)) {
      throw chartInvalid(
        file,
        `${reader.path("import-values")}[${i}]`,
        "import-values entries are strings or child/parent mappings",
        "write - child: <path> / parent: <path>, or a string",
      );
    }
  });
  if (importValues !== undefined) dependency["import-values"] = importValues;
  const alias = reader.string("alias");
  if (alias !== undefined && alias !== "") {
    checkChartField(file, "chart", "alias", alias, reader.path("alias"));
    dependency.alias = alias;
  }
  unknownKeys.push(...reader.unknownKeys());
  return dependency;
}

/** Helm: "more than one dependency with name or alias". */
export function checkDependencyKeys(
  file: string,
  dependencies: ReadonlyArray<{ name: string; alias?: string }>,
): void {
  const seen = new Map<string, number>();
  dependencies.forEach((dependency, index) => {
    const key = dependency.alias ?? dependency.name;
    const first = seen.get(key);
    if (first !== undefined) {
      throw chartInvalid(
        file,
        `dependencies[${index}]`,
        `dependencies[${first}] and dependencies[${index}] both use the name or alias ${JSON.stringify(key)}`,
        "give one of them a distinct alias",
      );
    }
    seen.set(key, index);
  });
}
