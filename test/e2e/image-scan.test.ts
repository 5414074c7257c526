/**
 * `kube9-release image scan` end to end (docs/image-release.md): the real Trivy (pinned, built from
 * its Go module) scans each platform of a two-platform OCI layout laid out as `image build
 * --oci-layout` writes it, against a vulnerability database built here (tools/trivy-test-db). The
 * layout's Debian 12 root lists libc6 from the source package glibc, which the advisories name.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runReleaseAsync } from "../support/cli.js";
import { debian12Root, type WrittenLayout, writeOciLayout } from "../support/oci-layout.js";
import { buildTestVulnDb, type TestAdvisory, trivyPath } from "../support/trivy.js";

const LIBC6 = "2.36-9+deb12u14";
const CRITICAL: TestAdvisory = {
  id: "CVE-2099-0001",
  source: "debian 12",
  package: "glibc",
  severity: "CRITICAL",
  fixedVersion: "2.36-9+deb12u99",
  title: "test advisory: glibc critical",
};
const HIGH: TestAdvisory = {
  id: "CVE-2099-0002",
  source: "debian 12",
  package: "glibc",
  severity: "HIGH",
  fixedVersion: "2.36-9+deb12u99",
  title: "test advisory: glibc high",
};
/** Fixed before the installed version: Trivy must not report it. */
const ALREADY_FIXED: TestAdvisory = {
  id: "CVE-2099-0003",
  source: "debian 12",
  package: "glibc",
  severity: "CRITICAL",
  fixedVersion: "2.36-9+deb12u1",
};

interface ScanJson {
  digest: string;
  passed: boolean;
  trivy: { version: string; databaseUpdatedAt?: string };
  platforms: Array<{
    platform: string;
    digest: string;
    configDigest: string;
    seconds: number;
    counts: Record<string, number>;
    findings: Array<{ id: string; package: string; severity: string; installedVersion?: string }>;
    sarif?: string;
  }>;
}

let work: string;
let trivy: string;
let layout: WrittenLayout;
let caseNumber = 0;

/** A fresh folder per case: its own database, SARIF folder and job summary. */
function newCase(advisories: TestAdvisory[]) {
  caseNumber += 1;
  const dir = join(work, `case-${caseNumber}`);
  const cacheDir = buildTestVulnDb(dir, advisories);
  const summary = join(dir, "summary.md");
  writeFileSync(summary, "");
  return { dir, cacheDir, sarifDir: join(dir, "sarif"), summary };
}

function scan(args: string[], env: Record<string, string> = {}) {
  return runReleaseAsync(["image", "scan", ...args], { cwd: work, env: { GITHUB_STEP_SUMMARY: "", ...env } });
}

function sarifRuleIds(file: string): string[] {
  const sarif = JSON.parse(readFileSync(file, "utf8"));
  return sarif.runs.flatMap((run: { results: Array<{ ruleId: string }> }) =>
    run.results.map((r) => r.ruleId),
  );
}

