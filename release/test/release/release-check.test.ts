import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ReleaseError } from "../../src/errors.js";
import { assertReleaseConsistent, checkRelease } from "../../src/release/release-check.js";
import { rejectionOf } from "../support/refusal.js";

const source = join(import.meta.dirname, "..", "..", "..", "charts", "kube9-operator");
let dir: string;
let chart: string;

function edit(file: string, from: RegExp, to: string): void {
  const path = join(chart, file);
  const text = readFileSync(path, "utf8");
  if (!from.test(text)) throw new Error(`${from} not in ${file}`);
  writeFileSync(path, text.replace(from, to));
}

/** The chart at version `version` / appVersion `app`. */
function setVersions(version: string, app: string): void {
  edit("Chart.yaml", /^version: .*$/m, `version: ${version}`);
  edit("Chart.yaml", /^appVersion: .*$/m, `appVersion: "${app}"`);
}

function mismatchError(tag: string): Promise<ReleaseError> {
  return rejectionOf(async () => assertReleaseConsistent(await checkRelease(tag, chart)));
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "kube9-release-check-"));
  chart = join(dir, "kube9-operator");
  cpSync(source, chart, { recursive: true });
  setVersions("1.2.3", "1.2.3");
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("release check", () => {
  it("publishes the chart with the tag's version and appVersion, whatever Chart.yaml holds", async () => {
    setVersions("0.0.0", "0.0.0");
    const check = assertReleaseConsistent(await checkRelease("v1.2.3", chart));
    expect(check).toMatchObject({
      version: "1.2.3",
      prerelease: false,
      chartVersion: "1.2.3",
      appVersion: "1.2.3",
      committedVersion: "0.0.0",
      defaultImageTag: "1.2.3",
    });
  });

  it("passes for a pre-release and says so", async () => {
    const check = assertReleaseConsistent(await checkRelease("v1.3.0-rc.1", chart));
    expect(check).toMatchObject({
      chartVersion: "1.3.0-rc.1",
      prerelease: true,
      defaultImageTag: "1.3.0-rc.1",
    });
  });

  it("accepts image.tag equal to the tag's version", async () => {
    edit("values.yaml", /^ {2}tag: ""$/m, '  tag: "1.2.3"');
    expect((await checkRelease("v1.2.3", chart)).mismatches).toEqual([]);
  });

  it("names an image.tag that would render another image, with file and field", async () => {
    edit("values.yaml", /^ {2}tag: ""$/m, "  tag: v1.2.3");
    const error = await mismatchError("v1.2.3");
    expect(error.code).toBe("RELEASE_MISMATCH");
    expect(error.file).toBe(join(chart, "values.yaml"));
    expect(error.field).toBe("image.tag");
    expect(error.message).toContain(`${join(chart, "values.yaml")}: image.tag is "v1.2.3", expected "1.2.3"`);
  });

  it("names every mismatch at once", async () => {
    edit("values.yaml", /^ {2}tag: ""$/m, "  tag: v1.2.3");
    edit("values.yaml", /^ {2}digest: ""$/m, `  digest: "sha256:${"a".repeat(64)}"`);
    const error = await mismatchError("v1.2.3");
    expect(error.message).toContain("2 mismatch(es)");
    expect(error.message).toContain("image.tag is");
    expect(error.message).toContain("image.digest is set");
  });

  it("refuses an image digest pinned in values.yaml", async () => {
    edit("values.yaml", /^ {2}digest: ""$/m, `  digest: "sha256:${"a".repeat(64)}"`);
    const error = await mismatchError("v1.2.3");
    expect(error.message).toContain("image.digest is set");
  });

  it.each([
    ["1.2.3", 'does not start with "v"'],
    ["v1.2", "is not a SemVer release version"],
    ["v1.2.3+build", "build metadata"],
  ])("refuses the tag %s as bad usage", async (tag, message) => {
    const error = await mismatchError(tag);
    expect(error.code).toBe("USAGE");
    expect(error.message).toContain(message);
  });
});

describe("release check: the Artifact Hub annotations the release packages", () => {
  const changelog = (text: string) => ({ changelog: { text, file: join(dir, "CHANGELOG.md") } });

  it("lists the annotations chart package --artifacthub will write for the tag", async () => {
    const check = assertReleaseConsistent(
      await checkRelease("v1.2.3-rc.1", chart, changelog("## [1.2.3]\n### Fixed\n- A bug\n")),
    );
    expect(check.artifactHubAnnotations["artifacthub.io/images"]).toContain(
      "image: ghcr.io/alto9/kube9-operator:1.2.3-rc.1",
    );
    expect(check.artifactHubAnnotations["artifacthub.io/prerelease"]).toBe("true");
    expect(check.artifactHubAnnotations["artifacthub.io/changes"]).toContain("description: A bug");
  });

  it("stops a release whose CHANGELOG.md has no section for it, naming the file and the fix", async () => {
    const error = await rejectionOf(
      async () =>
        assertReleaseConsistent(
          await checkRelease("v1.2.3", chart, changelog("## [1.2.2]\n### Fixed\n- x\n")),
        ),
      "RELEASE_MISMATCH",
    );
    expect(error.file).toBe(join(dir, "CHANGELOG.md"));
    expect(error.field).toBe("## [1.2.3]");
    expect(error.fix).toMatch(/before tagging/);
  });

  it("stops a release whose Chart.yaml holds a broken or a release-set annotation", async () => {
    edit("Chart.yaml", /^ {2}artifacthub\.io\/license: MIT$/m, "  artifacthub.io/license: MIT License");
    edit("Chart.yaml", /^annotations:\n/m, 'annotations:\n  artifacthub.io/prerelease: "false"\n');
    const error = await mismatchError("v1.2.3");
    expect(error.code).toBe("RELEASE_MISMATCH");
    expect(error.message).toContain('annotations["artifacthub.io/prerelease"]');
    expect(error.message).toContain(
      'annotations["artifacthub.io/license"]: "MIT License" is not an SPDX license identifier',
    );
    expect(error.fix).toMatch(/remove them from Chart.yaml/);
  });
});
