import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { loadHelmYaml, PlainScalar } from "../../src/repo/parse/load-yaml.js";
import {
  doubleQuote,
  goFormatFloat32,
  goStringOf,
  needsQuotes,
  resolvePlain,
  scalar,
} from "../../src/yaml/yaml11-scalars.js";
import { HOSTILE_STRINGS } from "../repo/hostile-strings.js";

/** What Go's yaml.v2 resolves plain scalars to (its resolve.go; the floats through sigs.k8s.io/yaml's float32 formatting). */
const GO_RESOLUTION: Array<[string, string, string | undefined]> = [
  // text, kind, the string Helm puts into a Go string field (undefined: null)
  ["yes", "bool", "true"],
  ["Yes", "bool", "true"],
  ["YES", "bool", "true"],
  ["y", "bool", "true"],
  ["Y", "bool", "true"],
  ["on", "bool", "true"],
  ["ON", "bool", "true"],
  ["true", "bool", "true"],
  ["no", "bool", "false"],
  ["n", "bool", "false"],
  ["N", "bool", "false"],
  ["off", "bool", "false"],
  ["Off", "bool", "false"],
  ["FALSE", "bool", "false"],
  ["~", "null", undefined],
  ["null", "null", undefined],
  ["Null", "null", undefined],
  ["NULL", "null", undefined],
  ["1", "int", "1"],
  ["-0", "int", "0"],
  ["+1", "int", "1"],
  ["0123", "int", "83"],
  ["0o17", "int", "15"],
  ["0x1F", "int", "31"],
  ["0b101", "int", "5"],
  ["-0b11", "int", "-3"],
  ["1_000", "int", "1000"],
  ["9223372036854775807", "int", "9223372036854775807"],
  ["18446744073709551615", "int", "18446744073709551615"],
  ["1.0", "float", "1"],
  ["1.10", "float", "1.1"],
  ["2.5", "float", "2.5"],
  ["1.", "float", "1"],
  [".5", "float", "0.5"],
  ["+.5", "float", "0.5"],
  ["1e3", "float", "1000"],
  ["1e6", "float", "1e+06"],
  ["123456", "int", "123456"],
  ["0.0001", "float", "0.0001"],
  ["0.00001", "float", "1e-05"],
  ["3.14159265", "float", "3.1415927"],
  ["089", "float", "89"],
  ["18446744073709551616", "float", "1.8446744e+19"],
  [".inf", "float", "+Inf"],
  ["-.Inf", "float", "-Inf"],
  [".NaN", "float", "NaN"],
];

const GO_STRINGS = [
  "1.2.3",
  "v1.2.3",
  "1.0.0-rc.1",
  "2024-01-01",
  "2024-01-01T00:00:00Z",
  "yEs",
  "tRUE",
  "nope",
  "1e400",
  "0x",
  "-",
  "+",
  "._5",
  "1:20",
  "<<",
  "=",
  "1.2.3+build",
  "0b102",
  "12e",
  "kube9-operator",
  "é",
];

describe("resolvePlain mirrors go yaml.v2", () => {
  it.each(GO_RESOLUTION)("%s is a %s, read by Helm as %s", (text, kind, goString) => {
    const resolved = resolvePlain(text);
    expect(resolved.kind).toBe(kind);
    expect(goStringOf(resolved, text)).toBe(goString);
  });

  it.each(GO_STRINGS)("%s stays a string", (text) => {
    expect(resolvePlain(text)).toEqual({ kind: "str" });
  });

  it("reads the empty plain scalar as null", () => {
    expect(resolvePlain("").kind).toBe("null");
  });
});

describe("goFormatFloat32 (strconv.FormatFloat(f, 'g', -1, 32))", () => {
  it.each([
    [1, "1"],
    [0.1, "0.1"],
    [100, "100"],
    [1e6, "1e+06"],
    [123456, "123456"],
    [1234567, "1.234567e+06"],
    [1e21, "1e+21"],
    [0.0001, "0.0001"],
    [0.00001, "1e-05"],
    [-2.5, "-2.5"],
    [1 / 3, "0.33333334"],
    [16777217, "1.6777216e+07"],
    [-0, "-0"],
    [Number.NaN, "NaN"],
    [1e39, "+Inf"],
  ])("%d -> %s", (value, expected) => {
    expect(goFormatFloat32(value)).toBe(expected);
  });
});

