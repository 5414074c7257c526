import { describe, expect, it } from "vitest";
import {
  CommandFileError,
  parseKeyValueFile,
  parsePathFile,
} from "../../src/rehearse/workflow/command-files.js";

describe("parseKeyValueFile", () => {
  it.each([
    ["a=1\n", [["a", "1"]]],
    ["a=1", [["a", "1"]]],
    ["a=b=c\n", [["a", "b=c"]]],
    ["a=\n", [["a", ""]]],
    ["\n\na=1\n\n", [["a", "1"]]],
    [
      "a=1\r\nb=2\r\n",
      [
        ["a", "1"],
        ["b", "2"],
      ],
    ],
    // The first of = and << decides the form.
    ["a=x<<y\n", [["a", "x<<y"]]],
    ["a<<EOF\nx=1\nEOF\n", [["a", "x=1"]]],
    ["multi<<EOF\nline 1\nline 2\nEOF\n", [["multi", "line 1\nline 2"]]],
    ["empty<<EOF\nEOF\n", [["empty", ""]]],
    ["blank<<EOF\n\nEOF\n", [["blank", ""]]],
    ["two<<EOF\n\n\nEOF\n", [["two", "\n"]]],
    ["crlf<<EOF\r\nl1\r\nl2\r\nEOF\r\n", [["crlf", "l1\r\nl2"]]],
    ["last<<EOF\nvalue\nEOF", [["last", "value"]]],
    [
      "a=1\na=2\n",
      [
        ["a", "1"],
        ["a", "2"],
      ],
    ],
    [
      "x<<ghadelimiter_1\nEOF\nghadelimiter_1\ny=2\n",
      [
        ["x", "EOF"],
        ["y", "2"],
      ],
    ],
  ])("%j", (text, pairs) => {
    expect(parseKeyValueFile(text, "$GITHUB_OUTPUT")).toEqual(pairs);
  });

  it.each([
    ["=value\n", /the name is empty/],
    ["just text\n", /expected name=value or name<<DELIMITER/],
    ["<<EOF\nx\nEOF\n", /the name and the delimiter must not be empty/],
    ["a<<\nx\n", /the name and the delimiter must not be empty/],
    ["a<<EOF\nnever closed\n", /the delimiter "EOF" of a is never written/],
    ["a<<EOF\nno line break", /does not end with a line break/],
  ])("refuses %j", (text, message) => {
    expect(() => parseKeyValueFile(text, "$GITHUB_OUTPUT")).toThrow(CommandFileError);
    expect(() => parseKeyValueFile(text, "$GITHUB_OUTPUT")).toThrow(message);
  });
});

describe("parsePathFile", () => {
  it("reads one directory per line, skipping blank lines", () => {
    expect(parsePathFile("/a/bin\n\n/b/bin\r\n  \n")).toEqual(["/a/bin", "/b/bin"]);
  });
});
