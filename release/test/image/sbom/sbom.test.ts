import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tarOf, writeOciLayout } from "../../../../test/support/oci-layout.js";
import { EXIT_FAILURE, EXIT_USAGE } from "../../../src/cli/run.js";
import type { Descriptor } from "../../../src/image/media-types.js";
import { readImageFiles } from "../../../src/image/sbom/image-files.js";
import { layoutSboms, normalizeTime } from "../../../src/image/sbom/image-sbom.js";
import { nodeBinaries } from "../../../src/image/sbom/node-binary.js";
import {
  isPackageManifest,
  npmPackages,
  npmPurl,
  spdxLicense,
} from "../../../src/image/sbom/npm-packages.js";
import { describedDigest, SOURCE_INFO_PREFIX } from "../../../src/image/sbom/spdx.js";
import { runInProcess } from "../../support/in-process-cli.js";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "image-sbom-"));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const manifest = (fields: Record<string, unknown>) => JSON.stringify(fields);
/** What an official Node.js build carries: the URL of its headers, naming its version. */
const nodeBinary = (version: string) =>
  Buffer.concat([
    Buffer.from([0x7f, 0x45, 0x4c, 0x46]),
    Buffer.from(`\0https://nodejs.org/download/release/v${version}/node-v${version}-headers.tar.gz\0`),
  ]);

async function layer(folder: string, files: Record<string, string | Buffer>): Promise<Descriptor> {
  const body = gzipSync(await tarOf(files));
  const digest = `sha256:${createHash("sha256").update(body).digest("hex")}`;
  mkdirSync(join(folder, "blobs", "sha256"), { recursive: true });
  writeFileSync(join(folder, "blobs", "sha256", digest.slice(7)), body);
  return { mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest, size: body.length };
}

describe("the files of an image, layer over layer", () => {
  it("keeps package evidence, replaced by later layers, removed by whiteouts", async () => {
    const folder = join(dir, "layers");
    const layers = [
      await layer(folder, {
        "app/node_modules/a/package.json": manifest({ name: "a", version: "1.0.0" }),
        "app/node_modules/b/package.json": manifest({ name: "b", version: "1.0.0" }),
        "app/node_modules/c/package.json": manifest({ name: "c", version: "1.0.0" }),
        "app/old/node_modules/d/package.json": manifest({ name: "d", version: "1.0.0" }),
        "app/README.md": "not evidence",
        "usr/local/bin/node": nodeBinary("20.1.0"),
      }),
      await layer(folder, {
        "app/node_modules/a/package.json": manifest({ name: "a", version: "2.0.0" }),
        "app/node_modules/.wh.b": "",
        "app/old/.wh..wh..opq": "",
      }),
    ];
    const files = await readImageFiles(folder, layers);
    expect(files.map((f) => f.path)).toEqual([
      "/app/node_modules/a/package.json",
      "/app/node_modules/c/package.json",
      "/usr/local/bin/node",
    ]);
    expect(JSON.parse(files[0]?.body.toString() ?? "{}").version).toBe("2.0.0");
  });

  it("refuses a layer whose bytes are not its digest", async () => {
    const folder = join(dir, "corrupt");
    const descriptor = await layer(folder, { "app/package.json": manifest({ name: "x", version: "1.0.0" }) });
    writeFileSync(
      join(folder, "blobs", "sha256", descriptor.digest.slice(7)),
      gzipSync(await tarOf({ x: "y" })),
    );
    await expect(readImageFiles(folder, [descriptor])).rejects.toThrow(/layer sha256:[0-9a-f]{64}: holds/);
  });
});

