import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ReleaseError } from "../../src/errors.js";
import { mergeEntry } from "../../src/repo/merge.js";
import { type ChartVersion, emptyIndex, type IndexFile } from "../../src/repo/model/index-file.js";
import { parseIndex } from "../../src/repo/parse/parse-index.js";
import { refusalOf } from "../support/refusal.js";
import { digestOf } from "./sample-index.js";

const FIXTURES = join(import.meta.dirname, "..", "testdata", "index");

function entry(version: string, seed = 1, extra: Partial<ChartVersion> = {}): ChartVersion {
  return {
    apiVersion: "v2",
    appVersion: version,
    created: "2026-01-02T03:04:05Z",
    description: "Kubernetes operator for kube9",
    digest: digestOf(seed),
    name: "kube9-operator",
    type: "application",
    urls: [`https://charts.kube9.io/kube9-operator-${version}.tgz`],
    version,
    ...extra,
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object") {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function conflict(run: () => unknown): ReleaseError {
  return refusalOf(run, "VERSION_CONFLICT");
}

const versions = (index: IndexFile, name = "kube9-operator"): string[] =>
  (index.entries[name] ?? []).map((e) => e.version);

describe("mergeEntry", () => {
  it("adds the first version to an empty index", () => {
    const result = mergeEntry(emptyIndex("2026-01-01T00:00:00Z"), entry("1.0.0"));
    expect(result.change).toBe("added");
    expect(versions(result.index)).toEqual(["1.0.0"]);
    expect(result.entry.digest).toBe(digestOf(1));
    expect(result.index.generated).toBe("2026-01-01T00:00:00Z");
  });

  it("puts a new version in SemVer order, newest first, pre-releases below their release", () => {
    let index = emptyIndex("2026-01-01T00:00:00Z");
    for (const [i, v] of [
      "1.2.3",
      "1.10.0",
      "1.10.0-rc.1",
      "0.9.0",
      "1.10.0-beta.2",
      "2.0.0-alpha",
    ].entries()) {
      index = mergeEntry(index, entry(v, i + 10)).index;
    }
    expect(versions(index)).toEqual([
      "2.0.0-alpha",
      "1.10.0",
      "1.10.0-rc.1",
      "1.10.0-beta.2",
      "1.2.3",
      "0.9.0",
    ]);
  });

  it("is a no-op for the same version with the same digest, keeping the existing entry verbatim", () => {
    const base = mergeEntry(
      emptyIndex("2026-01-01T00:00:00Z"),
      entry("1.0.0", 1, { created: "2025-01-01T00:00:00Z" }),
    ).index;
    const retry = mergeEntry(
      base,
      entry("1.0.0", 1, { created: "2026-06-06T06:06:06Z", description: "changed" }),
    );
    expect(retry.change).toBe("unchanged");
    expect(retry.index).toBe(base);
    expect(retry.entry).toBe(base.entries["kube9-operator"]?.[0]);
    expect(retry.entry.created).toBe("2025-01-01T00:00:00Z");
    expect(retry.entry.description).toBe("Kubernetes operator for kube9");
  });

  it("treats a sha256: prefix or upper case in an old digest as the same digest", () => {
    const base = mergeEntry(emptyIndex("2026-01-01T00:00:00Z"), entry("1.0.0")).index;
    const old = base.entries["kube9-operator"]?.[0] as ChartVersion;
    const legacy: IndexFile = {
      ...base,
      entries: { "kube9-operator": [{ ...old, digest: `sha256:${old.digest.toUpperCase()}` }] },
    };
    expect(mergeEntry(legacy, entry("1.0.0")).change).toBe("unchanged");
  });

  it("refuses the same version with another digest, naming the version and both digests", () => {
    const base = mergeEntry(emptyIndex("2026-01-01T00:00:00Z"), entry("1.0.0", 1)).index;
    const error = conflict(() => mergeEntry(base, entry("1.0.0", 2)));
    expect(error.message).toContain("kube9-operator 1.0.0");
    expect(error.message).toContain(digestOf(1));
    expect(error.message).toContain(digestOf(2));
    expect(error.field).toBe("entries.kube9-operator[0].digest");
    expect(error.fix).toMatch(/bump the chart version/);
  });

  it("treats versions that differ only in +build metadata as the same version, as Helm does", () => {
    const base = mergeEntry(emptyIndex("2026-01-01T00:00:00Z"), entry("1.0.0+a", 1)).index;
    expect(mergeEntry(base, entry("1.0.0+b", 1)).change).toBe("unchanged");
    const error = conflict(() => mergeEntry(base, entry("1.0.0+b", 2)));
    expect(error.message).toMatch(/1\.0\.0\+a and 1\.0\.0\+b are the same version/);
  });

  it("refuses to overwrite an old entry that has no digest", () => {
    const legacy = parseIndex(readFileSync(join(FIXTURES, "helm2-legacy-keys.yaml")), "legacy.yaml");
    const error = conflict(() =>
      mergeEntry(legacy, { ...entry("1.0.0"), name: "legacy", urls: ["legacy-1.0.0.tgz"] }),
    );
    expect(error.message).toMatch(/digest \(none\)/);
  });

  it("never changes its input and keeps every other chart and entry as the same objects", () => {
    const before = deepFreeze(parseIndex(readFileSync(join(FIXTURES, "unordered.yaml")), "unordered.yaml"));
    const snapshot = structuredClone(before);
    const result = mergeEntry(before, {
      ...entry("1.1.0"),
      name: "alpha",
      urls: ["https://charts.example.com/alpha-1.1.0.tgz"],
    });
    expect(before).toEqual(snapshot);
    expect(result.index).not.toBe(before);
    expect(result.index.entries.zeta).toBe(before.entries.zeta);
    const oldAlpha = before.entries.alpha ?? [];
    const newAlpha = result.index.entries.alpha ?? [];
    expect(newAlpha.map((e) => e.version)).toEqual([
      "1.1.0",
      "1.0.0",
      "1.0.0-rc.1",
      "1.0.0-beta.2",
      "0.10.0",
      "0.9.0",
    ]);
    for (const old of oldAlpha) expect(newAlpha).toContain(old);
  });

  it("does not keep a reference to the caller's entry object", () => {
    const mine = entry("1.0.0");
    const result = mergeEntry(emptyIndex("2026-01-01T00:00:00Z"), mine);
    mine.urls.push("changed-after.tgz");
    mine.description = "changed after";
    expect(result.entry.description).toBe("Kubernetes operator for kube9");
    expect(result.index.entries["kube9-operator"]?.[0]?.urls).toEqual([
      "https://charts.kube9.io/kube9-operator-1.0.0.tgz",
    ]);
  });

  it("works when a chart is called __proto__", () => {
    const result = mergeEntry(emptyIndex("2026-01-01T00:00:00Z"), { ...entry("1.0.0"), name: "__proto__" });
    expect(Object.keys(result.index.entries)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(result.index.entries)).toBe(Object.prototype);
  });

  it.each([
    ["an unknown key", { releaseNotes: "x" }, "releaseNotes", /unknown key/],
    ["an invalid version", { version: "latest" }, "version", /not a semantic version/],
    ["a digest with a prefix", { digest: `sha256:${digestOf(1)}` }, "digest", /lowercase hex SHA-256/],
    ["no URL", { urls: [] }, "urls", /download URL/],
    ["a created time that is not RFC 3339", { created: "yesterday" }, "created", /RFC 3339/],
    [
      "a number where a string belongs",
      { appVersion: 1 as unknown as string },
      "appVersion",
      /expected a string/,
    ],
  ])("refuses a new entry with %s (CHART_INVALID)", (_name, extra, field, message) => {
    try {
      mergeEntry(emptyIndex("2026-01-01T00:00:00Z"), {
        ...entry("1.0.0"),
        ...(extra as Partial<ChartVersion>),
      });
      throw new Error("expected CHART_INVALID");
    } catch (error) {
      expect(error).toBeInstanceOf(ReleaseError);
      expect((error as ReleaseError).code).toBe("CHART_INVALID");
      expect((error as ReleaseError).field).toBe(field);
      expect((error as ReleaseError).message).toMatch(message);
    }
  });
});
