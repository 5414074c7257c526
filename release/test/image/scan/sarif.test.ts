import { describe, expect, it } from "vitest";
import { isReleaseError } from "../../../src/errors.js";
import { categorizeSarif, sarifCategory, sarifFileName } from "../../../src/image/scan/sarif.js";

describe("SARIF per platform", () => {
  it("names each run's category after its platform, keeping the rest of the document", () => {
    const input = JSON.stringify({
      version: "2.1.0",
      runs: [{ tool: { driver: { name: "Trivy" } }, results: [{ ruleId: "CVE-2099-0001" }] }],
    });
    const out = JSON.parse(categorizeSarif(input, "linux/arm64", "x.sarif"));
    expect(out.version).toBe("2.1.0");
    expect(out.runs[0].automationDetails).toEqual({ id: "kube9-image-scan/linux/arm64/" });
    expect(out.runs[0].results[0].ruleId).toBe("CVE-2099-0001");
    expect(sarifCategory("linux/amd64")).not.toBe(sarifCategory("linux/arm64"));
  });

  it("names files after the platform", () => {
    expect(sarifFileName("linux/amd64")).toBe("linux-amd64.sarif");
    expect(sarifFileName("linux/arm/v7")).toBe("linux-arm-v7.sarif");
  });

  it("refuses SARIF that is not JSON or has no runs", () => {
    for (const text of ["{not json", JSON.stringify({ version: "2.1.0" })]) {
      let caught: unknown;
      try {
        categorizeSarif(text, "linux/amd64", "bad.sarif");
      } catch (error) {
        caught = error;
      }
      expect(isReleaseError(caught, "TOOL_FAILED")).toBe(true);
      expect((caught as { file?: string }).file).toBe("bad.sarif");
    }
  });
});
