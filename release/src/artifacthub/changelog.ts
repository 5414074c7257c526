/**
 * The changes of one version, read from CHANGELOG.md for Artifact Hub's `artifacthub.io/changes`.
 * The format is Keep a Changelog's, whose six kinds are exactly Artifact Hub's change kinds:
 *
 *     ## [1.2.0] - 2026-12-04
 *     ### Added
 *     - Arm64 images ([#12](https://github.com/alto9/kube9-operator/pull/12))
 *     ### Fixed
 *     - ...
 *
 * - A version heading is `## [X.Y.Z]` or `## X.Y.Z` (a `v` before the version is accepted), with
 *   anything after it (a date). `## [Unreleased]` collects changes not released yet and is never
 *   published. Any other `## ` heading is refused, so that a typo never hides a version.
 * - Inside a version, `### Added|Changed|Deprecated|Removed|Fixed|Security` (any case) start the
 *   kinds; each `- ` or `* ` item is one change, and indented lines continue it.
 * - Markdown links `[text](https://...)` in an item become the change's links; the description
 *   keeps their text.
 * - A pre-release `X.Y.Z-rc.N` takes its own section when there is one, else the section of
 *   `X.Y.Z`: the notes of the coming release, shown on its release candidates.
 */
import { ReleaseError } from "../errors.js";
import { CHANGE_KINDS, type ChangeKind } from "./change-kinds.js";

export interface ChangeLink {
  name: string;
  url: string;
}

export interface Change {
  kind: ChangeKind;
  description: string;
  links?: ChangeLink[];
}

export interface VersionChanges {
  /** The heading's version (the pre-release's own, or its release's). */
  section: string;
  changes: Change[];
}

interface Section {
  version: string;
  line: number;
  body: { text: string; line: number }[];
}

const VERSION_HEADING =
  /^##\s+\[?v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)\]?(?:\s+(?:-|–)\s+.*|\s*)$/;
const UNRELEASED_HEADING = /^##\s+\[?unreleased\]?\s*$/i;
const KIND_HEADING = /^###\s+(.+?)\s*$/;
const ITEM = /^[-*]\s+(.*)$/;
const LINK = /\[([^\]]+)\]\((https?:\/\/[^)\s]+)\)/g;

function refuse(file: string, line: number, message: string, fix: string): ReleaseError {
  return new ReleaseError("CHART_INVALID", message, { file, field: `line ${line}`, fix });
}

function sections(text: string, file: string): Map<string, Section> {
  const found = new Map<string, Section>();
  let current: Section | undefined;
  let inCode = false;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (/^\s*```/.test(raw)) inCode = !inCode;
    if (!inCode && raw.startsWith("## ")) {
      const version = VERSION_HEADING.exec(raw.trimEnd())?.[1];
      if (version === undefined && !UNRELEASED_HEADING.test(raw)) {
        throw refuse(
          file,
          line,
          `"${raw.trim()}" is not a version heading`,
          "write version headings as `## [X.Y.Z] - YYYY-MM-DD` (or `## [Unreleased]`); use ### or deeper for other headings",
        );
      }
      current = undefined;
      if (version === undefined) return;
      const earlier = found.get(version);
      if (earlier !== undefined) {
        throw refuse(
          file,
          line,
          `version ${version} has a second section (the first is at line ${earlier.line})`,
          "merge the two sections into one",
        );
      }
      current = { version, line, body: [] };
      found.set(version, current);
      return;
    }
    current?.body.push({ text: raw, line });
  });
  return found;
}

function toChange(kind: ChangeKind, text: string): Change {
  const links = [...text.matchAll(LINK)].map((match) => ({
    name: match[1] as string,
    url: match[2] as string,
  }));
  const description = text.replace(LINK, "$1").replace(/\s+/g, " ").trim();
  return links.length === 0 ? { kind, description } : { kind, description, links };
}

function parseSection(section: Section, file: string): Change[] {
  const changes: Change[] = [];
  let kind: ChangeKind | undefined;
  let item: { text: string; line: number } | undefined;
  const flush = () => {
    if (item !== undefined && kind !== undefined) changes.push(toChange(kind, item.text));
    item = undefined;
  };
  for (const { text, line } of section.body) {
    const heading = KIND_HEADING.exec(text);
    if (heading !== null) {
      flush();
      const name = (heading[1] as string).toLowerCase();
      if (!(CHANGE_KINDS as readonly string[]).includes(name)) {
        throw refuse(
          file,
          line,
          `"${text.trim()}" is not a kind of change Artifact Hub knows`,
          `use ### ${CHANGE_KINDS.map((k) => k[0]?.toUpperCase() + k.slice(1)).join(", ### ")}`,
        );
      }
      kind = name as ChangeKind;
      continue;
    }
    const bullet = ITEM.exec(text);
    if (bullet !== null) {
      flush();
      if (kind === undefined) {
        throw refuse(
          file,
          line,
          `a change of ${section.version} is not under a kind heading`,
          "put it under ### Added, ### Changed, ### Fixed, ...",
        );
      }
      item = { text: bullet[1] as string, line };
      continue;
    }
    if (text.trim() === "") continue;
    if (item !== undefined && /^\s+\S/.test(text)) {
      item.text += ` ${text.trim()}`;
      continue;
    }
    throw refuse(
      file,
      line,
      `"${text.trim()}" in the section of ${section.version} is not a change`,
      "write each change as a list item (`- ...`) under a ### kind heading; indent continuation lines",
    );
  }
  flush();
  return changes;
}

/** The changes of `version` (see the module comment for the fallback of pre-releases). */
export function changesForVersion(text: string, version: string, file: string): VersionChanges {
  const found = sections(text, file);
  const release = version.split("-")[0] as string;
  const section = found.get(version) ?? (version.includes("-") ? found.get(release) : undefined);
  if (section === undefined) {
    const wanted = version.includes("-") ? `## [${version}] or ## [${release}]` : `## [${version}]`;
    throw new ReleaseError("CHART_INVALID", `no section for version ${version}`, {
      file,
      field: wanted,
      fix: `add a ${wanted} section with the version's changes (### Added, ### Fixed, ...) and commit it before tagging (docs/releasing.md)`,
    });
  }
  const changes = parseSection(section, file);
  if (changes.length === 0) {
    throw refuse(
      file,
      section.line,
      `the section of ${section.version} lists no change`,
      "list the version's changes as `- ` items under ### kind headings",
    );
  }
  return { section: section.version, changes };
}
