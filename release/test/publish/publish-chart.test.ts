import { mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { repoRoot } from "../../../test/support/tools.js";
import { isReleaseError } from "../../src/errors.js";
import { type PackagedChart, packagedChartFrom } from "../../src/publish/chart-source.js";
import { planPublish } from "../../src/publish/plan.js";
import { applyPublish } from "../../src/publish/publish-chart.js";
import { readIndex } from "../../src/publish/read-index.js";
import { storeRepositoryReader } from "../../src/publish/repository-reader.js";
import { runPublish } from "../../src/publish/run-publish.js";
import { verifyPublished } from "../../src/publish/verify.js";
import { parseIndex } from "../../src/repo/parse/parse-index.js";
import { DirectoryStore } from "../../src/storage/directory-store.js";
import { objectPolicyFor } from "../../src/storage/object-policy.js";
import type { Store } from "../../src/storage/store.js";

const CHART_DIR = join(repoRoot, "charts", "kube9-operator");
const fixedNow = () => new Date("2026-01-02T03:04:05.000Z");
const quiet = { now: fixedNow, log: () => undefined, delay: async () => undefined };

let root: string;
let store: DirectoryStore;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "kube9-publish-"));
  store = new DirectoryStore(join(root, "repo"));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function chartAt(version: string, description?: string): Promise<PackagedChart> {
  return packagedChartFrom({
    path: CHART_DIR,
    version,
    appVersion: version,
    sourceDateEpoch: async () => 1_700_000_000,
  }).then((chart) =>
    description === undefined
      ? chart
      : {
          ...chart,
          digest: `${chart.digest.slice(0, -4)}beef`,
          bytes: chart.bytes,
          metadata: { ...chart.metadata, description },
        },
  );
}

async function publish(target: Store, version: string): Promise<void> {
  const chart = await chartAt(version);
  const planned = await planPublish(target, chart, { now: fixedNow });
  await applyPublish(target, chart, planned, quiet);
}

async function versions(target: Store): Promise<string[]> {
  const snapshot = await readIndex(target);
  return (snapshot?.index.entries["kube9-operator"] ?? []).map((entry) => entry.version);
}

describe("packagedChartFrom", () => {
  it("asks for the file time only to package a chart directory, never for a packaged archive", async () => {
    let asked = 0;
    const packaged = await packagedChartFrom({
      path: CHART_DIR,
      sourceDateEpoch: async () => {
        asked += 1;
        return 1_700_000_000;
      },
    });
    expect(asked).toBe(1);
    const archive = join(root, packaged.fileName);
    writeFileSync(archive, packaged.bytes);
    const again = await packagedChartFrom({
      path: archive,
      sourceDateEpoch: () => Promise.reject(new Error("an archive needs no file time")),
    });
    expect(again.digest).toBe(packaged.digest);
  });
});

