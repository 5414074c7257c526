import { describe, expect, it } from "vitest";
import { isReleaseError } from "../../../src/errors.js";
import { countBySeverity, failsGate, parseFailOn } from "../../../src/image/scan/severity.js";

describe("the severity gate", () => {
  it("reads --fail-on in any case, NONE included", () => {
    expect(parseFailOn("critical")).toBe("CRITICAL");
    expect(parseFailOn(" High ")).toBe("HIGH");
    expect(parseFailOn("none")).toBe("NONE");
  });

  it("refuses a word that is not a severity, naming --fail-on", () => {
    let caught: unknown;
    try {
      parseFailOn("SEVERE");
    } catch (error) {
      caught = error;
    }
    expect(isReleaseError(caught, "USAGE")).toBe(true);
    expect((caught as Error).message).toContain('"SEVERE"');
    expect((caught as { field?: string }).field).toBe("--fail-on");
  });

  it("fails at and above the threshold, never below it, and never with NONE", () => {
    expect(failsGate("CRITICAL", "CRITICAL")).toBe(true);
    expect(failsGate("HIGH", "CRITICAL")).toBe(false);
    expect(failsGate("HIGH", "HIGH")).toBe(true);
    expect(failsGate("CRITICAL", "HIGH")).toBe(true);
    expect(failsGate("UNKNOWN", "LOW")).toBe(false);
    expect(failsGate("UNKNOWN", "UNKNOWN")).toBe(true);
    expect(failsGate("CRITICAL", "NONE")).toBe(false);
  });

  it("counts every severity, zero included", () => {
    expect(countBySeverity(["HIGH", "CRITICAL", "HIGH"])).toEqual({
      UNKNOWN: 0,
      LOW: 0,
      MEDIUM: 0,
      HIGH: 2,
      CRITICAL: 1,
    });
  });
});
