import { describe, expect, it } from "vitest";
import { isHelmVersion, isStrictSemver, isValidConstraint } from "../../src/helm-format/version.js";

describe("isValidConstraint follows Masterminds semver NewConstraint", () => {
  // Inputs and outcomes of Masterminds/semver's own TestNewConstraint, plus kubeVersion forms seen in charts.
  it.each([
    ">= 1.1",
    ">40.50.60, < 50.70",
    "2.0",
    "v2.3.5-20161202202307-sha.e8fc5e5",
    "v1.2.3-0abc",
    ">= 1.2.3 < 2.0",
    ">= 1.2.3 < 2.0 || => 3.0 < 4",
    ">= 1.2.3, < 2.0",
    "3 - 4 || => 3.0, < 4",
    "12.3.34 ~1.2.3",
    "1.0.0 - 2.0.0, <=2.0.0",
    ">=1.19.0-0",
    "^1.x",
    "~> 1.2",
    "!=4.1",
    "=<1.2.3",
    "*",
  ])("accepts %j", (constraint) => {
    expect(isValidConstraint(constraint)).toBe(true);
  });

  it.each([
    "v1.2.3-beta.01",
    ">= bar",
    "BAR >= 1.2.3",
    "12.3.4.1234",
    "12.23.4.1234",
    "12.3.34.1234",
    "12.3.34~ 1.2.3",
    ">= 1.2.3 ||",
    "banana",
    "1.2.3 ^",
    "",
  ])("refuses %j", (constraint) => {
    expect(isValidConstraint(constraint)).toBe(false);
  });
});

describe("versions", () => {
  it.each([
    ["1.2.3", true, true],
    ["1.2.3-rc.1+build.5", true, true],
    ["1.2", false, true],
    ["v1.2.3", false, true],
    ["01.2.3", false, true],
    ["1.2.3-01", false, false],
    ["1.2.3.4", false, false],
    ["18446744073709551615.0.0", true, true],
    ["18446744073709551616.0.0", false, false],
    ["", false, false],
  ])("%j: strict SemVer %s, Helm-loadable %s", (version, strict, helm) => {
    expect(isStrictSemver(version)).toBe(strict);
    expect(isHelmVersion(version)).toBe(helm);
  });
});