describe("planPublish", () => {
  it("plans a new repository, then an added version, then an already published one, writing nothing", async () => {
    const chart = await chartAt("1.0.0");
    expect((await planPublish(store, chart, { now: fixedNow })).plan.outcome).toBe("create-repository");
    expect(await store.list()).toEqual([]);
    await publish(store, "1.0.0");
    expect((await planPublish(store, chart, { now: fixedNow })).plan.outcome).toBe("already-published");
    const next = await planPublish(store, await chartAt("1.1.0"), {
      now: fixedNow,
      baseUrl: "https://charts.kube9.io",
    });
    expect(next.plan.outcome).toBe("add-version");
    expect(next.plan.entriesBefore).toBe(1);
    expect(next.plan.archiveUrl).toBe("https://charts.kube9.io/kube9-operator-1.1.0.tgz");
    expect((await store.list()).map((object) => object.key)).toEqual([
      "index.yaml",
      "kube9-operator-1.0.0.tgz",
    ]);
  });

  it("refuses a missing index while older archives are stored", async () => {
    await publish(store, "1.0.0");
    rmSync(join(root, "repo", "index.yaml"));
    const dayAgo = new Date(Date.now() - 86_400_000);
    utimesSync(join(root, "repo", "kube9-operator-1.0.0.tgz"), dayAgo, dayAgo);
    await expect(planPublish(store, await chartAt("1.1.0"), { now: () => new Date() })).rejects.toMatchObject(
      {
        code: "INDEX_MISSING",
        fix: expect.stringContaining("repo reindex"),
      },
    );
  });

  it("waits for a concurrent first publish to create the index, and merges into it", async () => {
    const other = new DirectoryStore(join(root, "other"));
    await publish(other, "1.0.0");
    const otherIndex = await other.get("index.yaml");
    await publish(store, "1.0.0");
    rmSync(join(root, "repo", "index.yaml"));
    // The other publisher's index write lands while this one waits.
    const delay = async () => {
      if ((await store.get("index.yaml")) === undefined && otherIndex !== undefined) {
        await store.putIfAbsent("index.yaml", otherIndex.body, objectPolicyFor("index.yaml"));
      }
    };
    const planned = await planPublish(store, await chartAt("1.1.0"), {
      now: () => new Date(),
      delay,
      firstPublishWaitMs: 5_000,
    });
    expect(planned.plan.outcome).toBe("add-version");
    expect(planned.plan.entriesBefore).toBe(1);
  });

  it("refuses a missing index when no concurrent first publish creates it in time", async () => {
    await publish(store, "1.0.0");
    rmSync(join(root, "repo", "index.yaml"));
    const waits: number[] = [];
    const delay = async (ms: number) => {
      waits.push(ms);
      await new Promise((resolve) => setTimeout(resolve, 5));
    };
    await expect(
      planPublish(store, await chartAt("1.1.0"), { now: () => new Date(), delay, firstPublishWaitMs: 200 }),
    ).rejects.toMatchObject({ code: "INDEX_MISSING" });
    expect(waits.length).toBeGreaterThan(0);
  });
});

describe("applyPublish", () => {
  it("re-reads and merges when another publisher wins the race for index.yaml", async () => {
    await publish(store, "1.0.0");
    const chart = await chartAt("1.2.0");
    const planned = await planPublish(store, chart, { now: fixedNow });
    await publish(store, "1.1.0");
    const logs: string[] = [];
    const result = await applyPublish(store, chart, planned, { ...quiet, log: (line) => logs.push(line) });
    expect(result.attempts).toBe(2);
    expect(logs.join("\n")).toContain("changed by another publisher");
    expect(await versions(store)).toEqual(["1.2.0", "1.1.0", "1.0.0"]);
  });

  it("keeps every earlier entry verbatim, including created", async () => {
    await publish(store, "1.0.0");
    const before = (await readIndex(store))?.index.entries["kube9-operator"]?.[0];
    const chart = await chartAt("1.1.0");
    const later = () => new Date("2027-01-01T00:00:00.000Z");
    await applyPublish(store, chart, await planPublish(store, chart, { now: later }), {
      ...quiet,
      now: later,
    });
    const after = (await readIndex(store))?.index;
    expect(after?.entries["kube9-operator"]?.[1]).toEqual(before);
    expect(after?.entries["kube9-operator"]?.[0]?.created).toBe("2027-01-01T00:00:00.000Z");
    expect(after?.generated).toBe("2027-01-01T00:00:00.000Z");
  });

  it("gives up after the configured attempts when the index never stops changing", async () => {
    await publish(store, "1.0.0");
    const busy: Store = {
      location: store.location,
      get: (key) => store.get(key),
      putIfAbsent: (key, body, options) => store.putIfAbsent(key, body, options),
      putIfMatch: async (key) => {
        throw Object.assign(
          new (await import("../../src/errors.js")).ReleaseError("PRECONDITION_FAILED", `${key} changed`),
        );
      },
      list: () => store.list(),
    };
    const chart = await chartAt("1.1.0");
    await expect(
      applyPublish(busy, chart, await planPublish(busy, chart, { now: fixedNow }), {
        ...quiet,
        maxAttempts: 3,
      }),
    ).rejects.toMatchObject({
      code: "STORAGE_FAILED",
      message: expect.stringContaining("3 attempts"),
    });
  });
});

