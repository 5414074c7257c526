import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDuration } from "../../src/cli/duration.js";
import { EXIT_USAGE } from "../../src/cli/run.js";
import { isReleaseError } from "../../src/errors.js";
import { runInProcess } from "../support/in-process-cli.js";

describe("the duration grammar", () => {
  it.each([
    ["90", 90_000],
    ["1.5", 1_500],
    ["0", 0],
    ["500ms", 500],
    ["90s", 90_000],
    ["15m", 900_000],
    ["1h", 3_600_000],
    ["1h30m", 5_400_000],
    ["1m30s", 90_000],
    ["2.5m", 150_000],
    ["1s500ms", 1_500],
    [" 15m ", 900_000],
  ])("%j is %d ms", (text, ms) => {
    expect(parseDuration(text, "--timeout")).toBe(ms);
  });

  it.each([[""], ["15 m"], ["m15"], ["1d"], ["-5s"], ["1h 30m"], ["90sec"], ["1.m"], ["h"], ["1e3"]])(
    "refuses %j, naming the option and the grammar",
    (text) => {
      let caught: unknown;
      try {
        parseDuration(text, "--wait-timeout");
      } catch (error) {
        caught = error;
      }
      expect(isReleaseError(caught, "USAGE")).toBe(true);
      const error = caught as { field?: string; fix?: string };
      expect(error.field).toBe("--wait-timeout");
      expect(error.fix).toContain("1h30m");
    },
  );
});

/**
 * Every option that takes a duration goes through the one parser: the same value is accepted or
 * refused by all of them (image wait once refused `90`, chart publish refused `1h30m`).
 */
describe("every duration option takes the same grammar", () => {
  let cwd: string;
  beforeAll(() => {
    cwd = mkdtempSync(join(tmpdir(), "kube9-duration-"));
  });
  afterAll(() => {
    rmSync(cwd, { recursive: true, force: true });
  });

  // Each case's next check after the duration fails offline: an accepted duration reaches it.
  const cases: Array<{ option: string; argv: (value: string) => string[]; next: string }> = [
    {
      option: "--timeout",
      argv: (v) => ["image", "wait", "Not/An/Image", "--timeout", v],
      next: "is not an image reference",
    },
    {
      option: "--wait-timeout",
      argv: (v) => ["chart", "publish", "missing-chart", "--wait-timeout", v],
      next: "no chart directory or archive here",
    },
    {
      option: "--verify-timeout",
      argv: (v) => ["chart", "publish", "missing-chart", "--verify-timeout", v],
      next: "no chart directory or archive here",
    },
    {
      option: "--request-timeout",
      argv: (v) => ["chart", "publish", "missing-chart", "--repo", "s3://bucket", "--request-timeout", v],
      next: "no chart directory or archive here",
    },
    {
      option: "--request-timeout",
      argv: (v) => ["repo", "reindex", "--repo", "s3://bucket", "--url", "nonsense", "--request-timeout", v],
      next: "is not a URL",
    },
  ];

  for (const { option, argv, next } of cases) {
    const [group, command] = argv("x");
    it.each([["90"], ["1h30m"], ["500ms"]])(`${group} ${command} ${option} accepts %j`, async (value) => {
      const result = await runInProcess(argv(value), { cwd });
      expect(result.stderr).toContain(next);
      expect(result.stderr).not.toContain("is not a duration");
    });

    it(`${group} ${command} ${option} refuses "1d" as usage, naming the option`, async () => {
      const result = await runInProcess(argv("1d"), { cwd });
      expect(result.code).toBe(EXIT_USAGE);
      expect(result.stderr).toContain(`${option}: "1d" is not a duration`);
    });
  }
});
