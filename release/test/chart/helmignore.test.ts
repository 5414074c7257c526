import { describe, expect, it } from "vitest";
import { BadPatternError, goMatch } from "../../src/chart/go-match.js";
import { HelmIgnore } from "../../src/chart/helmignore.js";
import { rejection } from "./helpers.js";

const BAD = "bad pattern";

// Go's path/filepath match_test.go vectors: the glob language .helmignore uses.
const matchTable: Array<[pattern: string, name: string, expected: boolean | typeof BAD]> = [
  ["abc", "abc", true],
  ["*", "abc", true],
  ["*c", "abc", true],
  ["a*", "a", true],
  ["a*", "abc", true],
  ["a*", "ab/c", false],
  ["a*/b", "abc/b", true],
  ["a*/b", "a/c/b", false],
  ["a*b*c*d*e*/f", "axbxcxdxe/f", true],
  ["a*b*c*d*e*/f", "axbxcxdxexxx/f", true],
  ["a*b*c*d*e*/f", "axbxcxdxe/xxx/f", false],
  ["a*b*c*d*e*/f", "axbxcxdxexxx/fff", false],
  ["a*b?c*x", "abxbbxdbxebxczzx", true],
  ["a*b?c*x", "abxbbxdbxebxczzy", false],
  ["ab[c]", "abc", true],
  ["ab[b-d]", "abc", true],
  ["ab[e-g]", "abc", false],
  ["ab[^c]", "abc", false],
  ["ab[^b-d]", "abc", false],
  ["ab[^e-g]", "abc", true],
  ["a\\*b", "a*b", true],
  ["a\\*b", "ab", false],
  ["a?b", "a☺b", true],
  ["a[^a]b", "a☺b", true],
  ["a???b", "a☺b", false],
  ["a[^a][^a][^a]b", "a☺b", false],
  ["[a-ζ]*", "α", true],
  ["*[a-ζ]", "A", false],
  ["a?b", "a/b", false],
  ["a*b", "a/b", false],
  ["[\\]a]", "]", true],
  ["[\\-]", "-", true],
  ["[x\\-]", "x", true],
  ["[x\\-]", "-", true],
  ["[x\\-]", "z", false],
  ["[\\-x]", "x", true],
  ["[\\-x]", "-", true],
  ["[\\-x]", "a", false],
  ["[]a]", "]", BAD],
  ["[-]", "-", BAD],
  ["[x-]", "x", BAD],
  ["[x-]", "-", BAD],
  ["[x-]", "z", BAD],
  ["[-x]", "x", BAD],
  ["[-x]", "-", BAD],
  ["[-x]", "a", BAD],
  ["\\", "a", BAD],
  ["[a-b-c]", "a", BAD],
  ["[", "a", BAD],
  ["[^", "a", BAD],
  ["[^bc", "a", BAD],
  ["a[", "a", BAD],
  ["a[", "ab", BAD],
  ["a[", "x", BAD],
  ["a/b[", "x", BAD],
  ["*x", "xxx", true],
  // `!` is not a class negation in Go: it is a literal.
  ["[!a]", "!", true],
  ["[!a]", "b", false],
];

describe("goMatch (Go filepath.Match)", () => {
  it.each(matchTable)("%j against %j", (pattern, name, expected) => {
    if (expected === BAD) expect(() => goMatch(pattern, name)).toThrow(BadPatternError);
    else expect(goMatch(pattern, name)).toBe(expected);
  });
});

