import { describe, expect, it } from "vitest";
import {
  checkHelmVersion,
  compareVersions,
  sameVersion,
  sortVersions,
} from "../../src/helm-format/version.js";
import type { ChartVersion } from "../../src/repo/model/index-file.js";
import { compareKeys, sortedKeys, sortIndex } from "../../src/repo/order/order.js";

const v = (version: string, tag = version): ChartVersion =>
  ({ name: "c", version, urls: [], created: tag, digest: "", apiVersion: "v2" }) as ChartVersion;

describe("checkHelmVersion (Masterminds/semver NewVersion, as Helm validates chart versions)", () => {
  it.each([
    "1.2.3",
    "v1.2.3",
    "1.2",
    "1",
    "01.02.03",
    "1.0.0-rc.1",
    "1.0.0+build.7",
    "1.0.0-0A.is.legal",
    "2.0.0-x-y-z.--",
  ])("accepts %s", (version) => {
    expect(checkHelmVersion(version).ok).toBe(true);
  });

  it.each([
    ["latest"],
    [""],
    ["1.2.3.4"],
    ["1.0.0-01"],
    ["1.0.0-"],
    ["1.0.0+"],
    ["=1.0.0"],
    [" 1.0.0"],
    ["1.0.0-a..b"],
    ["18446744073709551616.0.0"],
  ])("refuses %j", (version) => {
    const check = checkHelmVersion(version);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.reason).toBe("invalid");
  });

  it("says when a version Helm accepts is too large for the semver package", () => {
    const check = checkHelmVersion("9007199254740993.0.0");
    expect(check).toMatchObject({ ok: false, reason: "unsupported" });
  });
});

describe("version precedence", () => {
  it.each([
    ["1.0.0", "1.0.0+build", 0],
    ["1.0.0+a", "1.0.0+b", 0],
    ["v1.0.0", "1.0.0", 0],
    ["1.2", "1.2.0", 0],
    ["1.10.0", "1.9.0", 1],
    ["1.0.0-rc.1", "1.0.0", -1],
    ["1.0.0-rc.10", "1.0.0-rc.9", 1],
    ["1.0.0-alpha", "1.0.0-alpha.1", -1],
    ["1.0.0-1", "1.0.0-alpha", -1],
    ["1.0.0-beta", "1.0.0-alpha.9", 1],
  ])("%s vs %s: %i", (a, b, sign) => {
    expect(Math.sign(compareVersions(a, b) ?? Number.NaN)).toBe(sign);
    expect(sameVersion(a, b)).toBe(sign === 0);
  });

  it("cannot compare a version Helm refuses", () => {
    expect(compareVersions("latest", "1.0.0")).toBeUndefined();
    expect(sameVersion("latest", "1.0.0")).toBe(false);
    expect(sameVersion("latest", "latest")).toBe(true);
  });
});

describe("sortVersions", () => {
  it("orders newest first, keeps ties in their order, and puts what Helm cannot parse last", () => {
    const list = [
      v("0.9.0"),
      v("bogus"),
      v("1.0.0+b", "first"),
      v("1.0.0-rc.1"),
      v("1.0.0+a", "second"),
      v("1.10.0"),
    ];
    expect(sortVersions(list).map((e) => `${e.version}/${e.created}`)).toEqual([
      "1.10.0/1.10.0",
      "1.0.0+b/first",
      "1.0.0+a/second",
      "1.0.0-rc.1/1.0.0-rc.1",
      "0.9.0/0.9.0",
      "bogus/bogus",
    ]);
  });

  it("returns the same array when already in order, and sortIndex the same index", () => {
    const list = [v("2.0.0"), v("1.0.0")];
    expect(sortVersions(list)).toBe(list);
    const index = { apiVersion: "v1" as const, entries: { c: list }, generated: "2025-01-01T00:00:00Z" };
    expect(sortIndex(index)).toBe(index);
    const unsorted = { ...index, entries: { c: [v("1.0.0"), v("2.0.0")] } };
    const sorted = sortIndex(unsorted);
    expect(sorted.entries.c?.map((e) => e.version)).toEqual(["2.0.0", "1.0.0"]);
    expect(unsorted.entries.c?.map((e) => e.version)).toEqual(["1.0.0", "2.0.0"]);
  });
});

describe("map key order (go yaml.v2 keyList.Less, what Helm writes)", () => {
  it("sorts like Helm: natural numbers, non-letters before letters, upper case before lower case", () => {
    const keys = [
      "chart10",
      "ab",
      "a-b",
      "chart2",
      "B",
      "a10",
      "a9",
      "yes",
      "1.0",
      "10",
      "9",
      "kube9-operator",
      "kube9operator",
      "é",
      "z",
    ];
    expect([...keys].sort(compareKeys)).toEqual([
      "1.0",
      "9",
      "10",
      "B",
      "a-b",
      "a9",
      "a10",
      "ab",
      "chart2",
      "chart10",
      "kube9-operator",
      "kube9operator",
      "yes",
      "z",
      "é",
    ]);
  });

  it("gives one order for a key set whatever the insertion order, even where Go's comparison has a cycle", () => {
    const keys = ["1e3", "2", "10", "a", "1", "0.5"];
    const orders = new Set<string>();
    for (let shift = 0; shift < keys.length; shift++) {
      const rotated = [...keys.slice(shift), ...keys.slice(0, shift)];
      orders.add(sortedKeys(Object.fromEntries(rotated.map((k) => [`k${k}`, 1]))).join(","));
      orders.add(sortedKeys(Object.fromEntries(rotated.reverse().map((k) => [`k${k}`, 1]))).join(","));
    }
    expect(orders.size).toBe(1);
  });

  it("orders two keys as the general sort does, in either insertion order", () => {
    const keys = [
      "1e3",
      "2",
      "10",
      "a",
      "1",
      "0.5",
      "B",
      "a-b",
      "ab",
      "é",
      "artifacthub.io/license",
      "artifacthub.io/changes",
    ];
    // The general path: sort by code unit, then a stable sort by Go's comparison.
    const general = (pair: string[]): string[] =>
      [...pair].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).sort(compareKeys);
    for (const a of keys) {
      for (const b of keys) {
        if (a === b) continue;
        expect(sortedKeys({ [a]: 1, [b]: 2 })).toEqual(general([a, b]));
      }
    }
  });

  it("sorts object keys, __proto__ included", () => {
    const map = JSON.parse('{"b": 1, "__proto__": 2, "a": 3}');
    expect(sortedKeys(map)).toEqual(["__proto__", "a", "b"]);
  });
});
