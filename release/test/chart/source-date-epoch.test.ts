import { execFile } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type GitRunner, resolveSourceDateEpoch } from "../../src/chart/source-date-epoch.js";
import { rejection, tempDir } from "./helpers.js";

function fakeGit(answer: {
  ok: boolean;
  stdout: string;
}): GitRunner & { calls: Array<{ args: string[]; cwd: string }> } {
  const calls: Array<{ args: string[]; cwd: string }> = [];
  const run = async (args: string[], cwd: string) => {
    calls.push({ args, cwd });
    return answer;
  };
  return Object.assign(run, { calls });
}

/** Runs the real git with fixed identities and dates, isolated from the user's configuration. */
function realGit(env: Record<string, string> = {}): GitRunner {
  return (args, cwd) =>
    new Promise((resolve) => {
      execFile(
        "git",
        ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", ...args],
        { cwd, env: { PATH: process.env.PATH ?? "", HOME: cwd, GIT_CONFIG_NOSYSTEM: "1", ...env } },
        (error, stdout) => resolve({ ok: error === null, stdout: String(stdout) }),
      );
    });
}

describe("resolveSourceDateEpoch", () => {
  it("takes SOURCE_DATE_EPOCH first, without asking git", async () => {
    const git = fakeGit({ ok: true, stdout: "1600000000\n" });
    expect(
      await resolveSourceDateEpoch({ env: { SOURCE_DATE_EPOCH: "1700000000" }, chartDir: "/c", runGit: git }),
    ).toEqual({
      epoch: 1_700_000_000,
      source: "SOURCE_DATE_EPOCH",
    });
    expect(
      await resolveSourceDateEpoch({ env: { SOURCE_DATE_EPOCH: "0" }, chartDir: "/c", runGit: git }),
    ).toEqual({ epoch: 0, source: "SOURCE_DATE_EPOCH" });
    expect(git.calls).toEqual([]);
  });

  it.each(["abc", "-1", "1.5", " 12", "1e9", "0x10", "99999999999999999999"])(
    "refuses SOURCE_DATE_EPOCH=%j, naming the variable",
    async (value) => {
      const error = await rejection(
        resolveSourceDateEpoch({
          env: { SOURCE_DATE_EPOCH: value },
          chartDir: "/c",
          runGit: fakeGit({ ok: true, stdout: "" }),
        }),
      );
      expect(error.code).toBe("USAGE");
      expect(error.field).toBe("SOURCE_DATE_EPOCH");
      expect(error.fix).toMatch(/Unix time in seconds/);
    },
  );

  it("asks git for the last commit that touched the chart directory", async () => {
    const git = fakeGit({ ok: true, stdout: "1650000000\n" });
    expect(await resolveSourceDateEpoch({ env: {}, chartDir: "/repo/charts/app", runGit: git })).toEqual({
      epoch: 1_650_000_000,
      source: "git",
    });
    expect(git.calls).toEqual([{ args: ["log", "-1", "--format=%ct", "--", "."], cwd: "/repo/charts/app" }]);
  });

  it("falls back to 0 outside a repository or for a chart git does not know", async () => {
    expect(
      await resolveSourceDateEpoch({ env: {}, chartDir: "/c", runGit: fakeGit({ ok: false, stdout: "" }) }),
    ).toEqual({ epoch: 0, source: "default" });
    expect(
      await resolveSourceDateEpoch({
        env: { SOURCE_DATE_EPOCH: "" },
        chartDir: "/c",
        runGit: fakeGit({ ok: true, stdout: "" }),
      }),
    ).toEqual({
      epoch: 0,
      source: "default",
    });
  });

  it("with a real repository, ignores later commits that do not touch the chart", async () => {
    const repo = await tempDir();
    const chartDir = join(repo, "charts", "app");
    await mkdir(chartDir, { recursive: true });
    await writeFile(join(chartDir, "Chart.yaml"), "apiVersion: v2\nname: app\nversion: 1.0.0\n");
    await writeFile(join(repo, "README.md"), "readme\n");
    const at = (seconds: number) => ({
      GIT_AUTHOR_DATE: `@${seconds} +0000`,
      GIT_COMMITTER_DATE: `@${seconds} +0000`,
    });
    expect((await realGit()(["init", "-q", "."], repo)).ok).toBe(true);
    expect((await realGit(at(1_600_000_000))(["add", "."], repo)).ok).toBe(true);
    expect((await realGit(at(1_600_000_000))(["commit", "-q", "-m", "chart"], repo)).ok).toBe(true);
    await writeFile(join(repo, "README.md"), "changed\n");
    expect((await realGit(at(1_700_000_000))(["commit", "-q", "-am", "docs"], repo)).ok).toBe(true);

    expect(await resolveSourceDateEpoch({ env: {}, chartDir, runGit: realGit() })).toEqual({
      epoch: 1_600_000_000,
      source: "git",
    });

    const outside = await tempDir();
    expect(
      await resolveSourceDateEpoch({
        env: {},
        chartDir: outside,
        runGit: realGit({ GIT_CEILING_DIRECTORIES: outside }),
      }),
    ).toEqual({
      epoch: 0,
      source: "default",
    });
  });
});
