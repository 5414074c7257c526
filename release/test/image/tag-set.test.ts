import { describe, expect, it } from "vitest";
import { isReleaseError } from "../../src/errors.js";
import { computeTagSet, floatingTargets } from "../../src/image/tag-set.js";

describe("computeTagSet", () => {
  it.each<[string, string, string[], string[]]>([
    ["first stable release", "v1.2.3", [], ["v1.2.3", "1.2.3", "1.2", "1", "latest"]],
    ["a bare version gets the v tag too", "1.2.3", [], ["v1.2.3", "1.2.3", "1.2", "1", "latest"]],
    [
      "newer than everything",
      "v1.3.0",
      ["v1.2.3", "1.2.3", "1.2", "1", "latest"],
      ["v1.3.0", "1.3.0", "1.3", "1", "latest"],
    ],
    ["pre-release: only its own two tags", "v1.0.0-beta.1", [], ["v1.0.0-beta.1", "1.0.0-beta.1"]],
    ["pre-release above every stable", "v3.0.0-rc.1", ["v2.0.0"], ["v3.0.0-rc.1", "3.0.0-rc.1"]],
    [
      "old-line patch after a new major",
      "v1.4.9",
      ["v2.0.0", "v1.4.8", "v1.5.0"],
      ["v1.4.9", "1.4.9", "1.4"],
    ],
    ["old-line patch, highest of its major", "v1.5.1", ["v2.0.0", "v1.5.0"], ["v1.5.1", "1.5.1", "1.5", "1"]],
    ["patch on an older minor", "v2.0.5", ["v2.1.0", "v2.0.4"], ["v2.0.5", "2.0.5", "2.0"]],
    [
      "pre-releases in the registry do not block",
      "v2.0.0",
      ["v2.1.0-rc.1", "2.1.0-rc.1"],
      ["v2.0.0", "2.0.0", "2.0", "2", "latest"],
    ],
    ["0.y.z publishes no bare 0", "v0.3.1", ["v0.3.0"], ["v0.3.1", "0.3.1", "0.3", "latest"]],
    ["0.y.z old line", "v0.2.9", ["v0.3.0"], ["v0.2.9", "0.2.9", "0.2"]],
    [
      "re-running the current release keeps its tags",
      "v1.2.3",
      ["v1.2.3", "1.2.3", "1.2", "1", "latest"],
      ["v1.2.3", "1.2.3", "1.2", "1", "latest"],
    ],
    ["existing tags without v count too", "v1.2.3", ["1.9.0"], ["v1.2.3", "1.2.3", "1.2"]],
    [
      "non-release tags are ignored",
      "v1.0.0",
      ["latest", "1", "sha256-abc.att", "9.9", "main"],
      ["v1.0.0", "1.0.0", "1.0", "1", "latest"],
    ],
  ])("%s: %s", (_name, version, existing, tags) => {
    expect(computeTagSet(version, existing).tags).toEqual(tags);
  });

  it("explains each floating tag", () => {
    const set = computeTagSet("v1.4.9", ["v2.0.0"]);
    expect(set.floating).toEqual([
      { tag: "latest", moves: false, reason: "2.0.0 is higher overall" },
      { tag: "1.4", moves: true, reason: "1.4.9 is the highest stable version in 1.4.x" },
      { tag: "1", moves: true, reason: "1.4.9 is the highest stable version in 1.x" },
    ]);
  });

  it.each([
    ["v1.2.3+build.5", "carries build metadata"],
    ["1.2.3+meta", "carries build metadata"],
    ["v1.2", "is not a SemVer release version"],
    ["1.2.3.4", "is not a SemVer release version"],
    ["v01.2.3", "is not a SemVer release version"],
    ["latest", "is not a SemVer release version"],
    ["V1.2.3", "is not a SemVer release version"],
    ["", "is not a SemVer release version"],
    ["v1.2.3-", "is not a SemVer release version"],
  ])("refuses %j with a USAGE error", (version, message) => {
    let caught: unknown;
    try {
      computeTagSet(version, []);
    } catch (error) {
      caught = error;
    }
    expect(isReleaseError(caught, "USAGE")).toBe(true);
    expect((caught as Error).message).toContain(message);
  });
});

describe("floatingTargets: where X.Y, X and latest belong, from the registry's release tags alone", () => {
  it.each([
    ["a first release", "v1.0.0", ["v1.0.0", "1.0.0"], { "1.0": "1.0.0", "1": "1.0.0", latest: "1.0.0" }],
    [
      "a patch on an old line leaves latest and the major on the newer line",
      "v1.4.9",
      ["1.4.8", "1.4.9", "2.0.0"],
      { "1.4": "1.4.9", "1": "1.4.9", latest: "2.0.0" },
    ],
    [
      "the same answer for the lower of two concurrent releases once both tags exist",
      "v1.1.1",
      ["1.1.0", "1.1.1", "1.2.0"],
      { "1.1": "1.1.1", "1": "1.2.0", latest: "1.2.0" },
    ],
    [
      "pre-releases never count",
      "v1.0.0",
      ["1.0.0", "1.1.0-rc.1", "2.0.0-beta.1"],
      { "1.0": "1.0.0", "1": "1.0.0", latest: "1.0.0" },
    ],
    ["0.y has no bare major tag", "v0.3.0", ["0.3.0"], { "0.3": "0.3.0", latest: "0.3.0" }],
  ])("%s", (_, version, tags, expected) => {
    const targets = Object.fromEntries(floatingTargets(version, tags).map((t) => [t.tag, t.version]));
    expect(targets).toEqual(expected);
  });

  it("gives a pre-release no floating tags", () => {
    expect(floatingTargets("v2.0.0-rc.1", ["2.0.0-rc.1", "1.0.0"])).toEqual([]);
  });

  it("leaves a tag without a target while its own version is not pushed yet", () => {
    expect(floatingTargets("v3.0.0", ["1.0.0"]).find((t) => t.tag === "3")?.version).toBeUndefined();
  });
});

describe("computeTagSet and floatingTargets read the same rules", () => {
  it.each<[string, string[]]>([
    ["v1.2.3", []],
    ["v1.4.9", ["v2.0.0", "v1.4.8", "v1.5.0"]],
    ["v1.5.1", ["v2.0.0", "v1.5.0"]],
    ["v0.3.1", ["v0.3.0"]],
    ["v0.2.9", ["v0.3.0"]],
    ["v2.0.5", ["v2.1.0", "v2.0.4"]],
  ])("%s after %j: the tags it moves are the ones that point at it once pushed", (version, existing) => {
    const set = computeTagSet(version, existing);
    const afterPush = floatingTargets(version, [...existing, ...set.fixed]);
    const pointingHere = afterPush.filter((t) => t.version === set.version).map((t) => t.tag);
    expect(set.tags.slice(set.fixed.length)).toEqual(pointingHere);
    // Every floating tag the release was judged on is one floatingTargets settles, and back.
    expect(
      set.floating
        .filter((f) => !f.reason.startsWith("0.y.z"))
        .map((f) => f.tag)
        .sort(),
    ).toEqual(afterPush.map((t) => t.tag).sort());
  });
});
