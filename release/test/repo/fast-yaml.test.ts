/**
 * fast-yaml is a shortcut: for every text it must give exactly what js-yaml (with our YAML 1.1
 * schema) gives, or step aside (undefined). These tests compare the two.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readSimpleYaml } from "../../src/repo/fast-yaml.js";
import { loadHelmYaml } from "../../src/repo/load-yaml.js";
import { serializeIndex } from "../../src/repo/serialize-index.js";
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
    ["block scalar", "a: |\n  text\n", "bail"],
    ["folded scalar", "a: >-\n  text\n", "bail"],
    ["anchor and alias", "a: &x b\nc: *x\n", "bail"],
    ["merge key", "a: &x {b: c}\nd:\n  <<: *x\n", "bail"],
    ["tag", "a: !!str 1\n", "bail"],
    ["multi-line plain", "a: b\n  c\n", "bail"],
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
