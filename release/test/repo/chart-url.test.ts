import { describe, expect, it } from "vitest";
import { ReleaseError } from "../../src/errors.js";
import { chartUrl } from "../../src/repo/model/chart-url.js";

describe("chartUrl", () => {
  it.each([
    [
      "https://charts.kube9.io",
      "kube9-operator-1.2.3.tgz",
      "https://charts.kube9.io/kube9-operator-1.2.3.tgz",
    ],
    [
      "https://charts.kube9.io/",
      "kube9-operator-1.2.3.tgz",
      "https://charts.kube9.io/kube9-operator-1.2.3.tgz",
    ],
    [
      "https://charts.kube9.io///",
      "kube9-operator-1.2.3.tgz",
      "https://charts.kube9.io/kube9-operator-1.2.3.tgz",
    ],
    ["https://example.com/charts", "a-1.0.0.tgz", "https://example.com/charts/a-1.0.0.tgz"],
    ["https://example.com/charts/stable/", "a-1.0.0.tgz", "https://example.com/charts/stable/a-1.0.0.tgz"],
    [
      "https://charts.kube9.io",
      "kube9-operator-1.2.3+build.1.tgz",
      "https://charts.kube9.io/kube9-operator-1.2.3%2Bbuild.1.tgz",
    ],
    ["https://charts.kube9.io", "a b#c?d%e.tgz", "https://charts.kube9.io/a%20b%23c%3Fd%25e.tgz"],
    ["https://charts.kube9.io", "sub/a-1.0.0.tgz", "https://charts.kube9.io/sub/a-1.0.0.tgz"],
    ["http://localhost:8080", "a-1.0.0.tgz", "http://localhost:8080/a-1.0.0.tgz"],
    ["s3://bucket/prefix", "a-1.0.0.tgz", "s3://bucket/prefix/a-1.0.0.tgz"],
  ])("%s + %s", (base, file, expected) => {
    expect(chartUrl(base, file)).toBe(expected);
  });

  it("returns the (encoded) file name when there is no base URL", () => {
    expect(chartUrl(undefined, "kube9-operator-1.2.3.tgz")).toBe("kube9-operator-1.2.3.tgz");
    expect(chartUrl("", "kube9-operator-1.2.3+b.tgz")).toBe("kube9-operator-1.2.3%2Bb.tgz");
  });

  it.each([
    ["not a url", "a.tgz"],
    ["https://charts.kube9.io?x=1", "a.tgz"],
    ["https://charts.kube9.io#top", "a.tgz"],
    ["https://charts.kube9.io", ""],
    ["https://charts.kube9.io", "/a.tgz"],
    ["https://charts.kube9.io", "../a.tgz"],
    ["https://charts.kube9.io", "a//b.tgz"],
  ])("refuses %j + %j", (base, file) => {
    expect(() => chartUrl(base, file)).toThrow(ReleaseError);
  });
});
