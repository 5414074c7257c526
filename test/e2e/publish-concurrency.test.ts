/**
 * Publishers racing on one directory repository, each a separate `kube9-release` process, as
 * concurrent release jobs would be: no version may be lost, and a version can be published only
 * once.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { load } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliRun, runReleaseAsync } from "../support/cli.js";
import { repoRoot } from "../support/tools.js";

let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "kube9-concurrency-"));
  cpSync(join(repoRoot, "charts", "kube9-operator"), join(work, "chart"), { recursive: true });
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

function publish(args: string[]): Promise<CliRun> {
  return runReleaseAsync(["chart", "publish", ...args], {
    cwd: work,
    env: { SOURCE_DATE_EPOCH: "1700000000" },
  });
}

function versionsIn(repo: string): string[] {
  const index = load(readFileSync(join(work, repo, "index.yaml"), "utf8")) as {
    entries: Record<string, Array<{ version: string }>>;
  };
  return (index.entries["kube9-operator"] ?? []).map((entry) => entry.version);
}

describe("concurrent publishers on a directory repository", () => {
  it.each([1, 2, 3])(
    "keeps all 12 versions published at once into a new repository (round %i)",
    async (round) => {
      const repo = `repo-${round}`;
      const versions = Array.from({ length: 12 }, (_, i) => `1.${i}.0`);
      const runs = await Promise.all(
        versions.map((version) => publish(["chart", "--repo", repo, "--version", version])),
      );
      for (const run of runs) expect(run.stderr).not.toMatch(/^error/m);
      expect(runs.map((run) => run.status)).toEqual(versions.map(() => 0));
      expect(versionsIn(repo).sort()).toEqual([...versions].sort());
    },
  );

  it("lets exactly one of two publishers of the same version with different bytes win", async () => {
    cpSync(join(work, "chart"), join(work, "other-chart"), { recursive: true });
    const chartYaml = join(work, "other-chart", "Chart.yaml");
    writeFileSync(
      chartYaml,
      readFileSync(chartYaml, "utf8").replace(/^description:.*$/m, "description: other bytes"),
    );
    const runs = await Promise.all([
      publish(["chart", "--repo", "repo-conflict", "--version", "2.0.0"]),
      publish(["other-chart", "--repo", "repo-conflict", "--version", "2.0.0"]),
    ]);
    expect(runs.map((run) => run.status).sort()).toEqual([0, 1]);
    const loser = runs.find((run) => run.status === 1);
    expect(loser?.stderr).toContain("already published with other bytes");
    expect(versionsIn("repo-conflict")).toEqual(["2.0.0"]);
  });
});