describe("npm packages", () => {
  const file = (path: string, body: string) => ({ path, body: Buffer.from(body) });

  it("lists installed packages and the application, not manifests nested in a package", () => {
    const packages = npmPackages([
      file("/app/package.json", manifest({ name: "kube9-operator", version: "1.2.3", license: "MIT" })),
      file(
        "/app/node_modules/yaml/package.json",
        manifest({ name: "yaml", version: "2.8.0", license: "ISC" }),
      ),
      file("/app/node_modules/yaml/dist/package.json", manifest({ type: "module" })),
      file(
        "/app/node_modules/@kubernetes/client-node/package.json",
        manifest({ name: "@kubernetes/client-node", version: "1.3.0", license: { type: "Apache-2.0" } }),
      ),
      file("/app/dist/package.json", manifest({ type: "commonjs" })),
    ]);
    expect(packages.map((p) => [p.name, p.version, p.license, p.purl])).toEqual([
      ["kube9-operator", "1.2.3", "MIT", "pkg:npm/kube9-operator@1.2.3"],
      ["yaml", "2.8.0", "ISC", "pkg:npm/yaml@2.8.0"],
      ["@kubernetes/client-node", "1.3.0", "Apache-2.0", "pkg:npm/%40kubernetes/client-node@1.3.0"],
    ]);
  });

  it("tells package manifests from nested ones", () => {
    expect(isPackageManifest("/app/node_modules/a/package.json")).toBe(true);
    expect(isPackageManifest("/app/node_modules/@s/a/package.json")).toBe(true);
    expect(isPackageManifest("/app/node_modules/a/node_modules/b/package.json")).toBe(true);
    expect(isPackageManifest("/app/node_modules/a/lib/package.json")).toBe(false);
    expect(isPackageManifest("/app/node_modules/@s/package.json")).toBe(false);
  });

  it("keeps only SPDX license expressions", () => {
    expect(spdxLicense("MIT")).toBe("MIT");
    expect(spdxLicense("(MIT OR Apache-2.0)")).toBe("(MIT OR Apache-2.0)");
    expect(spdxLicense("SEE LICENSE IN LICENSE.md")).toBeUndefined();
    expect(spdxLicense("UNLICENSED")).toBeUndefined();
    expect(spdxLicense(undefined)).toBeUndefined();
    expect(spdxLicense("MIT OR")).toBeUndefined();
  });

  it("encodes package URLs", () => {
    expect(npmPurl("@scope/name", "1.0.0-rc.1+b")).toBe("pkg:npm/%40scope/name@1.0.0-rc.1%2Bb");
  });

  it("refuses an installed package without name or version, naming its file", () => {
    expect(() => npmPackages([file("/app/node_modules/x/package.json", manifest({ name: "x" }))])).toThrow(
      expect.objectContaining({ code: "IMAGE_INVALID", file: "/app/node_modules/x/package.json" }),
    );
    expect(() => npmPackages([file("/app/node_modules/x/package.json", "{not json")])).toThrow(/not JSON/);
  });
});

describe("node binaries", () => {
  it("reads the version an official build carries", () => {
    expect(nodeBinaries([{ path: "/nodejs/bin/node", body: nodeBinary("22.23.3") }])).toEqual([
      { path: "/nodejs/bin/node", version: "22.23.3" },
    ]);
  });

  it("refuses a node binary with no version in it", () => {
    expect(() => nodeBinaries([{ path: "/nodejs/bin/node", body: Buffer.from("ELF") }])).toThrow(
      expect.objectContaining({ code: "IMAGE_INVALID", file: "/nodejs/bin/node" }),
    );
  });
});