/** A store that dies at its n-th call, before or after doing it, like a publisher killed there. */
function crashingStore(inner: Store, crashAt: number, after: boolean): Store & { calls: number } {
  const wrapper = {
    location: inner.location,
    calls: 0,
    async step<T>(work: () => Promise<T>): Promise<T> {
      wrapper.calls += 1;
      if (wrapper.calls === crashAt && !after) throw new Error("killed before the call");
      const result = await work();
      if (wrapper.calls === crashAt && after) throw new Error("killed after the call");
      return result;
    },
    get: (key: string) => wrapper.step(() => inner.get(key)),
    putIfAbsent: (key: string, body: Uint8Array, options: Parameters<Store["putIfAbsent"]>[2]) =>
      wrapper.step(() => inner.putIfAbsent(key, body, options)),
    putIfMatch: (key: string, body: Uint8Array, etag: string, options: Parameters<Store["putIfMatch"]>[3]) =>
      wrapper.step(() => inner.putIfMatch(key, body, etag, options)),
    list: () => wrapper.step(() => inner.list()),
  };
  return wrapper;
}

describe("a publisher killed after any storage call", () => {
  it("leaves a usable repository, and the same command completes the publish", async () => {
    await publish(store, "1.0.0");
    const chart = await chartAt("1.1.0");
    const publishWith = async (target: Store) =>
      applyPublish(target, chart, await planPublish(target, chart, { now: fixedNow }), quiet);
    // Count the storage calls of an undisturbed publish, then kill a publish at each of them.
    const counted = crashingStore(store, Number.POSITIVE_INFINITY, false);
    await publishWith(counted);
    const totalCalls = counted.calls;
    expect(totalCalls).toBeGreaterThanOrEqual(3);
    for (let crashAt = 1; crashAt <= totalCalls; crashAt += 1) {
      for (const after of [false, true]) {
        const repo = new DirectoryStore(join(root, `crash-${crashAt}-${after}`));
        await publish(repo, "1.0.0");
        const dying = crashingStore(repo, crashAt, after);
        await expect(publishWith(dying)).rejects.toThrow(/killed/);
        // Whatever the index lists is there with the digest it claims.
        for (const version of await versions(repo)) {
          await expect(
            verifyPublished(storeRepositoryReader(repo), { chart: "kube9-operator", version }),
          ).resolves.toMatchObject({ version });
        }
        await publishWith(repo);
        expect(await versions(repo)).toEqual(["1.1.0", "1.0.0"]);
      }
    }
  });
});

describe("a version already published with other bytes", () => {
  it("is refused before anything is written", async () => {
    await publish(store, "1.0.0");
    const original = await store.list();
    const other = await chartAt("1.0.0", "other bytes");
    const error = await planPublish(store, other, { now: fixedNow }).catch((caught: unknown) => caught);
    expect(isReleaseError(error, "VERSION_CONFLICT")).toBe(true);
    expect(await store.list()).toEqual(original);
  });
});

describe("the index a publish wrote", () => {
  it("is returned with its bytes by applyPublish, and parses to the same index", async () => {
    await publish(store, "1.0.0");
    const chart = await chartAt("1.1.0");
    const result = await applyPublish(
      store,
      chart,
      await planPublish(store, chart, { now: fixedNow }),
      quiet,
    );
    const stored = await store.get("index.yaml");
    expect(result.written?.bytes).toEqual(stored?.body);
    expect(parseIndex(stored?.body ?? new Uint8Array(), "index.yaml")).toEqual(result.written?.index);
  });

  it("serves the verification but is not part of runPublish's result", async () => {
    const chart = await chartAt("1.0.0");
    const published = await runPublish(store, chart, await planPublish(store, chart, { now: fixedNow }), {
      ...quiet,
      verifyWith: storeRepositoryReader(store),
    });
    expect(published.verified?.versions).toEqual(["1.0.0"]);
    expect(published.result).not.toHaveProperty("written");
  });
});
