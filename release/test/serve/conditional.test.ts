import { describe, expect, it } from "vitest";
import {
  contentEtag,
  ifNoneMatchMatches,
  isNotModified,
  parseEntityTags,
  weakMatch,
} from "../../src/serve/conditional.js";

describe("contentEtag", () => {
  it("is a strong quoted tag derived from the bytes only", () => {
    const tag = contentEtag(Buffer.from("apiVersion: v1\n"));
    expect(tag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(contentEtag(Buffer.from("apiVersion: v1\n"))).toBe(tag);
    expect(contentEtag(Buffer.from("apiVersion: v2\n"))).not.toBe(tag);
  });

  it("gives the gzip representation its own tag, suffixed inside the quotes", () => {
    const bytes = Buffer.from("entries: {}\n");
    const identity = contentEtag(bytes);
    const gzip = contentEtag(bytes, "gzip");
    expect(gzip).toBe(`${identity.slice(0, -1)}-gzip"`);
    expect(gzip).not.toBe(identity);
  });
});

describe("parseEntityTags", () => {
  it.each([
    ['"a"', { any: false, tags: ['"a"'] }],
    ['"a", "b"', { any: false, tags: ['"a"', '"b"'] }],
    ['W/"a",W/"b"', { any: false, tags: ['"a"', '"b"'] }],
    ["*", { any: true, tags: [] }],
    [" * ", { any: true, tags: [] }],
    ['"a,b", "c"', { any: false, tags: ['"a,b"', '"c"'] }],
    ['""', { any: false, tags: ['""'] }],
    ["", { any: false, tags: [] }],
    ["abc", { any: false, tags: [] }],
    ['abc, "d"', { any: false, tags: ['"d"'] }],
    ['"unterminated', { any: false, tags: [] }],
    [' ,, "x" ,', { any: false, tags: ['"x"'] }],
  ])("%j", (value, expected) => {
    expect(parseEntityTags(value)).toEqual(expected);
  });
});

describe("weakMatch", () => {
  it.each([
    ['"1"', '"1"', true],
    ['W/"1"', '"1"', true],
    ['"1"', 'W/"1"', true],
    ['W/"1"', 'W/"1"', true],
    ['"1"', '"2"', false],
    ['"1"', '"1-gzip"', false],
  ])("%s vs %s -> %s", (a, b, expected) => {
    expect(weakMatch(a, b)).toBe(expected);
  });
});

describe("ifNoneMatchMatches", () => {
  const current = '"0123456789abcdef0123456789abcdef"';
  it.each([
    [current, true],
    [`W/${current}`, true],
    [`"other", ${current}`, true],
    ["*", true],
    ['"other"', false],
    ['"0123456789abcdef0123456789abcdef-gzip"', false],
    ["0123456789abcdef0123456789abcdef", false],
    ["", false],
  ])("%j -> %s", (header, expected) => {
    expect(ifNoneMatchMatches(header, current)).toBe(expected);
  });
});

describe("isNotModified", () => {
  const lastModified = new Date("2026-03-01T10:00:00.750Z");
  const current = { etag: '"abc"', lastModified };
  it.each([
    ["nothing conditional", {}, false],
    ["matching If-None-Match", { ifNoneMatch: '"abc"' }, true],
    ["other If-None-Match", { ifNoneMatch: '"xyz"' }, false],
    ["If-Modified-Since equal to the second", { ifModifiedSince: "Sun, 01 Mar 2026 10:00:00 GMT" }, true],
    ["If-Modified-Since later", { ifModifiedSince: "Sun, 01 Mar 2026 11:00:00 GMT" }, true],
    ["If-Modified-Since earlier", { ifModifiedSince: "Sun, 01 Mar 2026 09:59:59 GMT" }, false],
    ["unparsable If-Modified-Since", { ifModifiedSince: "yesterday" }, false],
    [
      "If-None-Match decides even when If-Modified-Since would say 304",
      { ifNoneMatch: '"xyz"', ifModifiedSince: "Sun, 01 Mar 2026 11:00:00 GMT" },
      false,
    ],
    [
      "If-None-Match decides even when If-Modified-Since would say 200",
      { ifNoneMatch: '"abc"', ifModifiedSince: "Sun, 01 Mar 2026 09:00:00 GMT" },
      true,
    ],
  ])("%s", (_name, headers, expected) => {
    expect(isNotModified(headers, current)).toBe(expected);
  });
});