describe("SBOMs of a layout", () => {
  const appFiles = (platform: string) => ({
    "nodejs/bin/node": nodeBinary("22.23.3"),
    "app/package.json": manifest({ name: "kube9-operator", version: "1.2.3", license: "MIT" }),
    "app/node_modules/yaml/package.json": manifest({ name: "yaml", version: "2.8.0", license: "ISC" }),
    "app/node_modules/@s/p/package.json": manifest({
      name: "@s/p",
      version: platform === "linux/amd64" ? "1.0.0" : "1.0.1",
    }),
    "app/dist/main.js": "console.log(1)",
  });
  let layoutDir: string;
  let digests: string[];

  beforeAll(async () => {
    layoutDir = join(dir, "layout");
    const written = await writeOciLayout(layoutDir, "1.2.3", [
      { platform: "linux/amd64", files: appFiles("linux/amd64") },
      { platform: "linux/arm64", files: appFiles("linux/arm64") },
    ]);
    digests = written.platforms.map((p) => p.digest);
  });

  it("lists, per platform, exactly the node binary and the packages of its files", async () => {
    const sboms = await layoutSboms(layoutDir, {
      repository: "ghcr.io/alto9/kube9-operator",
      created: "2026-01-02T03:04:05+01:00",
    });
    expect(sboms.platforms.map((p) => [p.platform, p.digest])).toEqual([
      ["linux/amd64", digests[0]],
      ["linux/arm64", digests[1]],
    ]);
    for (const [i, { document, platform }] of sboms.platforms.entries()) {
      expect(document.spdxVersion).toBe("SPDX-2.3");
      expect(describedDigest(document)).toBe(digests[i]);
      expect(document.creationInfo.created).toBe("2026-01-02T02:04:05Z");
      const listed = document.packages
        .filter((p) => p.SPDXID !== "SPDXRef-Image")
        .map((p) => [p.sourceInfo?.slice(SOURCE_INFO_PREFIX.length), p.name, p.versionInfo])
        .sort();
      const files = appFiles(platform);
      const expected = Object.entries(files)
        .filter(([path]) => path.endsWith("package.json"))
        .map(([path, body]) => {
          const { name, version } = JSON.parse(String(body)) as { name: string; version: string };
          return [`/${path}`, name, version];
        });
      expect(listed).toEqual([...expected, ["/nodejs/bin/node", "node", "22.23.3"]].sort());
      // Every package is contained in the image.
      expect(document.relationships.filter((r) => r.relationshipType === "CONTAINS")).toHaveLength(
        listed.length,
      );
    }
  });

  it("is the same document on every run", async () => {
    const once = await layoutSboms(layoutDir, { repository: "ghcr.io/a/b", created: "2026-01-02T03:04:05Z" });
    const twice = await layoutSboms(layoutDir, {
      repository: "ghcr.io/a/b",
      created: "2026-01-02T03:04:05Z",
    });
    expect(JSON.stringify(twice)).toBe(JSON.stringify(once));
  });

  it("takes no time from the clock: without a created label or time it refuses", async () => {
    await expect(layoutSboms(layoutDir, { repository: "ghcr.io/a/b" })).rejects.toThrow(
      expect.objectContaining({ code: "USAGE", field: "--created" }),
    );
  });

  it("normalizes RFC 3339 times and refuses others", () => {
    expect(normalizeTime("2026-01-02T03:04:05.123Z")).toBe("2026-01-02T03:04:05Z");
    expect(normalizeTime("2026-01-02 03:04:05")).toBeUndefined();
    expect(normalizeTime("yesterday")).toBeUndefined();
  });

  it("image sbom writes one file per platform", async () => {
    const out = join(dir, "sbom-out");
    const run = await runInProcess(
      ["image", "sbom", "layout", "--out", out, "--created", "2026-01-02T03:04:05Z", "--json"],
      { cwd: dir },
    );
    expect(run.stderr).toContain("reading the layers");
    expect(run.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(["sbom-linux-amd64.spdx.json", "sbom-linux-arm64.spdx.json"]);
    const document = JSON.parse(readFileSync(join(out, "sbom-linux-arm64.spdx.json"), "utf8"));
    expect(describedDigest(document)).toBe(digests[1]);
    expect(JSON.parse(run.stdout).platforms[0].packages).toBe(4);
  });

  it("image sbom: a bad --created is a usage error and writes nothing", async () => {
    const out = join(dir, "sbom-bad");
    const run = await runInProcess(["image", "sbom", "layout", "--out", out, "--created", "tomorrow"], {
      cwd: dir,
    });
    expect(run.code).toBe(EXIT_USAGE);
    expect(run.stderr).toContain("--created");
    expect(existsSync(out)).toBe(false);
  });

  it("image sbom: a folder that is no layout fails naming it", async () => {
    const run = await runInProcess(
      ["image", "sbom", "nowhere", "--out", join(dir, "x"), "--created", "2026-01-02T03:04:05Z"],
      { cwd: dir },
    );
    expect(run.code).toBe(EXIT_FAILURE);
    expect(run.stderr).toContain("nowhere");
    expect(existsSync(join(dir, "x"))).toBe(false);
  });
});
