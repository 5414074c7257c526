/**
 * tools/trivy-test-db: the Trivy database the scan tests build from a list of advisories. A bad
 * list is refused with the entry and the field named, and nothing is written.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toolPath } from "../support/tools.js";

let work: string;
let binary: string;

beforeAll(() => {
  binary = toolPath("trivy-test-db");
  work = mkdtempSync(join(tmpdir(), "trivy-test-db-"));
});

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

function write(name: string, input: string) {
  const cacheDir = join(work, name);
  const run = spawnSync(binary, ["--cache-dir", cacheDir], { input, encoding: "utf8" });
  return { status: run.status, stderr: run.stderr, cacheDir };
}

const GOOD = {
  id: "CVE-2099-0001",
  source: "debian 12",
  package: "glibc",
  severity: "CRITICAL",
  fixedVersion: "99.0",
};

describe("trivy-test-db", () => {
  it("writes db/trivy.db and metadata that reads as freshly downloaded", () => {
    const before = Date.now();
    const run = write("good", JSON.stringify([GOOD]));
    expect(run.status, run.stderr).toBe(0);
    expect(existsSync(join(run.cacheDir, "db", "trivy.db"))).toBe(true);
    const metadata = JSON.parse(readFileSync(join(run.cacheDir, "db", "metadata.json"), "utf8"));
    expect(metadata.Version).toBe(2);
    expect(Date.parse(metadata.DownloadedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(metadata.NextUpdate)).toBeGreaterThan(Date.now());
  });

  it("refuses to write over an existing database", () => {
    const first = write("twice", JSON.stringify([GOOD]));
    expect(first.status).toBe(0);
    const second = write("twice", JSON.stringify([GOOD]));
    expect(second.status).toBe(1);
    expect(second.stderr).toContain("already exists");
  });

  const bad: Array<{ name: string; input: unknown; says: string }> = [
    { name: "not a list", input: { advisories: [] }, says: "not a JSON list of advisories" },
    { name: "an unknown field", input: [{ ...GOOD, pkg: "x" }], says: 'unknown field "pkg"' },
    { name: "a bad id", input: [{ ...GOOD, id: "nope" }], says: "[0].id" },
    { name: "no source", input: [{ ...GOOD, source: " " }], says: "[0].source" },
    { name: "no package", input: [{ ...GOOD, package: "" }], says: "glibc, not libc6" },
    {
      name: "a language package without version ranges",
      input: [{ ...GOOD, source: "npm::test", package: "left-pad" }],
      says: "[0].vulnerableVersions",
    },
    {
      name: "a lower-case severity",
      input: [GOOD, { ...GOOD, severity: "high" }],
      says: '[1].severity: "high"',
    },
  ];
  for (const { name, input, says } of bad) {
    it(`refuses ${name}, writing nothing`, () => {
      const run = write(`bad-${name.replaceAll(" ", "-")}`, JSON.stringify(input));
      expect(run.status).toBe(1);
      expect(run.stderr).toContain("stdin");
      expect(run.stderr).toContain(says);
      expect(existsSync(run.cacheDir)).toBe(false);
    });
  }
});
