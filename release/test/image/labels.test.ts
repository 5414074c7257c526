import { describe, expect, it } from "vitest";
import { checkRfc3339, imageLabels } from "../../src/image/labels.js";
import { refusalOf } from "../support/refusal.js";

const input = {
  version: "v1.2.3",
  revision: "0123456789abcdef0123456789abcdef01234567",
  created: "2026-05-01T12:00:00Z",
  source: "https://github.com/alto9/kube9-operator",
};

function usageMessage(run: () => unknown): string {
  const error = refusalOf(run, "USAGE");
  return `${error.field}: ${error.message}`;
}

describe("imageLabels", () => {
  it("gives every OCI label, version without v and created as given", () => {
    expect(imageLabels(input)).toEqual({
      "org.opencontainers.image.created": "2026-05-01T12:00:00Z",
      "org.opencontainers.image.description":
        "Kubernetes operator that reports cluster status to kube9 with read-only access",
      "org.opencontainers.image.licenses": "MIT",
      "org.opencontainers.image.revision": "0123456789abcdef0123456789abcdef01234567",
      "org.opencontainers.image.source": "https://github.com/alto9/kube9-operator",
      "org.opencontainers.image.title": "kube9-operator",
      "org.opencontainers.image.url": "https://github.com/alto9/kube9-operator",
      "org.opencontainers.image.version": "1.2.3",
    });
  });

  it("is a pure function of its input (reproducible digests)", () => {
    expect(JSON.stringify(imageLabels(input))).toBe(JSON.stringify(imageLabels({ ...input })));
  });

  it.each([
    ["2026-05-01T12:00:00Z", true],
    ["2026-05-01T14:00:00+02:00", true],
    ["2026-05-01t12:00:00.123z", true],
    ["2026-05-01 12:00:00Z", false],
    ["2026-05-01T12:00:00", false],
    ["2026-05-01", false],
    ["1714564800", false],
    ["2026-13-01T12:00:00Z", false],
    ["2026-05-01T25:00:00Z", false],
    ["yesterday", false],
  ])("RFC 3339 check of %j: %s", (value, valid) => {
    if (valid) expect(checkRfc3339(value, "--created")).toBe(value);
    else
      expect(usageMessage(() => checkRfc3339(value, "--created"))).toContain("is not an RFC 3339 date-time");
  });

  it.each([
    [{ ...input, revision: "abc123" }, '--revision: "abc123" is not a full git commit id'],
    [{ ...input, created: "now" }, "--created"],
    [{ ...input, source: "github.com/alto9" }, "--source"],
    [{ ...input, source: "ftp://example.org/x" }, "--source"],
    [{ ...input, version: "v1.2.3+5" }, "build metadata"],
  ])("refuses bad input %#", (bad, message) => {
    expect(usageMessage(() => imageLabels(bad))).toContain(message);
  });
});
