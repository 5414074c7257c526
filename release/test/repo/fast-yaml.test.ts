/**
 * fast-yaml is a shortcut: for every text it must give exactly what js-yaml (with our YAML 1.1
 * schema) gives, or step aside (undefined). These tests compare the two.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readSimpleYaml } from "../../src/repo/parse/fast-yaml.js";
import { loadHelmYaml } from "../../src/repo/parse/load-yaml.js";
import { serializeIndex } from "../../src/repo/serialize/serialize-index.js";
import { hostileIndex } from "./sample-index.js";

const FIXTURES = join(import.meta.dirname, "..", "testdata", "index");

/** js-yaml's value, or "throws". */
function reference(text: string): unknown {
  try {
    return loadHelmYaml(text, "t.yaml");
  } catch {
    return "throws";
  }
}

function expectSameOrBail(text: string): "same" | "bail" {
  const fast = readSimpleYaml(text);
  if (fast === undefined) return "bail";
  const slow = reference(text);
  expect(slow).not.toBe("throws");
  expect(fast).toStrictEqual(slow);
  return "same";
}

describe("readSimpleYaml", () => {
  it.each(readdirSync(FIXTURES).filter((f) => f.endsWith(".yaml")))(
    "agrees with js-yaml on fixture %s",
    (file) => {
      expectSameOrBail(readFileSync(join(FIXTURES, file), "utf8").replace(/^\ufeff/, ""));
    },
  );

  it("reads Helm's own output without falling back", () => {
    for (const file of ["helm3-repo-index.yaml", "helm4-repo-index.yaml", "chartmuseum.yaml"]) {
      expect(expectSameOrBail(readFileSync(join(FIXTURES, file), "utf8"))).toBe("same");
    }
  });

  it("reads our own output, hostile strings included, without falling back", () => {
    const text = serializeIndex(hostileIndex());
    expect(expectSameOrBail(text)).toBe("same");
  });

  // Each snippet: either both agree, or the fast reader steps aside. `expected` says which we want.
  it.each([
    ["plain mapping", "a: b\nc: d\n", "same"],
    ["compact sequence", "a:\n- x\n- y\nb: z\n", "same"],
    ["indented sequence", "a:\n  - x\n  - y\nb: z\n", "same"],
    ["sequence of mappings", "a:\n- k: 1\n  l: 2\n- k: 3\n", "same"],
    ["nested mapping", "a:\n  b:\n    c: d\n  e: f\n", "same"],
    ["empty value", "a:\nb: c\n", "same"],
    ["empty value at end", "a: b\nc:\n", "same"],
    ["empty collections", "a: []\nb: {}\n", "same"],
    ["typed plain scalars", "a: yes\nb: 1.0\nc: 0x1F\nd: ~\ne: 2024-01-01\n", "same"],
    ["typed plain keys", 'm:\n  1.0: a\n  yes: b\n  "1.0": c\n', "same"],
    ["double-quoted escapes", 'a: "x\\ny\\t\\"\\\\ \\u00e9 \\U0001F680 \\x41 \\/"\n', "same"],
    ["lone surrogate escape", 'a: "\\ud800"\n', "same"],
    ["single quotes", "a: 'it''s'\n'b': ''\n", "same"],
    ["comment lines", "# top\na: b\n  # indented\nc: d\n", "same"],
    ["blank lines", "a: b\n\nc: d\n", "same"],
    ["no final newline", "a: b", "same"],
    ["__proto__ key", "__proto__: x\na: b\n", "same"],
    ["url with fragment", "a: https://x/#frag\n", "same"],
    ["trailing comment", "a: b # c\n", "bail"],
    ["duplicate key", "a: b\na: c\n", "bail"],
    ["flow mapping", "a: {b: c}\n", "bail"],
    ["flow sequence", "a: [b, c]\n", "bail"],
    ["block scalar", "a: |\n  text\n", "same"],
    ["folded scalar", "a: >-\n  text\n", "same"],
    ["block scalar with comment", "a: | # c\n  text\n", "bail"],
    ["block scalar as item", "a:\n- |-\n  x\n\n  y\n- z\n", "same"],
    ["block scalar, indentation indicator", "a:\n  b: |2\n      x\n     y\n  c: d\n", "same"],
    ["empty block scalar", "a: |+\n\nb: c\n", "same"],
    ["anchor and alias", "a: &x b\nc: *x\n", "bail"],
    ["merge key", "a: &x {b: c}\nd:\n  <<: *x\n", "bail"],
    ["tag", "a: !!str 1\n", "bail"],
    ["multi-line plain", "a: b\n  c\n", "same"],
    ["multi-line plain with empty lines", "a: b\n\n\n  c\nd: e\n", "same"],
    ["multi-line plain item", "a:\n- b\n  c\n- d\n", "same"],
    ["multi-line plain, key in the next line", "a: b\n  c: d\n", "bail"],
    ["multi-line plain, comment in the next line", "a: b\n  c\n  # d\ne: f\n", "same"],
    ["multi-line double quoted", 'a: "b\n  c"\n', "bail"],
    ["tab", "a:\tb\n", "bail"],
    ["CRLF", "a: b\r\nc: d\r\n", "bail"],
    ["document marker", "---\na: b\n", "bail"],
    ["two documents", "a: b\n---\nc: d\n", "bail"],
    ["top-level sequence", "- a\n- b\n", "bail"],
    ["top-level scalar", "just text\n", "bail"],
    ["odd indentation", "a:\n  b: c\n   d: e\n", "bail"],
    ["extra spaces after colon", "a:  b\n", "bail"],
    ["colon inside plain value", "a: b: c\n", "bail"],
    ["empty item", "a:\n-\n- b\n", "bail"],
    ["nested item", "a:\n- - b\n", "bail"],
    ["explicit key", "? a\n: b\n", "bail"],
    ["spaces-only line", "a: b\n   \nc: d\n", "bail"],
    ["negative number", "a: -1\n", "bail"],
    ["only comments", "# nothing\n", "bail"],
    ["empty", "", "bail"],
  ])("%s", (_name, text, expected) => {
    expect(expectSameOrBail(text)).toBe(expected);
  });

  it("agrees with js-yaml on every line of our output cut short", () => {
    const text = serializeIndex(hostileIndex());
    const lines = text.split("\n");
    for (let n = 1; n < lines.length; n += 7) expectSameOrBail(lines.slice(0, n).join("\n"));
  });
});