beforeAll(async () => {
  trivy = trivyPath();
  work = mkdtempSync(join(tmpdir(), "image-scan-e2e-"));
  layout = await writeOciLayout(join(work, "layout"), "1.2.3", [
    { platform: "linux/amd64", files: debian12Root("amd64", LIBC6) },
    { platform: "linux/arm64", files: debian12Root("arm64", LIBC6) },
  ]);
});

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe("image scan with the real Trivy", () => {
  it("fails on a CRITICAL advisory, naming the CVE, the package and both platforms, and still writes the SARIF", async () => {
    const c = newCase([CRITICAL, HIGH, ALREADY_FIXED]);
    const run = await scan(
      ["layout", "--trivy", trivy, "--cache-dir", c.cacheDir, "--offline", "--sarif-dir", c.sarifDir],
      { GITHUB_STEP_SUMMARY: c.summary },
    );
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr).toContain("1 finding(s) at or above CRITICAL");
    expect(run.stderr).toContain(
      `CRITICAL CVE-2099-0001 in libc6 ${LIBC6} (fixed in 2.36-9+deb12u99) on linux/amd64, linux/arm64`,
    );
    expect(run.stderr).not.toContain("CVE-2099-0003");
    expect(run.stderr).not.toContain("internal error");
    // The human report still says what was scanned, per platform.
    for (const p of layout.platforms) expect(run.stdout).toContain(p.digest);
    expect(run.stdout).toContain("CRITICAL 1, HIGH 1, MEDIUM 0, LOW 0, UNKNOWN 0");

    expect(readdirSync(c.sarifDir).sort()).toEqual(["linux-amd64.sarif", "linux-arm64.sarif"]);
    const categories = new Set<string>();
    for (const file of readdirSync(c.sarifDir)) {
      expect(sarifRuleIds(join(c.sarifDir, file)).sort()).toEqual(["CVE-2099-0001", "CVE-2099-0002"]);
      const sarif = JSON.parse(readFileSync(join(c.sarifDir, file), "utf8"));
      categories.add(sarif.runs[0].automationDetails.id);
      // The location names the platform (Trivy reads it as an image name, hence library/), not a
      // temporary folder: the same on every run.
      const location = sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri;
      expect(location).toBe(`library/${file.replace(".sarif", "")}`);
    }
    expect([...categories].sort()).toEqual([
      "kube9-image-scan/linux/amd64/",
      "kube9-image-scan/linux/arm64/",
    ]);

    const summary = readFileSync(c.summary, "utf8");
    expect(summary).toContain("failed, gate CRITICAL");
    expect(summary).toMatch(/\| linux\/arm64 \| `sha256:[0-9a-f]{64}` \| 1 \| 1 \| 0 \| 0 \| 0 \|/);
  });

  it("passes with only a HIGH advisory, records the digests scanned, and the SARIF lists the finding", async () => {
    const c = newCase([HIGH]);
    const run = await scan([
      "layout",
      "--trivy",
      trivy,
      "--cache-dir",
      c.cacheDir,
      "--offline",
      "--sarif-dir",
      c.sarifDir,
      "--json",
    ]);
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as ScanJson;
    expect(result.passed).toBe(true);
    expect(result.digest).toBe(layout.digest);
    expect(result.trivy.version).toBe("0.74.0");
    expect(result.trivy.databaseUpdatedAt).toBeDefined();
    expect(result.platforms.map((p) => [p.platform, p.digest, p.configDigest])).toEqual(
      layout.platforms.map((p) => [p.platform, p.digest, p.configDigest]),
    );
    for (const p of result.platforms) {
      expect(p.counts).toEqual({ UNKNOWN: 0, LOW: 0, MEDIUM: 0, HIGH: 1, CRITICAL: 0 });
      expect(p.findings.map((f) => [f.id, f.package, f.severity, f.installedVersion])).toEqual([
        ["CVE-2099-0002", "libc6", "HIGH", LIBC6],
      ]);
      expect(p.sarif).toBe(join(c.sarifDir, `${p.platform.replace("/", "-")}.sarif`));
      expect(sarifRuleIds(p.sarif ?? "")).toEqual(["CVE-2099-0002"]);
    }
  });

  it("--fail-on HIGH fails on that same HIGH advisory; --platform scans only the platform named", async () => {
    const c = newCase([HIGH]);
    const run = await scan([
      "layout",
      "--trivy",
      trivy,
      "--cache-dir",
      c.cacheDir,
      "--offline",
      "--platform",
      "linux/arm64",
      "--fail-on",
      "high",
    ]);
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr).toContain(
      `HIGH CVE-2099-0002 in libc6 ${LIBC6} (fixed in 2.36-9+deb12u99) on linux/arm64\n`,
    );
    expect(run.stdout).toContain("linux/arm64");
    expect(run.stdout).not.toContain("linux/amd64");
  });

  it("finds an advisory on an npm package of the image too (what the operator image holds besides node)", async () => {
    const c = newCase([
      {
        id: "GHSA-test-0001",
        source: "npm::test advisories",
        package: "left-pad",
        severity: "CRITICAL",
        vulnerableVersions: ["<1.3.0"],
        patchedVersions: ["1.3.0"],
      },
    ]);
    const leftPad = JSON.stringify({ name: "left-pad", version: "1.1.0", license: "WTFPL" });
    const npmLayout = await writeOciLayout(join(c.dir, "npm-layout"), "1.2.3", [
      {
        platform: "linux/amd64",
        files: { ...debian12Root("amd64", LIBC6), "app/node_modules/left-pad/package.json": leftPad },
      },
      {
        platform: "linux/arm64",
        files: { ...debian12Root("arm64", LIBC6), "app/node_modules/left-pad/package.json": leftPad },
      },
    ]);
    const run = await scan([npmLayout.dir, "--trivy", trivy, "--cache-dir", c.cacheDir, "--offline"]);
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr).toContain(
      "CRITICAL GHSA-test-0001 in left-pad 1.1.0 (fixed in 1.3.0) on linux/amd64, linux/arm64",
    );
  });

  it("a corrupt layer fails before Trivy runs, naming the layer; no SARIF is written", async () => {
    const c = newCase([CRITICAL]);
    const broken = await writeOciLayout(join(c.dir, "broken"), "1.2.3", [
      { platform: "linux/amd64", files: debian12Root("amd64", LIBC6) },
      { platform: "linux/arm64", files: debian12Root("arm64", LIBC6) },
    ]);
    const layer = broken.platforms[1]?.layerDigest ?? "";
    const path = join(broken.dir, "blobs", "sha256", layer.slice("sha256:".length));
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, bytes.length - 10));
    const run = await scan([
      broken.dir,
      "--trivy",
      trivy,
      "--cache-dir",
      c.cacheDir,
      "--offline",
      "--sarif-dir",
      c.sarifDir,
    ]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(broken.dir);
    expect(run.stderr).toContain(`blob ${layer} holds ${bytes.length - 10} bytes`);
    expect(run.stderr).not.toContain("internal error");
    expect(existsSync(c.sarifDir)).toBe(false);
  });

  it("a missing trivy fails with how to install it", async () => {
    const c = newCase([CRITICAL]);
    const run = await scan([
      "layout",
      "--trivy",
      join(c.dir, "no-trivy"),
      "--offline",
      "--sarif-dir",
      c.sarifDir,
    ]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`cannot run ${join(c.dir, "no-trivy")}`);
    expect(run.stderr).toContain("npm run tools -- trivy");
    expect(existsSync(c.sarifDir)).toBe(false);
  });

  it("--offline with a cache that holds no database fails with Trivy's reason", async () => {
    const c = newCase([CRITICAL]);
    const empty = join(c.dir, "empty-cache");
    const run = await scan([
      "layout",
      "--trivy",
      trivy,
      "--cache-dir",
      empty,
      "--offline",
      "--sarif-dir",
      c.sarifDir,
    ]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("trivy scan of linux/amd64 failed");
    expect(run.stderr).toContain("--skip-db-update cannot be specified on the first run");
    expect(run.stderr).toContain("db/trivy.db");
    expect(existsSync(c.sarifDir)).toBe(false);
  });
});