describe("needsQuotes / scalar", () => {
  it.each(
    HOSTILE_STRINGS.filter((s) => !["日本語", "nbsp\u00a0", "a, b", 'quote " and backslash \\'].includes(s)),
  )("quotes %j", (s) => {
    expect(needsQuotes(s)).toBe(true);
  });

  it.each([
    "1.2.3",
    "1.0.0-rc.1",
    "v2",
    "application",
    "kube9-operator",
    "https://charts.kube9.io/kube9-operator-1.2.3.tgz",
    "A Helm chart for Kubernetes",
    "a, b",
    'quote " and backslash \\',
    "日本語",
    "3a1f0e8d2c4b6a9e7f5d3c1b0a9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e",
    "yes please",
    "artifacthub.io/changes",
    "url#fragment",
  ])("leaves %j plain", (s) => {
    expect(needsQuotes(s)).toBe(false);
  });

  it.each([
    ["1.2.3.4", false],
    ["+1.2.3", false],
    [".1.2", false],
    ["1..2", false],
    ["1_0.0.0", false],
    ["0x1.2.3", false],
    ["...", true],
    ["...1", true],
    ["2024-01-31T12:00:00.5.5", true],
    ["2024-1-3.1.2", true],
  ])("with two dots, %j: quoted %s (timestamps and document markers only)", (s, quoted) => {
    expect(needsQuotes(s)).toBe(quoted);
  });

  it.each(HOSTILE_STRINGS)(
    "%j reads back as the same string through js-yaml and our YAML 1.1 reader",
    (s) => {
      const text = `k: ${scalar(s)}\n`;
      expect(yaml.load(text)).toEqual({ k: s });
      expect(loadHelmYaml(text, "t.yaml")).toEqual({ k: s });
    },
  );

  it("never leaves a YAML 1.1 typed scalar plain", () => {
    for (const [text] of GO_RESOLUTION) {
      expect(scalar(text)).not.toBe(text);
      expect(loadHelmYaml(`k: ${scalar(text)}`, "t.yaml")).toEqual({ k: text });
    }
  });

  it("escapes only what it must", () => {
    expect(doubleQuote("plain")).toBe('"plain"');
    expect(doubleQuote('a "b" \\c')).toBe('"a \\"b\\" \\\\c"');
    expect(doubleQuote("x\ny\tz\r")).toBe('"x\\ny\\tz\\r"');
    expect(doubleQuote("\u0000\u0085\u2028\ufeff")).toBe('"\\x00\\x85\\u2028\\uFEFF"');
    expect(doubleQuote("é 🚀")).toBe('"é 🚀"');
  });

  it("refuses a lone surrogate, which no YAML reader (nor Go) can carry", () => {
    expect(() => doubleQuote("bad \ud800 surrogate")).toThrow(/lone UTF-16 surrogate/);
    expect(() => doubleQuote("bad \udc00")).toThrow(/lone UTF-16 surrogate/);
  });
});

describe("loadHelmYaml (js-yaml with YAML 1.1 plain scalars)", () => {
  it("wraps YAML 1.1 typed plain scalars and leaves quoted ones as strings", () => {
    const doc = loadHelmYaml('a: yes\nb: "yes"\nc: 0123\nd: 1.2.3\ne: ~\nf:\n', "t.yaml") as Record<
      string,
      unknown
    >;
    expect(doc.a).toBeInstanceOf(PlainScalar);
    expect((doc.a as PlainScalar).resolved).toEqual({ kind: "bool", value: true });
    expect(doc.b).toBe("yes");
    expect((doc.c as PlainScalar).resolved).toEqual({ kind: "int", value: 83n });
    expect(doc.d).toBe("1.2.3");
    expect((doc.e as PlainScalar).resolved.kind).toBe("null");
    expect(doc.f).toBeNull();
  });

  it("throws on a duplicate key", () => {
    expect(() => loadHelmYaml("a: 1\na: 2\n", "t.yaml")).toThrow(/duplicated mapping key/);
  });

  it("applies merge keys as go yaml.v2 does", () => {
    expect(loadHelmYaml("base: &b {x: a}\nm:\n  <<: *b\n  z: b\n", "t.yaml")).toEqual({
      base: { x: "a" },
      m: { x: "a", z: "b" },
    });
  });
});
