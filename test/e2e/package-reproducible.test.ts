/**
 * `kube9-release chart package` gives the same bytes whatever the file times, the umask, the time
 * zone and the time of day, and takes its file times from SOURCE_DATE_EPOCH or from git.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliPath, repoRoot } from "../support/tools.js";

let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "kube9-repro-"));
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** Copies the chart under a umask, then gives every file a random modification time. */
function copyChart(name: string, umask: string): string {
  const dir = join(work, name, "kube9-operator");
  execFileSync("sh", [
    "-c",
    `umask ${umask} && mkdir -p "$1" && cp -R "$2"/. "$1"/`,
    "sh",
    dir,
    join(repoRoot, "charts", "kube9-operator"),
  ]);
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const when = new Date(
      Date.UTC(
        2000 + Math.floor(Math.random() * 25),
        Math.floor(Math.random() * 12),
        1 + Math.floor(Math.random() * 27),
      ),
    );
    utimesSync(join(entry.parentPath, entry.name), when, when);
  }
  return dir;
}

/** The environment of a packaging run: this one's, less any SOURCE_DATE_EPOCH, plus `env`. */
function packagingEnv(env: Record<string, string>): Record<string, string | undefined> {
  const { SOURCE_DATE_EPOCH: _ignored, ...inherited } = process.env;
  return { ...inherited, ...env };
}

function packageIn(chart: string, out: string, env: Record<string, string>, umask = "022"): Buffer {
  const result = spawnSync(
    "sh",
    [
      "-c",
      `umask ${umask} && exec "$@"`,
      "sh",
      process.execPath,
      cliPath,
      "chart",
      "package",
      chart,
      "--out",
      out,
      "--json",
    ],
    {
      env: packagingEnv(env),
      encoding: "utf8",
    },
  );
  expect(result.stderr).toBe("");
  expect(result.status).toBe(0);
  const { path } = JSON.parse(result.stdout) as { path: string };
  return readFileSync(path);
}

/** The mtime field of the first tar header inside a .tgz. */
function firstMemberMtime(archive: Buffer): number {
  const tar = gunzipSync(archive);
  return Number.parseInt(tar.subarray(136, 147).toString("ascii"), 8);
}

describe("chart package reproducibility", () => {
  it("gives identical bytes for copies with shuffled mtimes, another umask and another time zone", () => {
    const first = packageIn(copyChart("a", "022"), join(work, "out-a"), {
      SOURCE_DATE_EPOCH: "1700000000",
      TZ: "UTC",
    });
    const second = packageIn(
      copyChart("b", "077"),
      join(work, "out-b"),
      { SOURCE_DATE_EPOCH: "1700000000", TZ: "Asia/Tokyo" },
      "077",
    );
    expect(second.equals(first)).toBe(true);
    expect(firstMemberMtime(first)).toBe(1700000000);
    const later = packageIn(copyChart("c", "022"), join(work, "out-c"), { SOURCE_DATE_EPOCH: "1800000000" });
    expect(later.equals(first)).toBe(false);
    expect(firstMemberMtime(later)).toBe(1800000000);
  });

  it("takes the time of the last commit that touched the chart when SOURCE_DATE_EPOCH is unset", () => {
    const repo = join(work, "git-repo");
    const chart = copyChart("git-repo", "022");
    const git = (...args: string[]) =>
      execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.invalid", ...args], {
        cwd: repo,
        env: { ...process.env, GIT_COMMITTER_DATE: "1650000000 +0000", GIT_AUTHOR_DATE: "1650000000 +0000" },
      });
    git("init", "-q");
    git("add", "-A");
    git("commit", "-qm", "chart");
    const env = {};
    const atCommit = packageIn(chart, join(work, "out-git-1"), env);
    expect(firstMemberMtime(atCommit)).toBe(1650000000);
    // A later commit elsewhere in the repository does not change the chart's archive.
    writeFileSync(join(repo, "README.md"), "unrelated\n");
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.invalid", "add", "README.md"], {
      cwd: repo,
    });
    execFileSync(
      "git",
      ["-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "readme"],
      {
        cwd: repo,
        env: { ...process.env, GIT_COMMITTER_DATE: "1660000000 +0000", GIT_AUTHOR_DATE: "1660000000 +0000" },
      },
    );
    const afterUnrelated = packageIn(chart, join(work, "out-git-2"), env);
    expect(afterUnrelated.equals(atCommit)).toBe(true);
    expect(statSync(chart).isDirectory()).toBe(true);
  });

  it("refuses a SOURCE_DATE_EPOCH that is not whole seconds, naming the variable", () => {
    const result = spawnSync(
      process.execPath,
      [cliPath, "chart", "package", copyChart("bad-epoch", "022"), "--out", join(work, "out-bad")],
      {
        env: { ...process.env, SOURCE_DATE_EPOCH: "yesterday" },
        encoding: "utf8",
      },
    );
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("SOURCE_DATE_EPOCH");
  });
});
