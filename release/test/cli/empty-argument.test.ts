import { describe, expect, it } from "vitest";
import { refuseEmptyArguments } from "../../src/cli/empty-argument.js";
import { isReleaseError } from "../../src/errors.js";

function refusal(argv: string[]): { field?: string; message: string } | undefined {
  try {
    refuseEmptyArguments(argv);
    return undefined;
  } catch (error) {
    expect(isReleaseError(error, "USAGE")).toBe(true);
    return error as { field?: string; message: string };
  }
}

describe("empty arguments (unset variables)", () => {
  it.each([
    [["chart", "publish", ""], "argument 3", 'empty argument after "publish"'],
    [["chart", "publish", "chart", "--repo", ""], "--repo", "empty value"],
    [["chart", "publish", "chart", "--repo="], "--repo", "empty value"],
    [["repo", "verify", "--url", "http://x", "--version", "  "], "--version", "empty value"],
    [[""], "argument 1", "empty argument"],
  ])("%j is refused, naming %s", (argv, field, message) => {
    const error = refusal(argv);
    expect(error?.field).toBe(field);
    expect(error?.message).toBe(message);
  });

  it("lets every non-empty argument through", () => {
    expect(
      refusal(["chart", "publish", "chart", "--repo", "repo", "--url=https://x", "--dry-run"]),
    ).toBeUndefined();
  });
});
