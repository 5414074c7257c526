import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { debian12Root, type WrittenLayout, writeOciLayout } from "../../../test/support/oci-layout.js";
import { readOciLayout } from "../../src/image/builder/oci-layout.js";
import { readLayoutIndex } from "../../src/image/oci-layout-reader.js";
import { readLayoutContents } from "../../src/image/push/layout-contents.js";
import { rejectionOf } from "../support/refusal.js";

let dir: string;
let layout: WrittenLayout;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "oci-layout-reader-"));
  layout = await writeOciLayout(join(dir, "layout"), "1.2.3", [
    { platform: "linux/amd64", files: debian12Root("amd64", "2.36-9+deb12u14") },
    { platform: "linux/arm64", files: debian12Root("arm64", "2.36-9+deb12u14") },
  ]);
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function manifestPath(index: number): string {
  return join(layout.dir, "blobs", "sha256", (layout.platforms[index]?.digest ?? "").slice("sha256:".length));
}

describe("build, scan and push read a layout the same way", () => {
  it("see the same index digest, platforms and manifest bytes", async () => {
    const scanned = await readLayoutIndex(layout.dir, "1.2.3");
    const built = await readOciLayout(layout.dir, "1.2.3");
    const pushed = await readLayoutContents(layout.dir, "1.2.3");
    expect(scanned.digest).toBe(layout.digest);
    expect(built.digest).toBe(layout.digest);
    expect(pushed.digest).toBe(layout.digest);
    expect(built.platforms.map((p) => [p.platform, p.digest])).toEqual(
      scanned.platforms.map((p) => [p.platform, p.descriptor.digest]),
    );
    expect(pushed.manifests.map((m) => m.digest)).toEqual(scanned.platforms.map((p) => p.descriptor.digest));
    expect(pushed.manifests[1]?.body.equals(readFileSync(manifestPath(1)))).toBe(true);
    expect(pushed.blobs.map((b) => b.digest)).toContain(scanned.platforms[0]?.manifest.layers[0]?.digest);
  });

  it("each refuse a tampered manifest, in its own terms", async () => {
    const path = manifestPath(1);
    writeFileSync(path, Buffer.concat([readFileSync(path), Buffer.from(" ")]));
    const digest = layout.platforms[1]?.digest ?? "";
    const scanned = await rejectionOf(readLayoutIndex(layout.dir, "1.2.3"), "IMAGE_INVALID");
    const pushed = await rejectionOf(readLayoutContents(layout.dir, "1.2.3"), "IMAGE_INVALID");
    const built = await rejectionOf(readOciLayout(layout.dir, "1.2.3"), "IMAGE_BUILD_FAILED");
    for (const error of [scanned, pushed, built]) {
      expect(error.message).toContain(`blob ${digest} holds`);
      expect(error.file).toBe(layout.dir);
    }
    expect(pushed.fix).toContain("--oci-layout");
    expect(built.fix).toContain("rebuild");
  });

  it("each refuse a tag the layout does not hold, naming the tags it holds", async () => {
    for (const read of [readLayoutIndex, readLayoutContents, readOciLayout]) {
      const error = await rejectionOf(read(layout.dir, "9.9.9"));
      expect(error.message).toContain(`no image tagged "9.9.9" in index.json (it holds 1.2.3)`);
    }
  });
});
