import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isReleaseError } from "../../src/errors.js";
import { formatGithubOutput } from "../../src/image/github-output.js";
import { parseImageReference } from "../../src/image/reference.js";
import { sha256Digest } from "../../src/image/registry-client.js";
import { parseSize } from "../../src/image/units.js";

describe("image references", () => {
  it.each([
    ["ghcr.io/alto9/kube9-operator:v1.2.3", "https://ghcr.io", "alto9/kube9-operator", "v1.2.3"],
    ["127.0.0.1:5000/a/b:1.2", "http://127.0.0.1:5000", "a/b", "1.2"],
    ["localhost:5000/a:latest", "http://localhost:5000", "a", "latest"],
    [`ghcr.io/a/b@sha256:${"a".repeat(64)}`, "https://ghcr.io", "a/b", `sha256:${"a".repeat(64)}`],
  ])("%s", (text, baseUrl, name, reference) => {
    expect(parseImageReference(text)).toMatchObject({ baseUrl, name, reference });
  });

  it.each([
    "kube9-operator:1.0",
    "ghcr.io/Alto9/x:1",
    "ghcr.io/a/b",
    "ghcr.io/a/b:-x",
    "ghcr.io/a/b@sha256:12",
  ])("refuses %s", (text) => {
    expect(() => parseImageReference(text)).toThrow(/is not an image reference/);
  });
});

describe("digests", () => {
  it("is the sha256 of the exact bytes, as Docker-Content-Digest is", () => {
    const body = Buffer.from('{"schemaVersion":2}');
    expect(sha256Digest(body)).toBe(`sha256:${createHash("sha256").update(body).digest("hex")}`);
    expect(sha256Digest(Buffer.from('{"schemaVersion": 2}'))).not.toBe(sha256Digest(body));
  });
});

describe("sizes", () => {
  it.each([
    ["200MB", 200_000_000],
    ["190MiB", 190 * 1024 * 1024],
    ["1.5MB", 1_500_000],
    ["512", 512],
    ["10kb", 10_000],
  ])("size %s", (text, bytes) => {
    expect(parseSize(text, "--max-size")).toBe(bytes);
  });

  it.each([["200 potatoes"], ["MB"], ["-1MB"]])("refuses size %j", (text) => {
    expect(() => parseSize(text, "--max-size")).toThrow(/is not a size/);
  });
});

describe("GitHub Actions outputs", () => {
  it("writes one line for a single-line value and a delimited block otherwise", () => {
    expect(formatGithubOutput("tags", "v1.2.3,1.2.3")).toBe("tags=v1.2.3,1.2.3\n");
    expect(formatGithubOutput("refs", "a\nb", "EOF_X")).toBe("refs<<EOF_X\na\nb\nEOF_X\n");
    expect(() => formatGithubOutput("refs", "a\nEOF_X", "EOF_X")).toThrow(/collides/);
  });
});
