/**
 * The `artifacthub.io/changes` annotation as Artifact Hub parses it (ParseChangesAnnotation and
 * ValidateChange).
 */
import { CHANGE_KINDS } from "./change-kinds.js";
import { describe, isMapping, type Problems, stringField, unknownKeys, yamlList } from "./problems.js";

/**
 * `changes`: a list of strings, or a list of entries {kind, description, links}; Artifact Hub tries
 * the entries first and the strings second, so a list mixing both is refused as a whole.
 */
export function checkChanges(value: string, field: string, problems: Problems): void {
  const list = yamlList(value, field, problems);
  if (list === undefined) return;
  if (list.length === 0) {
    problems.add(field, "lists no change", "list the version's changes, or leave the annotation out");
    return;
  }
  // In a list of plain changes, an unquoted `: ` turns one of them into a one-key mapping.
  const accidental = (item: unknown) =>
    isMapping(item) &&
    Object.keys(item).length === 1 &&
    !["kind", "description", "links"].includes(Object.keys(item)[0] as string);
  const strings = list.filter((item) => typeof item === "string").length;
  if (strings > 0 && list.every((item) => typeof item === "string" || accidental(item))) {
    checkPlainChanges(list, field, problems);
    return;
  }
  for (const [index, item] of list.entries()) checkChangeEntry(item, `${field}[${index}]`, problems);
}

/** A list of plain changes, where a mapping is a change whose unquoted `: ` made it one. */
function checkPlainChanges(list: unknown[], field: string, problems: Problems): void {
  list.forEach((item, index) => {
    if (typeof item === "string") {
      if (item.trim() === "") problems.add(`${field}[${index}]`, "is empty", "describe the change");
      return;
    }
    const [key, rest] = Object.entries(item as Record<string, unknown>)[0] as [string, unknown];
    problems.add(
      `${field}[${index}]`,
      `is read as a mapping because of the ": " in ${JSON.stringify(`${key}: ${String(rest)}`)}`,
      'quote the change, e.g. - "Note: ..."',
    );
  });
}

/** One entry {kind, description, links} of a list of change entries. */
function checkChangeEntry(item: unknown, at: string, problems: Problems): void {
  if (!isMapping(item)) {
    problems.add(
      at,
      `is ${describe(item)} in a list of change entries`,
      "write every item as {kind, description} (or every item as a plain string); quote a description that holds `: `",
    );
    return;
  }
  unknownKeys(item, ["kind", "description", "links"], at, problems);
  const kind = stringField(item, "kind", at, problems, { optional: true, example: "added" });
  if (kind !== undefined && !(CHANGE_KINDS as readonly string[]).includes(kind.toLowerCase()))
    problems.add(`${at}.kind`, `"${kind}" is not a change kind`, `use one of ${CHANGE_KINDS.join(", ")}`);
  stringField(item, "description", at, problems, { example: "Support for arm64 nodes" });
  if (item.links === undefined || item.links === null) return;
  if (!Array.isArray(item.links)) {
    problems.add(
      `${at}.links`,
      `must be a list, not ${describe(item.links)}`,
      "write `- name: ...` / `url: ...` items",
    );
    return;
  }
  item.links.forEach((link, linkIndex) => {
    const linkAt = `${at}.links[${linkIndex}]`;
    if (!isMapping(link)) {
      problems.add(linkAt, `must be a mapping, not ${describe(link)}`, "write name: and url: fields");
      return;
    }
    unknownKeys(link, ["name", "url"], linkAt, problems);
    stringField(link, "name", linkAt, problems, { example: "PR #12" });
    stringField(link, "url", linkAt, problems, {
      example: "https://github.com/alto9/kube9-operator/pull/12",
    });
  });
}
