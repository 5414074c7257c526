import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isReleaseError, type ReleaseError } from "../../src/errors.js";
import { assertReleaseConsistent, checkRelease } from "../../src/release/release-check.js";

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

async function mismatchError(tag: string): Promise<ReleaseError> {
  try {
    assertReleaseConsistent(await checkRelease(tag, chart));
  } catch (error) {
    if (isReleaseError(error)) return error;
    throw error;
  }
  throw new Error("no error");
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