/** The start of an index as `helm repo index` writes it: a `|` annotation, a description folded over two lines. */
const HELM_WRITTEN = `apiVersion: v1
entries:
  chart-000-service:
  - annotations:
      artifacthub.io/changes: |
        - kind: changed
          description: deploy backup monitor service service storage kubernetes helm operator network metrics restore
      artifacthub.io/license: Apache-2.0
    apiVersion: v2
    appVersion: 5.8.3
    created: "2020-01-14T21:00:00Z"
    description: service backup metrics backup restore network webhook network cache
      service kubernetes webhook monitor backup.
    digest: bd8ef0bc8fefd1e5723fe6730efa1cb3c73784dc8e15a942ea4f92af38716e5a
    kubeVersion: '>=1.23.0-0'
    name: chart-000-service
    urls:
    - https://charts.example.com/chart-000-service-3.3.3.tgz
    version: 3.3.3
generated: "2025-06-01T12:00:00Z"
`;

/** Deterministic pseudo-random numbers (mulberry32), so that a failure can be replayed. */
function prng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Lines that stress the edges: indentation, empty and spaces-only lines, comments, colons, indicators. */
function randomDocument(random: () => number): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const words = [
    "a",
    "b c",
    "x: y",
    "# no",
    "a #b",
    "- item",
    "'q'",
    '"d"',
    "1.0",
    "yes",
    "~",
    "k:",
    "|",
    "> f",
  ];
  const line = (): string => {
    const kind = random();
    if (kind < 0.15) return "";
    if (kind < 0.22) return " ".repeat(1 + Math.floor(random() * 8));
    return " ".repeat(Math.floor(random() * 8)) + pick(words) + (random() < 0.1 ? " " : "");
  };
  const headers = ["|", "|-", "|+", ">", ">-", ">+", "|2", "|1-", "|+3", ">2", "|-+", "|0", "| # c", "|x"];
  let out = "";
  const keys = 1 + Math.floor(random() * 4);
  for (let k = 0; k < keys; k++) {
    const indent = random() < 0.5 ? "" : "  ";
    const prefix = indent === "" ? `k${k}` : `k${k}:\n  n`;
    const value = random();
    if (value < 0.45) out += `${prefix}: ${pick(headers)}\n`;
    else if (value < 0.6) out += `${prefix}:\n${indent}- ${pick(headers)}\n`;
    else if (value < 0.85) out += `${prefix}: ${pick(["plain", "two words", "1", "yes"])}\n`;
    else out += `${prefix}:\n${indent}- ${pick(["plain", "two words", "no"])}\n`;
    const lines = Math.floor(random() * 5);
    for (let n = 0; n < lines; n++) out += `${line()}\n`;
  }
  return random() < 0.2 ? out.slice(0, -1) : out;
}

