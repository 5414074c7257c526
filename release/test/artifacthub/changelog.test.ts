import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { changesForVersion } from "../../src/artifacthub/changelog.js";
import { refusalOf } from "../support/refusal.js";

const FILE = "CHANGELOG.md";

const CHANGELOG = `# Changelog

Some words about the format, and a list:

- not a change: it is before the first version

\`\`\`md
## not a heading inside a code block
\`\`\`

## [Unreleased]

### Added

- Something not released yet

## [1.2.0] - 2026-12-04

### Added

- Arm64 images ([#12](https://github.com/alto9/kube9-operator/pull/12))
- A values key that spans
  two lines

### Security

* Base image with the fixed OpenSSL, see [advisory](https://example.org/a) and [#14](https://github.com/alto9/kube9-operator/pull/14)

## [1.2.0-rc.1]

### Fixed

- Only in the first release candidate

## v1.1.0

### fixed

- Lower case kind and a v before the version
`;

const refusal = (text: string, version: string) =>
  refusalOf(() => changesForVersion(text, version, FILE), "CHART_INVALID");

describe("changes of a version from CHANGELOG.md", () => {
  it("reads the version's section: kinds, continued lines, links out of the text", () => {
    expect(changesForVersion(CHANGELOG, "1.2.0", FILE)).toEqual({
      section: "1.2.0",
      changes: [
        {
          kind: "added",
          description: "Arm64 images (#12)",
          links: [{ name: "#12", url: "https://github.com/alto9/kube9-operator/pull/12" }],
        },
        { kind: "added", description: "A values key that spans two lines" },
        {
          kind: "security",
          description: "Base image with the fixed OpenSSL, see advisory and #14",
          links: [
            { name: "advisory", url: "https://example.org/a" },
            { name: "#14", url: "https://github.com/alto9/kube9-operator/pull/14" },
          ],
        },
      ],
    });
  });

  it("takes a pre-release's own section when there is one, else its release's", () => {
    expect(changesForVersion(CHANGELOG, "1.2.0-rc.1", FILE)).toMatchObject({
      section: "1.2.0-rc.1",
      changes: [{ kind: "fixed", description: "Only in the first release candidate" }],
    });
    expect(changesForVersion(CHANGELOG, "1.2.0-rc.2", FILE).section).toBe("1.2.0");
  });

  it("accepts `## vX.Y.Z` headings and kinds in any case; a code block is not a heading", () => {
    expect(changesForVersion(CHANGELOG, "1.1.0", FILE)).toEqual({
      section: "1.1.0",
      changes: [{ kind: "fixed", description: "Lower case kind and a v before the version" }],
    });
  });

  it("parses the repository's CHANGELOG.md (its Unreleased section is never published)", () => {
    const text = readFileSync(join(import.meta.dirname, "..", "..", "..", "CHANGELOG.md"), "utf8");
    expect(refusal(text, "9.9.9").field).toBe("## [9.9.9]");
  });

  it.each([
    ["a version without a section", CHANGELOG, "1.3.0", "## [1.3.0]", /add a ## \[1.3.0\] section/],
    [
      "a pre-release without its or its release's section",
      CHANGELOG,
      "1.3.0-rc.1",
      "## [1.3.0-rc.1] or ## [1.3.0]",
      /before tagging/,
    ],
    [
      "a kind Artifact Hub does not know",
      "## [1.0.0]\n### Breaking\n- x\n",
      "1.0.0",
      "line 2",
      /### Added, ### Changed/,
    ],
    ["a change outside a kind", "## [1.0.0]\n- x\n", "1.0.0", "line 2", /under ### Added/],
    ["a paragraph in a section", "## [1.0.0]\n### Added\nSome prose.\n", "1.0.0", "line 3", /list item/],
    [
      "a section without changes",
      "## [1.0.0]\n### Added\n\n## [0.9.0]\n",
      "1.0.0",
      "line 1",
      /list the version's changes/,
    ],
    [
      "a heading that is not a version",
      "## Release 1.0\n### Added\n- x\n",
      "1.0.0",
      "line 1",
      /## \[X.Y.Z\] - YYYY-MM-DD/,
    ],
    [
      "two sections for one version",
      "## [1.0.0]\n### Added\n- x\n## 1.0.0\n### Fixed\n- y\n",
      "1.0.0",
      "line 4",
      /merge the two sections/,
    ],
  ])("refuses %s, naming the line and the fix", (_what, text, version, field, fix) => {
    const error = refusal(text, version);
    expect(error.code).toBe("CHART_INVALID");
    expect(error.file).toBe(FILE);
    expect(error.field).toBe(field);
    expect(error.fix).toMatch(fix);
  });
});
