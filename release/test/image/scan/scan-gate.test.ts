import { describe, expect, it } from "vitest";
import {
  blockingFindings,
  describeFinding,
  gateError,
  type ImageScan,
  type PlatformScan,
} from "../../../src/image/scan/scan-image.js";
import { countBySeverity } from "../../../src/image/scan/severity.js";
import type { Finding } from "../../../src/image/scan/trivy-report.js";

function vulnerability(id: string, severity: Finding["severity"], pkg = "libc6"): Finding {
  return {
    kind: "vulnerability",
    id,
    severity,
    package: pkg,
    installedVersion: "2.36-9",
    fixedVersion: "99.0",
    target: "t",
  };
}

function platform(name: string, findings: Finding[]): PlatformScan {
  return {
    platform: name,
    digest: `sha256:${name.length.toString().repeat(64)}`,
    configDigest: `sha256:${"c".repeat(64)}`,
    seconds: 1,
    counts: countBySeverity(findings.map((f) => f.severity)),
    findings,
  };
}

describe("findings at or above the gate", () => {
  const platforms = [
    platform("linux/amd64", [
      vulnerability("CVE-2099-0001", "CRITICAL"),
      vulnerability("CVE-2099-0002", "HIGH"),
    ]),
    platform("linux/arm64", [
      vulnerability("CVE-2099-0001", "CRITICAL"),
      vulnerability("CVE-2099-0003", "CRITICAL", "openssl"),
      {
        kind: "secret",
        id: "aws-access-key-id",
        severity: "HIGH",
        package: "/app/.env",
        target: "/app/.env",
      },
    ]),
  ];

  it("keeps only those at or above, one entry per finding with every platform it is on", () => {
    expect(blockingFindings(platforms, "CRITICAL").map((f) => [f.id, f.package, f.platforms])).toEqual([
      ["CVE-2099-0001", "libc6", ["linux/amd64", "linux/arm64"]],
      ["CVE-2099-0003", "openssl", ["linux/arm64"]],
    ]);
  });

  it("lists the most severe first, and none with NONE", () => {
    expect(blockingFindings(platforms, "HIGH").map((f) => `${f.severity} ${f.id}`)).toEqual([
      "CRITICAL CVE-2099-0001",
      "CRITICAL CVE-2099-0003",
      "HIGH aws-access-key-id",
      "HIGH CVE-2099-0002",
    ]);
    expect(blockingFindings(platforms, "NONE")).toEqual([]);
  });

  it("describes each with its package, versions and platforms", () => {
    const [first] = blockingFindings(platforms, "CRITICAL");
    if (first === undefined) throw new Error("no finding");
    expect(describeFinding(first)).toBe(
      "CRITICAL CVE-2099-0001 in libc6 2.36-9 (fixed in 99.0) on linux/amd64, linux/arm64",
    );
    const secret = blockingFindings(platforms, "HIGH").find((f) => f.kind === "secret");
    if (secret === undefined) throw new Error("no secret");
    expect(describeFinding(secret)).toBe("HIGH secret (aws-access-key-id) in /app/.env on linux/arm64");
    const unfixed = { ...first, fixedVersion: undefined };
    delete unfixed.fixedVersion;
    expect(describeFinding(unfixed)).toContain("(no fix yet)");
  });

  it("fails with every blocking finding named, the layout and the SARIF folder", () => {
    const blocking = blockingFindings(platforms, "CRITICAL");
    const scan = {
      layout: "/work/layout",
      tag: "1.2.3",
      digest: `sha256:${"a".repeat(64)}`,
      failOn: "CRITICAL",
      blocking,
    } as ImageScan;
    const error = gateError(scan, "/work/sarif");
    expect(error.code).toBe("IMAGE_VULNERABLE");
    expect(error.file).toBe("/work/layout");
    expect(error.message).toContain("2 finding(s) at or above CRITICAL");
    expect(error.message).toContain(
      "CVE-2099-0001 in libc6 2.36-9 (fixed in 99.0) on linux/amd64, linux/arm64",
    );
    expect(error.message).toContain("CVE-2099-0003 in openssl");
    expect(error.fix).toContain("/work/sarif");
  });
});