describe("readSimpleYaml on block scalars and folded plain scalars", () => {
  it("reads an index written by Helm without falling back", () => {
    expect(expectSameOrBail(HELM_WRITTEN)).toBe("same");
    const doc = readSimpleYaml(HELM_WRITTEN) as {
      entries: Record<string, Array<Record<string, unknown>>>;
    };
    const entry = doc.entries["chart-000-service"]?.[0];
    expect(entry?.description).toBe(
      "service backup metrics backup restore network webhook network cache service kubernetes webhook monitor backup.",
    );
    const annotations = entry?.annotations as Record<string, string> | undefined;
    expect(annotations?.["artifacthub.io/changes"]).toBe(
      "- kind: changed\n  description: deploy backup monitor service service storage kubernetes helm operator network metrics restore\n",
    );
  });

  it.each([
    ["literal, clip", "a: |\n  x\n\n  y\n\n\nb: c\n"],
    ["literal, strip", "a: |-\n  x\n\n  y\n\n\nb: c\n"],
    ["literal, keep", "a: |+\n  x\n\n  y\n\n\nb: c\n"],
    ["literal, keep at the end of the text", "a: |+\n  x\n\n"],
    ["literal without final newline", "a: |\n  x"],
    ["literal, more indented lines", "a: |\n  x\n    y\n  z\n"],
    ["literal, leading empty lines", "a: |\n\n\n  x\n"],
    ["literal, spaces-only lines", "a: |\n  x\n \n     \n  y\n"],
    ["literal, comment-like and key-like lines", "a: |\n  # x\n  b: c\n  - d\nb: e\n"],
    ["folded", "a: >\n  x\n  y\n\n  z\n   more\n  w\n"],
    ["folded, keep", "a: >+\n  x\n\n"],
    ["indentation indicator", "a: |1\n  x\n y\n"],
    ["nested in an entry", "e:\n- a: |\n    x\n  b: y\n- c: d\n"],
    ["empty, clip", "a: |\nb: c\n"],
    ["empty, keep", "a: |+\n\n\nb: c\n"],
  ])("gives js-yaml's value: %s", (_name, text) => {
    expect(expectSameOrBail(text)).toBe("same");
  });

  it("agrees with js-yaml on many random documents (and reads most of them itself)", () => {
    const random = prng(7);
    let same = 0;
    const runs = 4000;
    for (let n = 0; n < runs; n++) {
      const text = randomDocument(random);
      try {
        if (expectSameOrBail(text) === "same") same++;
      } catch (error) {
        throw new Error(`document ${n} differs: ${JSON.stringify(text)}`, { cause: error });
      }
    }
    expect(same).toBeGreaterThan(runs / 8);
  });

  it("agrees with js-yaml on every cut of Helm's output", () => {
    for (let n = 1; n < HELM_WRITTEN.length; n++) expectSameOrBail(HELM_WRITTEN.slice(0, n));
  });
});
