/** `repo reindex` called as a plain function: its request, the rebuild of a directory repository, and what it prints. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { repoRoot } from "../../../test/support/tools.js";
import {
  type ReindexFlags,
  reindexRequest,
  renderRepoReindex,
  repoReindex,
} from "../../src/cli/commands/repo-reindex.js";
import { packagedChartFrom } from "../../src/publish/chart-source.js";
import type { ReindexPlan } from "../../src/publish/reindex.js";
import { DirectoryStore } from "../../src/storage/directory-store.js";
import { cliContext, FIXED_NOW } from "../support/cli-context.js";
import { rejectionOf } from "../support/refusal.js";

let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "kube9-reindex-"));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const flags = (extra: Partial<ReindexFlags> = {}): ReindexFlags => ({ repo: "repo", ...extra });

describe("reindexRequest", () => {
  it.each([
    [{ repo: "gs://bucket", url: "charts.example.test" }, "--repo"],
    [{ url: "charts.example.test" }, "--url"],
  ])("refuses %j as usage, naming %s", async (extra, field) => {
    const error = await rejectionOf(reindexRequest(flags(extra), cliContext(root)), "USAGE");
    expect(error.field).toBe(field);
  });

  it("opens the repository relative to the working folder and keeps --url without its trailing slash", async () => {
    const request = await reindexRequest(
      flags({ url: "https://charts.example.test/", dryRun: true }),
      cliContext(root),
    );
    expect(request.store.location).toBe(join(root, "repo"));
    expect([request.baseUrl, request.dryRun]).toEqual(["https://charts.example.test", true]);
  });
});

describe("repoReindex", () => {
  it("rebuilds a lost index from the stored archive, and writes nothing on a dry run", async () => {
    const store = new DirectoryStore(join(root, "repo"));
    const chart = await packagedChartFrom({
      path: join(repoRoot, "charts", "kube9-operator"),
      version: "1.0.0",
      sourceDateEpoch: async () => 1_700_000_000,
    });
    await store.putIfAbsent(chart.fileName, chart.bytes, {
      contentType: "application/gzip",
      cacheControl: "no-cache",
    });
    const dry = await repoReindex({ store, dryRun: true }, () => FIXED_NOW);
    expect(dry.dryRun).toBe(true);
    expect(dry.plan.added).toEqual(["kube9-operator 1.0.0"]);
    expect(await store.get("index.yaml")).toBeUndefined();
    const done = await repoReindex(
      { store, baseUrl: "https://c.example.test", dryRun: false },
      () => FIXED_NOW,
    );
    expect(done.plan).toEqual(dry.plan);
    expect(new TextDecoder().decode((await store.get("index.yaml"))?.body)).toContain(
      "https://c.example.test/kube9-operator-1.0.0.tgz",
    );
  });
});

describe("renderRepoReindex", () => {
  const plan: ReindexPlan = {
    repository: "/srv/repo",
    currentIndex: "corrupt",
    currentIndexProblem: "index.yaml: not YAML",
    added: ["kube9-operator 1.1.0"],
    removed: ["kube9-operator 0.9.0"],
    kept: ["kube9-operator 1.0.0"],
    skipped: [{ key: "notes.tgz", reason: "not a chart archive" }],
  };

  it("prints what a rebuild changes, as JSON the plan with dryRun first", () => {
    const rendering = renderRepoReindex({ dryRun: false, plan });
    expect(Object.keys(rendering.data as object)).toEqual(["dryRun", "plan"]);
    expect(rendering.human).toBe(
      [
        "Rebuilt /srv/repo/index.yaml (current index: corrupt)",
        "  current index problem: index.yaml: not YAML",
        "  + kube9-operator 1.1.0",
        "  - kube9-operator 0.9.0 (no archive stored)",
        "  1 version(s) kept with their created time",
        "  ! skipped notes.tgz: not a chart archive",
      ].join("\n"),
    );
    expect(rendering.summary).toBeUndefined();
  });

  it("says a dry run would rebuild", () => {
    const rendering = renderRepoReindex({
      dryRun: true,
      plan: {
        ...plan,
        currentIndex: "valid",
        currentIndexProblem: undefined,
        added: [],
        removed: [],
        skipped: [],
      },
    });
    expect(rendering.human).toBe(
      "Would rebuild /srv/repo/index.yaml (current index: valid)\n  1 version(s) kept with their created time",
    );
  });
});
