/** Release preparation as a maintainer does it in a clone: the version's CHANGELOG.md section. */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Adds the version's section to CHANGELOG.md in `dir` unless it has one, as a maintainer writes it
 * before tagging: the release publishes it as the chart's Artifact Hub changes.
 */
export function writeChangelogSection(dir: string, tag: string): void {
  const version = tag.replace(/^v/, "");
  const file = join(dir, "CHANGELOG.md");
  const text = readFileSync(file, "utf8");
  if (text.includes(`## [${version}]`)) return;
  writeFileSync(
    file,
    `${text.trimEnd()}\n\n## [${version}] - 2026-12-04\n\n### Changed\n\n- Release ${version}.\n`,
  );
}
