import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { debian12Root, type WrittenLayout, writeOciLayout } from "../../../../test/support/oci-layout.js";
import { readLayoutIndex } from "../../../src/image/oci-layout-reader.js";
import { writePlatformLayout } from "../../../src/image/scan/platform-layouts.js";
import { rejectionOf } from "../../support/refusal.js";

let dir: string;
let layout: WrittenLayout;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "platform-layouts-"));
  layout = await writeOciLayout(join(dir, "layout"), "1.2.3", [
    { platform: "linux/amd64", files: debian12Root("amd64", "2.36-9+deb12u14") },
    { platform: "linux/arm64", files: debian12Root("arm64", "2.36-9+deb12u14") },
  ]);
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function refusal(promise: Promise<unknown>): Promise<Error> {
  return rejectionOf(promise, "IMAGE_INVALID");
}

function blob(digest: string): string {
  return join(layout.dir, "blobs", "sha256", digest.slice("sha256:".length));
}

describe("reading a multi-platform OCI layout", () => {
  it("gives the index digest and each platform's manifest digest", async () => {
    const read = await readLayoutIndex(layout.dir);
    expect(read.tag).toBe("1.2.3");
    expect(read.digest).toBe(layout.digest);
    expect(read.platforms.map((p) => [p.platform, p.descriptor.digest, p.manifest.config.digest])).toEqual(
      layout.platforms.map((p) => [p.platform, p.digest, p.configDigest]),
    );
  });

  it("chooses by tag, and refuses a tag the layout does not hold, listing those it holds", async () => {
    expect((await readLayoutIndex(layout.dir, "1.2.3")).digest).toBe(layout.digest);
    const error = await refusal(readLayoutIndex(layout.dir, "9.9.9"));
    expect(error.message).toContain('"9.9.9"');
    expect(error.message).toContain("1.2.3");
  });

  it("refuses a layout of several images when no tag is given", async () => {
    const index = JSON.parse(readFileSync(join(layout.dir, "index.json"), "utf8"));
    const second = { ...index.manifests[0], annotations: { "org.opencontainers.image.ref.name": "other" } };
    index.manifests.push(second);
    writeFileSync(join(layout.dir, "index.json"), JSON.stringify(index));
    const error = await refusal(readLayoutIndex(layout.dir));
    expect(error.message).toContain("2 images (1.2.3, other)");
    expect((await readLayoutIndex(layout.dir, "other")).digest).toBe(layout.digest);
  });

  it("refuses a folder without index.json, an index.json that is not JSON, and a single-platform image", async () => {
    expect((await refusal(readLayoutIndex(join(dir, "nowhere")))).message).toContain(
      "cannot read index.json",
    );
    const index = readFileSync(join(layout.dir, "index.json"), "utf8");
    writeFileSync(join(layout.dir, "index.json"), index.slice(0, 20));
    expect((await refusal(readLayoutIndex(layout.dir))).message).toContain("cannot read index.json");
    const single = JSON.parse(index);
    single.manifests[0] = {
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      digest: layout.platforms[0]?.digest,
      size: readFileSync(blob(layout.platforms[0]?.digest ?? "")).length,
    };
    writeFileSync(join(layout.dir, "index.json"), JSON.stringify(single));
    expect((await refusal(readLayoutIndex(layout.dir))).message).toContain("not a multi-platform index");
  });

  it("refuses a manifest whose bytes do not match its digest, or that is missing", async () => {
    const manifest = blob(layout.platforms[1]?.digest ?? "");
    const body = readFileSync(manifest);
    writeFileSync(manifest, Buffer.concat([body, Buffer.from(" ")]));
    const changed = await refusal(readLayoutIndex(layout.dir));
    expect(changed.message).toContain(layout.platforms[1]?.digest);
    rmSync(manifest);
    expect((await refusal(readLayoutIndex(layout.dir))).message).toContain("cannot read blob");
  });
});

describe("a single-platform layout per platform", () => {
  it("holds exactly that platform's manifest, config and layer, named by the tag", async () => {
    const read = await readLayoutIndex(layout.dir);
    const arm = read.platforms[1];
    if (arm === undefined) throw new Error("no second platform");
    const target = join(dir, "arm64");
    await writePlatformLayout(read, arm, target);
    const expected = layout.platforms[1];
    expect(readdirSync(join(target, "blobs", "sha256")).sort()).toEqual(
      [expected?.digest, expected?.configDigest, expected?.layerDigest].map((d) => d?.slice(7)).sort(),
    );
    const index = JSON.parse(readFileSync(join(target, "index.json"), "utf8"));
    expect(index.manifests).toHaveLength(1);
    expect(index.manifests[0].digest).toBe(expected?.digest);
    expect(index.manifests[0].platform).toEqual({ os: "linux", architecture: "arm64" });
    expect(index.manifests[0].annotations["org.opencontainers.image.ref.name"]).toBe("1.2.3");
    expect(JSON.parse(readFileSync(join(target, "oci-layout"), "utf8"))).toEqual({
      imageLayoutVersion: "1.0.0",
    });
    expect(index.manifests[0].size).toBe(readFileSync(blob(expected?.digest ?? "")).length);
  });

  it("refuses a layer whose bytes do not match its digest", async () => {
    const read = await readLayoutIndex(layout.dir);
    const amd = read.platforms[0];
    if (amd === undefined) throw new Error("no first platform");
    const layer = blob(layout.platforms[0]?.layerDigest ?? "");
    const body = readFileSync(layer);
    body[body.length - 1] = (body[body.length - 1] ?? 0) ^ 0xff;
    writeFileSync(layer, body);
    const error = await refusal(writePlatformLayout(read, amd, join(dir, "amd64")));
    expect(error.message).toContain(layout.platforms[0]?.layerDigest);
  });
});