// Helm's own pkg/ignore rules_test.go TestIgnore table; the last column says whether the path is a directory.
const helmTable: Array<[rule: string, path: string, isDir: boolean, ignored: boolean]> = [
  ["helm.txt", "helm.txt", false, true],
  ["helm.*", "helm.txt", false, true],
  ["helm.*", "rudder.txt", false, false],
  ["*.txt", "tiller.txt", false, true],
  ["*.txt", "cargo/a.txt", false, true],
  ["cargo/*.txt", "cargo/a.txt", false, true],
  ["cargo/*.*", "cargo/a.txt", false, true],
  ["cargo/*.txt", "mast/a.txt", false, false],
  ["ru[c-e]?er.txt", "rudder.txt", false, true],
  ["templates/.?*", "templates/.dotfile", false, true],
  [".*", ".", true, false],
  [".*", "./", true, false],
  [".*", ".joonix", false, true],
  [".*", "helm.txt", false, false],
  [".*", "", true, false],
  ["cargo/", "cargo", true, true],
  ["cargo/", "cargo/", true, true],
  ["cargo/", "mast/", true, false],
  ["helm.txt/", "helm.txt", false, false],
  ["!helm.txt", "helm.txt", false, false],
  ["!helm.txt", "tiller.txt", false, true],
  ["!*.txt", "cargo", true, true],
  ["!cargo/", "mast/", true, true],
  ["/a.txt", "a.txt", false, true],
  ["/a.txt", "cargo/a.txt", false, false],
  ["/cargo/a.txt", "cargo/a.txt", false, true],
];

describe("HelmIgnore", () => {
  it.each(helmTable)("rule %j on %j (directory: %s) ignores: %s", (rule, path, isDir, ignored) => {
    expect(HelmIgnore.parse(rule, ".helmignore").ignores(path, isDir)).toBe(ignored);
  });

  it("lets the first deciding rule win: a later negation does not re-include", () => {
    const rules = HelmIgnore.parse("*.txt\n!keep.txt\n", ".helmignore");
    expect(rules.ignores("keep.txt", false)).toBe(true);
    // ...and the negation ignores every other path the first rule did not match.
    expect(rules.ignores("values.yaml", false)).toBe(true);
  });

  it("matches patterns without a slash against the base name, with a slash against the whole path", () => {
    const rules = HelmIgnore.parse("secret*\nci/*.yaml\n", ".helmignore");
    expect(rules.ignores("templates/deep/secret-config.yaml", false)).toBe(true);
    expect(rules.ignores("ci/values.yaml", false)).toBe(true);
    expect(rules.ignores("sub/ci/values.yaml", false)).toBe(false);
    expect(rules.ignores("ci/nested/values.yaml", false)).toBe(false);
  });

  it("skips comments, blank lines and surrounding white space; reads CRLF and a BOM", () => {
    const rules = HelmIgnore.parse(
      "\uFEFF# a comment\r\n\r\n   *.bak   \r\nfoo # not a comment\r\n",
      ".helmignore",
    );
    expect(rules.ignores("a.bak", false)).toBe(true);
    expect(rules.ignores("# a comment", false)).toBe(false);
    expect(rules.ignores("foo", false)).toBe(false);
    expect(rules.ignores("foo # not a comment", false)).toBe(true);
  });

  it("adds only Helm's default rule templates/.?*, and does not ignore .helmignore itself", () => {
    const rules = HelmIgnore.empty().withDefaults();
    expect(rules.ignores("templates/.hidden.yaml", false)).toBe(true);
    expect(rules.ignores("templates/sub/.hidden.yaml", false)).toBe(false);
    expect(rules.ignores(".helmignore", false)).toBe(false);
    expect(rules.ignores(".git", true)).toBe(false);
    expect(rules.ignores("templates/x.yaml", false)).toBe(false);
  });

  it("evaluates the file's rules before the default one", () => {
    const rules = HelmIgnore.parse("!templates/\n", ".helmignore").withDefaults();
    // The negation decides first: everything that is not templates/ is ignored.
    expect(rules.ignores("values.yaml", false)).toBe(true);
    expect(rules.ignores("templates", true)).toBe(false);
  });

  it.each([
    ["*.txt\n\nfoo/**/bar\n", "line 3", /double-star/],
    ["[z-\n", "line 1", /syntax error/],
    ["a\\\n", "line 1", /syntax error/],
  ])("refuses %j, naming the file and %s", async (text, field, message) => {
    const error = await rejection(() => HelmIgnore.parse(text, "/chart/.helmignore"));
    expect(error.code).toBe("CHART_INVALID");
    expect(error.file).toBe("/chart/.helmignore");
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
  });
});
