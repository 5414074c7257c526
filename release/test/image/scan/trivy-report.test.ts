import { describe, expect, it } from "vitest";
import { parseTrivyReport } from "../../../src/image/scan/trivy-report.js";
import { refusalOf } from "../../support/refusal.js";

const CONFIG = `sha256:${"c".repeat(64)}`;

/** The shape of `trivy image --format json` (schema 2) with one OS result and one secret. */
function report(overrides: Record<string, unknown> = {}) {
  return {
    SchemaVersion: 2,
    ArtifactName: "/tmp/layout",
    ArtifactType: "container_image",
    Metadata: { OS: { Family: "debian", Name: "12.8" }, ImageID: CONFIG, DiffIDs: [] },
    Results: [
      {
        Target: "/tmp/layout (debian 12.8)",
        Class: "os-pkgs",
        Type: "debian",
        Vulnerabilities: [
          {
            VulnerabilityID: "CVE-2099-0001",
            PkgID: "libc6@2.36-9+deb12u14",
            PkgName: "libc6",
            InstalledVersion: "2.36-9+deb12u14",
            FixedVersion: "99.0",
            Status: "fixed",
            SeveritySource: "debian",
            Title: "a test advisory",
            Severity: "CRITICAL",
          },
          {
            VulnerabilityID: "CVE-2099-0002",
            PkgName: "libc6",
            InstalledVersion: "2.36-9+deb12u14",
            Status: "affected",
            Severity: "LOW",
          },
        ],
      },
      {
        Target: "/app/.env",
        Class: "secret",
        Secrets: [
          { RuleID: "aws-access-key-id", Category: "AWS", Severity: "CRITICAL", Title: "AWS Access Key ID" },
        ],
      },
      { Target: "Node.js", Class: "lang-pkgs", Type: "node-pkg" },
    ],
    ...overrides,
  };
}

function parseError(value: unknown): Error {
  const error = refusalOf(
    () => parseTrivyReport(typeof value === "string" ? value : JSON.stringify(value), "r.json"),
    "TOOL_FAILED",
  );
  expect(error.file).toBe("r.json");
  return error;
}

describe("Trivy's JSON report", () => {
  it("gives the scanned image and every vulnerability and secret with its severity", () => {
    const parsed = parseTrivyReport(JSON.stringify(report()), "r.json");
    expect(parsed.imageId).toBe(CONFIG);
    expect(parsed.findings).toEqual([
      {
        kind: "vulnerability",
        id: "CVE-2099-0001",
        severity: "CRITICAL",
        package: "libc6",
        installedVersion: "2.36-9+deb12u14",
        fixedVersion: "99.0",
        title: "a test advisory",
        target: "/tmp/layout (debian 12.8)",
      },
      {
        kind: "vulnerability",
        id: "CVE-2099-0002",
        severity: "LOW",
        package: "libc6",
        installedVersion: "2.36-9+deb12u14",
        target: "/tmp/layout (debian 12.8)",
      },
      {
        kind: "secret",
        id: "aws-access-key-id",
        severity: "CRITICAL",
        package: "/app/.env",
        title: "AWS Access Key ID",
        target: "/app/.env",
      },
    ]);
  });

  it("reads a clean image (no Results) as no finding", () => {
    const clean = report();
    delete (clean as Partial<typeof clean>).Results;
    expect(parseTrivyReport(JSON.stringify(clean), "r.json").findings).toEqual([]);
  });

  it("refuses what it cannot read, naming the part", () => {
    expect(parseError("{").message).toContain("cannot be read");
    expect(parseError(report({ SchemaVersion: 1 })).message).toContain("SchemaVersion is 1");
    expect(parseError(report({ Metadata: {} })).message).toContain("Metadata.ImageID");
    expect(parseError(report({ Results: {} })).message).toContain("Results is not a list");
    const badSeverity = report();
    (badSeverity.Results[0] as { Vulnerabilities: Array<{ Severity: string }> }).Vulnerabilities[1] = {
      Severity: "SEVERE",
      ...{ VulnerabilityID: "CVE-2099-0003", PkgName: "libc6" },
    };
    expect(parseError(badSeverity).message).toContain('Results[0].Vulnerabilities[1].Severity is "SEVERE"');
    const noId = report({
      Results: [{ Target: "x", Vulnerabilities: [{ PkgName: "libc6", Severity: "LOW" }] }],
    });
    expect(parseError(noId).message).toContain("Results[0].Vulnerabilities[0] has no VulnerabilityID");
  });
});
