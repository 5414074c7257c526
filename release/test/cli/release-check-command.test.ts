/** `release check` as a plain function: its request, what --github-output writes, and what it prints. */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../../test/support/tools.js";
import {
  checkRequest,
  DEFAULT_CHART_DIR,
  releaseCheck,
  releaseOutputs,
  renderReleaseCheck,
} from "../../src/cli/commands/release-check.js";
import { cliContext } from "../support/cli-context.js";
import { rejectionOf } from "../support/refusal.js";

let cwd: string;

beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), "kube9-release-check-cli-"));
  cpSync(join(repoRoot, "charts", "kube9-operator"), join(cwd, "chart"), { recursive: true });
  writeFileSync(
    join(cwd, "CHANGELOG.md"),
    "# Changelog\n\n## [1.2.3] - 2026-01-01\n\n### Added\n\n- a thing\n",
  );
});

afterAll(() => {
  rmSync(cwd, { recursive: true, force: true });
});

describe("checkRequest", () => {
  it("refuses a changelog it cannot read as usage, naming --changes-from", async () => {
    const error = await rejectionOf(
      checkRequest("v1.2.3", { chart: "chart", changesFrom: "missing.md" }, cliContext(cwd)),
      "USAGE",
    );
    expect([error.field, error.file]).toEqual(["--changes-from", join(cwd, "missing.md")]);
  });

  it("resolves the chart folder and reads the changelog", async () => {
    const request = await checkRequest(
      "v1.2.3",
      { chart: DEFAULT_CHART_DIR, changesFrom: "CHANGELOG.md" },
      cliContext(cwd),
    );
    expect(request.chartDir).toBe(join(cwd, "charts", "kube9-operator"));
    expect(request.changelog?.file).toBe(join(cwd, "CHANGELOG.md"));
    expect(request.changelog?.text).toContain("## [1.2.3]");
  });
});

describe("releaseCheck", () => {
  it("checks a tag against the chart, with the changelog's section", async () => {
    const request = await checkRequest(
      "v1.2.3",
      { chart: "chart", changesFrom: "CHANGELOG.md" },
      cliContext(cwd),
    );
    const check = await releaseCheck(request);
    expect([check.version, check.chartVersion, check.prerelease, check.mismatches]).toEqual([
      "1.2.3",
      "1.2.3",
      false,
      [],
    ]);
    expect(releaseOutputs(check)).toEqual({
      version: "1.2.3",
      prerelease: "false",
      "image-tag": check.defaultImageTag ?? "1.2.3",
    });
    const rendering = renderReleaseCheck(check);
    expect(rendering.data).toBe(check);
    expect(rendering.human).toBe(
      `OK v1.2.3: chart kube9-operator is published as version 1.2.3, appVersion 1.2.3 (Chart.yaml holds ${check.committedVersion}); default image tag ${check.defaultImageTag}`,
    );
    expect(rendering.summary).toBeUndefined();
  });

  it("refuses a tag without the v before reading the chart", async () => {
    const error = await rejectionOf(releaseCheck({ tag: "1.2.3", chartDir: join(cwd, "nowhere") }), "USAGE");
    expect(error.field).toBe("<tag>");
  });
});

describe("releaseOutputs", () => {
  it("falls back to the version for the image tag when the chart has no default tag", async () => {
    const check = await releaseCheck({ tag: "v1.2.3-rc.1", chartDir: join(cwd, "chart") });
    expect(releaseOutputs({ ...check, defaultImageTag: undefined })).toEqual({
      version: "1.2.3-rc.1",
      prerelease: "true",
      "image-tag": "1.2.3-rc.1",
    });
  });
});
