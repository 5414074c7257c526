import { describe, expect, it } from "vitest";
import {
  type ChartVersion,
  emptyIndex,
  findEntry,
  isRfc3339,
  rfc3339,
} from "../../src/repo/model/index-file.js";

const entry = (version: string): ChartVersion => ({
  apiVersion: "v2",
  created: "2025-01-01T00:00:00Z",
  digest: "",
  name: "kube9-operator",
  urls: [],
  version,
});

describe("emptyIndex", () => {
  it("is apiVersion v1 with no entries and the given time", () => {
    expect(emptyIndex("2025-06-01T12:00:00Z")).toEqual({
      apiVersion: "v1",
      entries: {},
      generated: "2025-06-01T12:00:00Z",
    });
  });
});

describe("findEntry", () => {
  const index = {
    ...emptyIndex("2025-06-01T12:00:00Z"),
    entries: { "kube9-operator": [entry("1.0.0+b"), entry("1.0.0+a"), entry("0.9.0")] },
  };

  it("prefers the exact version string", () => {
    expect(findEntry(index, "kube9-operator", "1.0.0+a")?.version).toBe("1.0.0+a");
  });

  it("finds the same version ignoring build metadata, as Helm does", () => {
    expect(findEntry(index, "kube9-operator", "1.0.0")?.version).toBe("1.0.0+b");
    expect(findEntry(index, "kube9-operator", "v0.9.0")?.version).toBe("0.9.0");
  });

  it("returns undefined for a missing chart or version, and for inherited names", () => {
    expect(findEntry(index, "other", "1.0.0")).toBeUndefined();
    expect(findEntry(index, "kube9-operator", "2.0.0")).toBeUndefined();
    expect(findEntry(index, "kube9-operator", "latest")).toBeUndefined();
    expect(findEntry(index, "constructor", "1.0.0")).toBeUndefined();
  });
});

describe("RFC 3339 (as Go's time.Time reads it from JSON)", () => {
  it.each([
    "2025-06-01T12:00:00Z",
    "2025-06-01T12:00:00.123456789Z",
    "2025-06-01T12:00:00+02:00",
    "2025-06-01T12:00:00.5-07:30",
    "2024-02-29T00:00:00Z",
    "0001-01-01T00:00:00Z",
  ])("accepts %s", (s) => {
    expect(isRfc3339(s)).toBe(true);
  });

  it.each([
    "2025-06-01",
    "2025-06-01 12:00:00",
    "2025-06-01t12:00:00z",
    "2025-06-01T12:00:00",
    "2025-06-01T12:00:00.Z",
    "2025-06-01T12:00:00,5Z",
    "2025-06-01T24:00:00Z",
    "2025-06-01T12:60:00Z",
    "2025-06-01T12:00:60Z",
    "2025-13-01T12:00:00Z",
    "2023-02-29T00:00:00Z",
    "2025-06-01T12:00:00+24:00",
    "2025-06-01T12:00:00+0200",
    "2025-06-01T1:00:00Z",
    "yesterday",
  ])("refuses %s", (s) => {
    expect(isRfc3339(s)).toBe(false);
  });

  it("writes a Date the way Helm writes times", () => {
    expect(rfc3339(new Date("2025-06-01T12:00:00.000Z"))).toBe("2025-06-01T12:00:00Z");
    expect(rfc3339(new Date("2025-06-01T12:00:00.120Z"))).toBe("2025-06-01T12:00:00.12Z");
    expect(() => rfc3339(new Date(Number.NaN))).toThrow(RangeError);
  });
});
