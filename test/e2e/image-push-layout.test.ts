/**
 * `kube9-release image push` against the real distribution registry with token auth: the layout's
 * exact bytes, release tags create-only, floating tags settled by the registry's release tags.
 * The CLI runs asynchronously: the registry's token endpoint answers from this process.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseImageReference } from "../../release/src/image/reference.js";
import { RegistryClient } from "../../release/src/image/registry-client.js";
import { runReleaseAsync } from "../support/cli.js";
import { writeReleaseLayout } from "../support/oci-layout.js";
import { startRegistry, type TestRegistry } from "../support/registry.js";

let registry: TestRegistry;
let work: string;
let repo: string;
const anonymous = new RegistryClient();

beforeAll(async () => {
  registry = await startRegistry();
  work = mkdtempSync(join(tmpdir(), "kube9-push-"));
  repo = `${registry.host}/alto9/kube9-operator`;
});

afterAll(async () => {
  await registry?.stop();
  rmSync(work, { recursive: true, force: true });
});

function push(layout: string, version: string, ...extra: string[]) {
  return runReleaseAsync(["image", "push", layout, version, "--to", repo, "--json", ...extra], {
    cwd: work,
    env: {
      KUBE9_REGISTRY_USERNAME: registry.pusher.username,
      KUBE9_REGISTRY_PASSWORD: registry.pusher.password,
    },
  });
}

async function tagDigests(): Promise<Record<string, string>> {
  const ref = parseImageReference(`${repo}:latest`);
  const tags = ((await anonymous.listTags(ref)) ?? []).sort();
  const out: Record<string, string> = {};
  for (const tag of tags) out[tag] = (await anonymous.getManifest({ ...ref, reference: tag }))?.digest ?? "";
  return out;
}

const layouts: Record<string, { dir: string; digest: string }> = {};
async function layout(version: string, seed = version) {
  const key = `${version}-${seed}`;
  layouts[key] ??= await writeReleaseLayout(join(work, key), version, seed);
  return layouts[key];
}

describe("image push: the layout's bytes, tags never moved, floating tags settled", () => {
  it("pushes a first release under all five tags, readable anonymously", async () => {
    const image = await layout("1.0.0");
    const run = await push(image.dir, "v1.0.0", "--digest", image.digest);
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as {
      digest: string;
      fixed: Array<{ tag: string }>;
      floating: Array<{ tag: string }>;
    };
    expect(report.digest).toBe(image.digest);
    expect(report.fixed.map((t) => t.tag)).toEqual(["v1.0.0", "1.0.0"]);
    expect(report.floating.map((t) => t.tag).sort()).toEqual(["1", "1.0", "latest"]);
    expect(await tagDigests()).toEqual({
      "1": image.digest,
      "1.0": image.digest,
      "1.0.0": image.digest,
      latest: image.digest,
      "v1.0.0": image.digest,
    });
  });

  it("treats a re-run of the same layout as done, and refuses other bytes for a published version", async () => {
    const image = await layout("1.0.0");
    const again = await push(image.dir, "v1.0.0");
    expect(again.status).toBe(0);
    const report = JSON.parse(again.stdout) as { fixed: Array<{ outcome: string }>; blobsUploaded: number };
    expect(report.fixed.map((t) => t.outcome)).toEqual(["unchanged", "unchanged"]);
    expect(report.blobsUploaded).toBe(0);

    const before = await tagDigests();
    const other = await layout("1.0.0", "rebuilt-with-other-bytes");
    const conflict = await push(other.dir, "v1.0.0");
    expect(conflict.status).toBe(1);
    expect(conflict.stderr).toMatch(/already exists with digest .* never overwritten/s);
    expect(await tagDigests()).toEqual(before);
    // Not a byte of the refused image was sent.
    const ref = parseImageReference(`${repo}@${other.digest}`);
    expect(await anonymous.manifestExists(ref)).toBe(false);
  });

  it("refuses a layout that is not the scanned one, before sending anything", async () => {
    const image = await layout("1.0.5");
    const run = await push(image.dir, "v1.0.5", "--digest", `sha256:${"0".repeat(64)}`);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/not the sha256:0+ that was scanned/);
    expect(Object.keys(await tagDigests())).not.toContain("1.0.5");
  });

  it("moves latest to a higher release and keeps it there when a lower line is patched", async () => {
    const minor = await layout("1.1.0");
    expect((await push(minor.dir, "v1.1.0")).status).toBe(0);
    const patch = await layout("1.0.1");
    expect((await push(patch.dir, "v1.0.1")).status).toBe(0);
    const tags = await tagDigests();
    expect(tags.latest).toBe(minor.digest);
    expect(tags["1"]).toBe(minor.digest);
    expect(tags["1.1"]).toBe(minor.digest);
    expect(tags["1.0"]).toBe(patch.digest);
  });

  it("corrects a stale floating tag left by a slower concurrent release", async () => {
    // What a release that computed its tags before 1.1.0 existed would leave behind.
    const stale = await layout("1.0.1");
    const writer = await import("../../release/src/image/push/registry-writer.js");
    const client = new RegistryClient({ credentials: registry.pusher });
    const manifest = await client.getManifest(parseImageReference(`${repo}@${stale.digest}`));
    if (manifest === undefined) throw new Error("1.0.1 is missing");
    await new writer.RegistryWriter(client, parseImageReference(`${repo}:latest`)).putManifest(
      "latest",
      manifest.mediaType,
      manifest.body,
    );
    expect((await tagDigests()).latest).toBe(stale.digest);
    // The next release to finish, whatever its version, puts latest back where the tags say.
    const next = await layout("1.0.2");
    expect((await push(next.dir, "v1.0.2")).status).toBe(0);
    const tags = await tagDigests();
    expect(tags.latest).toBe((await layout("1.1.0")).digest);
    expect(tags["1.0"]).toBe(next.digest);
  });

  it("settles two releases pushed at the same time on the higher one", async () => {
    const high = await layout("2.0.0");
    const low = await layout("1.2.0");
    const [a, b] = await Promise.all([push(high.dir, "v2.0.0"), push(low.dir, "v1.2.0")]);
    expect([a.status, b.status]).toEqual([0, 0]);
    const tags = await tagDigests();
    expect(tags.latest).toBe(high.digest);
    expect(tags["2"]).toBe(high.digest);
    expect(tags["1"]).toBe(low.digest);
    expect(tags["1.2"]).toBe(low.digest);
  });

  it("gives a pre-release only its own tags", async () => {
    const before = await tagDigests();
    const rc = await layout("2.1.0-rc.1");
    expect((await push(rc.dir, "v2.1.0-rc.1")).status).toBe(0);
    const tags = await tagDigests();
    expect(tags["2.1.0-rc.1"]).toBe(rc.digest);
    expect(tags["v2.1.0-rc.1"]).toBe(rc.digest);
    expect(tags.latest).toBe(before.latest);
    expect(tags["2"]).toBe(before["2"]);
    expect(tags["2.1"]).toBeUndefined();
  });

  it("fails clearly without push credentials, and on a folder that is not a layout", async () => {
    const image = await layout("3.0.0");
    const anonymousPush = await runReleaseAsync(["image", "push", image.dir, "v3.0.0", "--to", repo], {
      cwd: work,
    });
    expect(anonymousPush.status).toBe(1);
    expect(anonymousPush.stderr).not.toMatch(/internal error/);
    const notLayout = await push(work, "v3.0.0");
    expect(notLayout.status).toBe(1);
    expect(notLayout.stderr).toMatch(/index\.json/);
    expect(notLayout.stderr).not.toMatch(/internal error/);
  });
});
