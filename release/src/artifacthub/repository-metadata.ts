/**
 * `artifacthub-repo.yml`, the repository metadata file Artifact Hub reads next to index.yaml (its
 * RepositoryMetadata type and GetMetadata): `repositoryID` (a UUID, optional; it makes the
 * publisher "verified"), `owners` (name and email; used to claim ownership of the repository) and
 * `ignore` (chart name, exact; version, a regular expression). Artifact Hub refuses a file that is
 * empty or only comments, or whose repositoryID is not a UUID; it ignores unknown keys, which are
 * refused here as the typos they most likely are.
 */
import yaml from "js-yaml";
import { YAML11_SCHEMA } from "../chart/yaml11.js";
import { describe, isMapping, type MetadataProblem, Problems, stringField, unknownKeys } from "./problems.js";

/** The object key, next to index.yaml. Artifact Hub asks for `.yml` first, then `.yaml`. */
export const REPOSITORY_METADATA_KEY = "artifacthub-repo.yml";

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function repositoryMetadataProblems(text: string, file: string): MetadataProblem[] {
  const problems = new Problems(file);
  let document: unknown;
  try {
    document = yaml.load(text, { schema: YAML11_SCHEMA });
  } catch (error) {
    const reason = error instanceof yaml.YAMLException ? error.reason : String(error);
    problems.add(
      "(file)",
      `is not valid YAML (${reason})`,
      "fix the YAML syntax at the line the message names",
    );
    return problems.list;
  }
  if (!isMapping(document)) {
    problems.add(
      "(file)",
      document === undefined || document === null
        ? "holds no settings (Artifact Hub refuses an empty file)"
        : `must be a mapping, not ${describe(document)}`,
      "set at least one of repositoryID, owners or ignore (an empty list such as `owners: []` is enough)",
    );
    return problems.list;
  }
  unknownKeys(document, ["repositoryID", "owners", "ignore"], "", problems);
  if (document.repositoryID !== undefined) {
    const id = stringField(document, "repositoryID", "", problems, {
      example: "<the UUID Artifact Hub shows>",
    });
    if (id !== undefined && !UUID.test(id))
      problems.add(
        "repositoryID",
        `"${id}" is not a UUID`,
        "copy the repository ID from Artifact Hub's control panel (Repositories, the repository's ID), or leave the key out until the repository is added",
      );
  }
  listOf(document, "owners", problems, (owner, at) => checkOwner(owner, at, problems));
  listOf(document, "ignore", problems, (entry, at) => checkIgnored(entry, at, problems));
  return problems.list;
}

function checkOwner(owner: Record<string, unknown>, at: string, problems: Problems): void {
  unknownKeys(owner, ["name", "email"], at, problems);
  stringField(owner, "name", at, problems, { optional: true, example: "Alto9" });
  // The ownership claim matches this email against the Artifact Hub account's.
  const email = stringField(owner, "email", at, problems, { example: "maintainer@example.org" });
  if (email !== undefined && !EMAIL.test(email))
    problems.add(
      `${at}.email`,
      `"${email}" is not an email address`,
      "write the email of the Artifact Hub account",
    );
}

function checkIgnored(entry: Record<string, unknown>, at: string, problems: Problems): void {
  unknownKeys(entry, ["name", "version"], at, problems);
  stringField(entry, "name", at, problems, { example: "kube9-operator" });
  const version = stringField(entry, "version", at, problems, { optional: true, example: "-rc\\." });
  if (version === undefined) return;
  try {
    new RegExp(version);
  } catch {
    problems.add(
      `${at}.version`,
      `"${version}" is not a regular expression`,
      "escape special characters, e.g. 1\\.0\\..*",
    );
  }
}

function listOf(
  document: Record<string, unknown>,
  key: string,
  problems: Problems,
  each: (item: Record<string, unknown>, at: string) => void,
): void {
  const value = document[key];
  if (value === undefined || value === null) return;
  if (!Array.isArray(value)) {
    problems.add(key, `must be a list, not ${describe(value)}`, `write one \`- \` item per ${key} entry`);
    return;
  }
  value.forEach((item, index) => {
    const at = `${key}[${index}]`;
    if (!isMapping(item))
      problems.add(
        at,
        `must be a mapping, not ${describe(item)}`,
        "write the entry's fields as `key: value` lines",
      );
    else each(item, at);
  });
}
