/**
 * `repo rollback` without S3: its flags turned into a request (each refusal before anything is
 * opened), the plain function over a directory store with a stand-in history and CDN, and what it
 * prints. The versioned bucket itself is test/e2e/repo-rollback.test.ts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { repoRoot } from "../../../test/support/tools.js";
import type { Cdn } from "../../src/cdn/cdn.js";
import {
  type RepoRollbackOutcome,
  type RepoRollbackRequest,
  type RollbackFlags,
  renderRepoRollback,
  repoRollback,
  rollbackRequest,
} from "../../src/cli/commands/repo-rollback.js";
import type { CdnTarget } from "../../src/cli/composition.js";
import { packagedChartFrom } from "../../src/publish/chart-source.js";
import { planPublish } from "../../src/publish/plan.js";
import { applyPublish } from "../../src/publish/publish-chart.js";
import { readIndex } from "../../src/publish/read-index.js";
import type { RollbackPlan } from "../../src/publish/rollback.js";
import { DirectoryStore } from "../../src/storage/directory-store.js";
import type { ObjectHistory, ObjectVersion } from "../../src/storage/object-history.js";
import { cliContext, FIXED_NOW } from "../support/cli-context.js";
import { rejectionOf } from "../support/refusal.js";

const flags = (extra: Partial<RollbackFlags> = {}): RollbackFlags => ({
  repo: "s3://charts/prefix",
  waitTimeout: "15m",
  requestTimeout: "60s",
  ...extra,
});

describe("rollbackRequest", () => {
  it.each([
    [{ repo: "chart-repo", cdn: "nonsense" }, "--repo", "chart-repo keeps no earlier versions of index.yaml"],
    [{ cdn: "nonsense" }, "--cdn", '"nonsense" is not a CDN this tool can invalidate'],
    [{ waitTimeout: "soon" }, "--wait-timeout", undefined],
  ])("refuses %j as usage, naming %s", async (extra, field, message) => {
    const error = await rejectionOf(rollbackRequest(flags(extra), cliContext("/work")), "USAGE");
    expect(error.field).toBe(field);
    if (message !== undefined) expect(error.message).toBe(message);
  });

  it("turns the flags into a request: the bucket opened, the CDN named, nothing contacted", async () => {
    const request = await rollbackRequest(
      flags({ to: "v1", cdn: "cloudfront:E123ABC", wait: true, waitTimeout: "2m", dryRun: true }),
      cliContext("/work"),
    );
    expect(request.repository.store.location).toBe("s3://charts/prefix");
    expect(request.to).toBe("v1");
    expect(request.dryRun).toBe(true);
    expect(request.cdn?.target.description).toBe("cloudfront:E123ABC");
    expect([request.cdn?.wait, request.cdn?.timeoutMs]).toEqual([true, 120_000]);
  });

  it("leaves out what is not given", async () => {
    const request = await rollbackRequest(flags(), cliContext("/work"));
    expect([request.to, request.cdn, request.dryRun]).toEqual([undefined, undefined, false]);
  });
});

let root: string;
let store: DirectoryStore;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "kube9-rollback-"));
  store = new DirectoryStore(join(root, "repo"));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

/** 1.0.0 then 1.1.0 published; the history holds both versions of index.yaml, newest first. */
async function twoReleases(): Promise<ObjectHistory> {
  const bodies: Uint8Array[] = [];
  for (const version of ["1.0.0", "1.1.0"]) {
    const chart = await packagedChartFrom({
      path: join(repoRoot, "charts", "kube9-operator"),
      version,
      sourceDateEpoch: async () => 1_700_000_000,
    });
    const now = () => FIXED_NOW;
    await applyPublish(store, chart, await planPublish(store, chart, { now }), {
      now,
      log: () => undefined,
      delay: async () => undefined,
    });
    bodies.push((await store.get("index.yaml"))?.body ?? new Uint8Array());
  }
  const version = (n: number): ObjectVersion => ({
    versionId: `v${n + 1}`,
    etag: `"e${n + 1}"`,
    size: bodies[n]?.byteLength ?? 0,
    lastModified: new Date(Date.UTC(2026, 0, n + 1)),
    latest: n === 1,
    deleteMarker: false,
  });
  return {
    location: store.location,
    versions: async () => [version(1), version(0)],
    getVersion: async (_key, id) => bodies[Number(id.slice(1)) - 1] ?? new Uint8Array(),
  };
}

/** A CDN that records what it is asked. */
function recordingCdn(): { target: CdnTarget; calls: string[] } {
  const calls: string[] = [];
  const cdn: Cdn = {
    description: "test:cdn",
    preflight: async () => void calls.push("preflight"),
    invalidate: async (paths, reference) => {
      calls.push(`invalidate ${paths.join(",")} ${reference}`);
      return { id: "I1", paths };
    },
    waitForCompletion: async (id, timeoutMs) => void calls.push(`wait ${id} ${timeoutMs}`),
  };
  return { target: { description: cdn.description, connect: async () => cdn }, calls };
}

function request(history: ObjectHistory, extra: Partial<RepoRollbackRequest> = {}): RepoRollbackRequest {
  return {
    repository: { store, history },
    backendSettings: { cwd: root, flags: { requestTimeout: "60s" } },
    dryRun: false,
    ...extra,
  };
}

async function versionsListed(): Promise<string[]> {
  const snapshot = await readIndex(store);
  return (snapshot?.index.entries["kube9-operator"] ?? []).map((entry) => entry.version);
}

describe("repoRollback", () => {
  it("plans on a dry run and writes nothing, nor asks the CDN anything", async () => {
    const history = await twoReleases();
    const { target, calls } = recordingCdn();
    const progress: string[] = [];
    const outcome = await repoRollback(
      request(history, { dryRun: true, cdn: { target, wait: true, timeoutMs: 1000 } }),
      () => FIXED_NOW,
      (line) => progress.push(line),
    );
    expect(outcome).toEqual({
      dryRun: true,
      plan: expect.objectContaining({ removed: ["kube9-operator 1.1.0"] }),
    });
    expect([calls, progress]).toEqual([[], []]);
    expect(await versionsListed()).toEqual(["1.1.0", "1.0.0"]);
  });

  it("writes the earlier index back, then invalidates and waits when asked", async () => {
    const history = await twoReleases();
    const { target, calls } = recordingCdn();
    const progress: string[] = [];
    const outcome = await repoRollback(
      request(history, { cdn: { target, wait: true, timeoutMs: 1000 } }),
      () => FIXED_NOW,
      (line) => progress.push(line),
    );
    expect(outcome.invalidation).toBe("I1");
    expect(outcome.plan.target.versionId).toBe("v1");
    expect(await versionsListed()).toEqual(["1.0.0"]);
    expect(progress).toEqual([`restored version v1 of ${store.location}/index.yaml`]);
    expect(calls).toEqual([`invalidate /index.yaml,/ rollback-v1-${FIXED_NOW.getTime()}`, "wait I1 1000"]);
  });

  it("has no invalidation without --cdn", async () => {
    const outcome = await repoRollback(
      request(await twoReleases()),
      () => FIXED_NOW,
      () => undefined,
    );
    expect(Object.keys(outcome)).toEqual(["dryRun", "plan"]);
  });
});

const plan: RollbackPlan = {
  repository: "s3://charts/prefix",
  current: { versionId: "v2", lastModified: "2026-01-02T00:00:00.000Z" },
  target: { versionId: "v1", lastModified: "2026-01-01T00:00:00.000Z" },
  removed: ["kube9-operator 1.1.0"],
  restored: ["kube9-operator 0.9.0"],
  history: [
    { versionId: "v2", lastModified: "2026-01-02T00:00:00.000Z", size: 900, latest: true, deleted: false },
    { versionId: "v1", lastModified: "2026-01-01T00:00:00.000Z", size: 800, latest: false, deleted: false },
    { versionId: "v0", lastModified: "2025-12-31T00:00:00.000Z", size: 0, latest: false, deleted: true },
  ],
};

describe("renderRepoRollback", () => {
  it("prints a dry run's plan and history", () => {
    const rendering = renderRepoRollback({ dryRun: true, plan });
    expect(rendering.data).toEqual({ dryRun: true, plan });
    expect(Object.keys(rendering.data as object)).toEqual(["dryRun", "plan"]);
    expect(rendering.human).toBe(
      [
        "Would restore index.yaml version v1 (2026-01-01T00:00:00.000Z) in s3://charts/prefix",
        "  current: v2 (2026-01-02T00:00:00.000Z)",
        "  - kube9-operator 1.1.0 (its archive stays stored)",
        "  + kube9-operator 0.9.0",
        "History of index.yaml, newest first:",
        "  v2  2026-01-02T00:00:00.000Z  900 bytes  (current)",
        "  v1  2026-01-01T00:00:00.000Z  800 bytes  <- target",
        "  v0  2025-12-31T00:00:00.000Z  deleted",
      ].join("\n"),
    );
    expect(rendering.summary).toBe(
      "### repo rollback\n\nWould restore `index.yaml` version `v1`: 1 version(s) removed, 1 restored.",
    );
  });

  it("prints the invalidation after a rollback, and an absent current index", () => {
    const outcome: RepoRollbackOutcome = {
      dryRun: false,
      plan: { ...plan, current: undefined },
      invalidation: "I1",
    };
    const rendering = renderRepoRollback(outcome);
    expect(Object.keys(rendering.data as object)).toEqual(["dryRun", "plan", "invalidation"]);
    expect(rendering.human.split("\n").slice(0, 5)).toEqual([
      "Restored index.yaml version v1 (2026-01-01T00:00:00.000Z) in s3://charts/prefix",
      "  current: absent",
      "  - kube9-operator 1.1.0 (its archive stays stored)",
      "  + kube9-operator 0.9.0",
      "  invalidated /index.yaml,/: I1",
    ]);
    expect(rendering.summary).toMatch(/^### repo rollback\n\nRestored `index.yaml`/);
  });
});
