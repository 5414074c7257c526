/**
 * `kube9-release image build` end to end (docs/image-release.md): the real Dockerfile built with
 * buildah (chroot isolation, vfs storage) for linux/amd64 and linux/arm64 from base images
 * assembled locally and served by the distribution registry, pushed, then pulled back as an
 * anonymous user would: platforms, labels, tags, contents, reproducibility, and both images run
 * (arm64 under qemu-user-static).
 */
import { type ChildProcess, execFile, type StdioOptions, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ImageConfig, ImageIndex, ImageManifest } from "../../release/src/image/media-types.js";
import { parseImageReference } from "../../release/src/image/reference.js";
import { RegistryClient } from "../../release/src/image/registry-client.js";
import {
  type BaseImages,
  buildBaseImages,
  type ImageBuildReport,
  runImageBuild,
} from "../support/base-images.js";
import type { CliRun } from "../support/cli.js";
import { freePort, waitForHttp } from "../support/net.js";
import { startRegistry, type TestRegistry } from "../support/registry.js";
import { repoRoot, toolPath } from "../support/tools.js";

const VERSION = "1.2.3";
const PLATFORMS = ["linux/amd64", "linux/arm64"];
/** ELF e_machine of each platform's node binary. */
const ELF_MACHINE: Record<string, number> = { "linux/amd64": 0x3e, "linux/arm64": 0xb7 };

type BuildReport = ImageBuildReport;

interface PlatformImage {
  platform: string;
  digest: string;
  config: ImageConfig & {
    config?: { Entrypoint?: string[]; User?: string; Env?: string[]; Labels?: Record<string, string> | null };
  };
  /** Every path of every layer, as listed by tar. */
  paths: string[];
  rootfs: string;
}

let registry: TestRegistry;
let bases: BaseImages;
let work: string;
let commit: { sha: string; created: string; epoch: number };
let first: BuildReport;
let second: BuildReport;
const client = new RegistryClient();
const images = new Map<string, PlatformImage>();

function exec(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error === null) resolve(stdout);
      else reject(new Error(`${command} ${args.join(" ")}: ${error.message}\n${stderr}`));
    });
  });
}

function build(repository: string, ...extra: string[]): Promise<CliRun> {
  return runImageBuild(registry, bases, { version: VERSION, repository, epoch: commit.epoch, extra });
}

function report(run: CliRun): BuildReport {
  if (run.status !== 0) throw new Error(`image build failed (${run.status}):\n${run.stderr.slice(-4000)}`);
  return JSON.parse(run.stdout) as BuildReport;
}

async function manifestJson<T>(repository: string, reference: string): Promise<{ digest: string; json: T }> {
  const ref = parseImageReference(`${registry.host}/${repository}:latest`);
  const fetched = await client.getManifest(ref, reference);
  if (fetched === undefined) throw new Error(`${repository}@${reference} is not in the registry`);
  return { digest: fetched.digest, json: fetched.json as T };
}

/** Pulls one platform image as an anonymous user and unpacks its layers into a folder. */
async function pullPlatform(repository: string, platform: string, digest: string): Promise<PlatformImage> {
  const ref = parseImageReference(`${registry.host}/${repository}@${digest}`);
  const { json: manifest } = await manifestJson<ImageManifest>(repository, digest);
  const config = JSON.parse((await client.getBlob(ref, manifest.config.digest)).toString("utf8"));
  const rootfs = join(work, platform.replace("/", "-"), "rootfs");
  mkdirSync(rootfs, { recursive: true });
  const paths: string[] = [];
  for (const layer of manifest.layers) {
    const response = await client.request(ref, `blobs/${layer.digest}`);
    expect(response.status).toBe(200);
    const file = join(work, `${layer.digest.slice(7)}.tar.gz`);
    writeFileSync(file, Buffer.from(await response.arrayBuffer()));
    paths.push(...(await exec("tar", ["-tzf", file])).split("\n").filter((p) => p !== ""));
    // As root, tar keeps the owners and modes of the layer, as a container runtime does.
    await exec("tar", ["-xzf", file, "-C", rootfs, "--numeric-owner"]);
  }
  return { platform, digest, config, paths, rootfs };
}

function elfMachine(file: string): number {
  const fd = openSync(file, "r");
  const header = Buffer.alloc(20);
  readSync(fd, header, 0, 20, 0);
  return header.readUInt16LE(18);
}

/**
 * The image's entrypoint in its root filesystem as its user, the way a runtime starts it, without
 * a container runtime: chroot, and qemu-user for a foreign architecture. With `readOnly`, as the
 * chart runs it: the root filesystem mounted read-only in a private mount namespace, and an empty
 * tmpfs on /tmp (the chart's emptyDir).
 */
function startImage(
  image: PlatformImage,
  args: string[],
  options: { env?: Record<string, string>; readOnly?: boolean; entrypoint?: string[] } = {},
): ChildProcess {
  const entrypoint = options.entrypoint ?? image.config.config?.Entrypoint ?? [];
  const user = image.config.config?.User ?? "0:0";
  const imageEnv = Object.fromEntries(
    (image.config.config?.Env ?? []).map((pair) => [
      pair.slice(0, pair.indexOf("=")),
      pair.slice(pair.indexOf("=") + 1),
    ]),
  );
  const emulator: string[] = [];
  if (image.platform === "linux/arm64" && process.arch !== "arm64") {
    copyFileSync(toolPath("qemu-user-static"), join(image.rootfs, "qemu-aarch64-static"));
    emulator.push("/qemu-aarch64-static");
  }
  const command = [...emulator, ...entrypoint, ...args];
  const env = { ...imageEnv, ...options.env };
  const stdio: StdioOptions = ["ignore", "pipe", "pipe"];
  if (options.readOnly !== true) {
    return spawn("chroot", [`--userspec=${user}`, image.rootfs, ...command], { env, stdio });
  }
  // Every step execs the next, so the operator keeps the PID that the test signals.
  const script =
    'root="$1"; user="$2"; shift 2; mount --bind "$root" "$root" && mount -o remount,bind,ro "$root" ' +
    '&& mount -t tmpfs -o mode=1777 tmpfs "$root/tmp" && exec chroot --userspec="$user" "$root" "$@"';
  return spawn(
    "unshare",
    ["--mount", "--propagation", "private", "/bin/sh", "-c", script, "sh", image.rootfs, user, ...command],
    { env: { ...env, PATH: process.env.PATH ?? "/usr/bin:/bin" }, stdio },
  );
}

function finished(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "kube9-image-build-"));
  const [sha = "", created = ""] = (await exec("git", ["-C", repoRoot, "log", "-1", "--format=%H %cI"]))
    .trim()
    .split(" ");
  const canonical = new Date(created).toISOString().replace(/\.\d{3}Z$/, "Z");
  commit = { sha, created: canonical, epoch: Date.parse(canonical) / 1000 };
  registry = await startRegistry();
  bases = await buildBaseImages(registry);
  // The second build reuses the first one's buildah storage, where images of the same names (and
  // of the other platform) are left over: the traps of a kept storage, on purpose.
  const storage = join(work, "buildah-storage");
  first = report(await build("alto9/kube9-operator", "--storage", storage));
  second = report(
    await build("rebuild/kube9-operator", "--storage", storage, "--oci-layout", join(work, "layout")),
  );
  for (const platform of first.platforms) {
    images.set(
      platform.platform,
      await pullPlatform("alto9/kube9-operator", platform.platform, platform.digest),
    );
  }
}, 900_000);

afterAll(async () => {
  await registry?.stop();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe("image build: a multi-platform image from the real Dockerfile", () => {
  it("pushes an index with exactly linux/amd64 and linux/arm64, labelled with the version, commit and commit time", async () => {
    const { digest, json: index } = await manifestJson<ImageIndex>("alto9/kube9-operator", VERSION);
    expect(digest).toBe(first.digest);
    expect(index.manifests.map((m) => `${m.platform?.os}/${m.platform?.architecture}`).sort()).toEqual(
      PLATFORMS,
    );
    expect(index.manifests.every((m) => m.annotations?.["vnd.docker.reference.type"] === undefined)).toBe(
      true,
    );
    for (const platform of PLATFORMS) {
      const labels = images.get(platform)?.config.config?.Labels ?? {};
      expect(labels["org.opencontainers.image.version"]).toBe(VERSION);
      expect(labels["org.opencontainers.image.revision"]).toBe(commit.sha);
      expect(labels["org.opencontainers.image.created"]).toBe(commit.created);
      expect(labels["org.opencontainers.image.source"]).toBe("https://github.com/alto9/kube9-operator");
      expect(images.get(platform)?.config.architecture).toBe(platform.split("/")[1]);
    }
    expect(first.revision).toBe(commit.sha);
  });

  it("tags vX.Y.Z, X.Y.Z, X.Y, X and latest, all on the same index", async () => {
    expect(first.tags).toEqual([`v${VERSION}`, VERSION, "1.2", "1", "latest"]);
    for (const tag of first.tags) {
      expect((await manifestJson<ImageIndex>("alto9/kube9-operator", tag)).digest).toBe(first.digest);
    }
    expect(first.pushed.map((p) => p.outcome)).toEqual(first.tags.map(() => "pushed"));
  });

  it("gives identical per-platform and index digests when the same commit is built again, in the same kept storage", async () => {
    expect(second.digest).toBe(first.digest);
    expect(second.platforms.map((p) => [p.platform, p.digest])).toEqual(
      first.platforms.map((p) => [p.platform, p.digest]),
    );
    expect((await manifestJson<ImageIndex>("rebuild/kube9-operator", VERSION)).digest).toBe(first.digest);
  });

  it("keeps the image as an OCI layout when asked, with the digest that was pushed", () => {
    const index = JSON.parse(readFileSync(join(work, "layout", "index.json"), "utf8")) as ImageIndex;
    expect(index.manifests).toEqual([
      expect.objectContaining({
        digest: first.digest,
        annotations: { "org.opencontainers.image.ref.name": VERSION },
      }),
    ]);
    const blob = readFileSync(join(work, "layout", "blobs", "sha256", first.digest.slice("sha256:".length)));
    expect(createHash("sha256").update(blob).digest("hex")).toBe(first.digest.slice("sha256:".length));
  });

  it("stays under 200 MB uncompressed per platform with no build step under emulation", () => {
    for (const platform of first.platforms) {
      expect(platform.uncompressedBytes).toBeGreaterThan(100_000_000); // the node binary alone
      expect(platform.uncompressedBytes).toBeLessThan(200_000_000);
      expect(platform.compressedBytes).toBeLessThan(platform.uncompressedBytes);
      expect(platform.emulatedSteps).toBe(0);
    }
  });

  it("holds the operator and node of its own architecture, and no npm, compiler, TypeScript source or tests", () => {
    for (const platform of PLATFORMS) {
      const image = images.get(platform);
      if (image === undefined) throw new Error(`no ${platform} image`);
      const paths = image.paths.map((p) => `/${p.replace(/^\.?\//, "")}`);
      expect(paths).toContain("/app/dist/main.js");
      expect(paths).toContain("/nodejs/bin/node");
      expect(elfMachine(join(image.rootfs, "nodejs", "bin", "node"))).toBe(ELF_MACHINE[platform]);
      expect(paths.filter((p) => /\/(npm|npx|yarn|corepack)(\/|$|-cli)/.test(p))).toEqual([]);
      expect(paths.filter((p) => /\/(typescript|tsc|gcc|cc1|g\+\+|make)(\/|$)/.test(p))).toEqual([]);
      expect(paths.filter((p) => /\.(ts|tsx|mts|cts)$/.test(p) || /\.map$/.test(p))).toEqual([]);
      expect(paths.filter((p) => /(^|\/)(test|tests|__tests__)\/|\.test\.js$/.test(p))).toEqual([]);
      expect(paths.filter((p) => /(^|\/)bin\/(sh|bash|busybox)$/.test(p))).toEqual([]);
      expect(image.config.config?.User).toBe("65532:65532");
    }
  });

  for (const platform of PLATFORMS) {
    it(`runs the ${platform} image${platform === "linux/arm64" ? " under qemu-user-static" : ""}: --version, and /healthz on a read-only root`, async () => {
      const image = images.get(platform);
      if (image === undefined) throw new Error(`no ${platform} image`);
      const version = await finished(startImage(image, ["--version"]));
      expect(version.stderr).toBe("");
      expect(version.stdout.trim()).toBe(VERSION);
      expect(version.code).toBe(0);

      // The API server is down (nothing listens on its port): health answers, readiness does not.
      const apiPort = await freePort();
      // The read-only run is what it claims: the root refuses writes, /tmp takes them.
      const probe = await finished(
        startImage(
          image,
          [
            "-e",
            'const fs = require("node:fs"); fs.writeFileSync("/tmp/probe", "x"); try { fs.writeFileSync("/app/probe", "x"); } catch (e) { process.stdout.write(e.code); }',
          ],
          { readOnly: true, entrypoint: ["/nodejs/bin/node"] },
        ),
      );
      expect(probe.stdout).toBe("EROFS");
      expect(probe.code).toBe(0);

      // Outside /tmp, which is an empty tmpfs in the read-only run (a mounted ConfigMap, in effect).
      writeFileSync(
        join(image.rootfs, "etc", "kube9-test-kubeconfig"),
        `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: http://127.0.0.1:${apiPort}\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\n    namespace: kube9-system\ncurrent-context: c\nusers:\n- name: u\n  user:\n    token: t\n`,
      );
      const port = await freePort();
      const operator = startImage(image, [], {
        env: { KUBECONFIG: "/etc/kube9-test-kubeconfig", PORT: String(port), LISTEN_ADDRESS: "127.0.0.1" },
        readOnly: true,
      });
      const exit = finished(operator);
      try {
        const healthz = `http://127.0.0.1:${port}/healthz`;
        await waitForHttp(
          "the operator",
          healthz,
          operator,
          () => "its output is in the test log",
          undefined,
          90_000,
        );
        expect((await fetch(healthz)).status).toBe(200);
        const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
        expect(ready.status).toBe(503);
      } finally {
        operator.kill("SIGTERM");
      }
      const stopped = await exit;
      expect(stopped.code).toBe(0);
      expect(stopped.stdout).toContain('"stopping"');
    }, 180_000);
  }
});

describe("image build: what it refuses", () => {
  it("never moves a published release tag to other bytes, and pushes nothing then", async () => {
    const other = await build(
      "alto9/kube9-operator",
      "--platform",
      "linux/amd64",
      "--created",
      "2020-01-01T00:00:00Z",
    );
    expect(other.status).toBe(1);
    const error = JSON.parse(other.stdout) as { error: { code: string; message: string } };
    expect(error.error.code).toBe("VERSION_CONFLICT");
    expect(error.error.message).toContain(first.digest);
    for (const tag of first.tags) {
      expect((await manifestJson<ImageIndex>("alto9/kube9-operator", tag)).digest).toBe(first.digest);
    }
  }, 300_000);

  it.each([
    ["a failing RUN step", "RUN echo 'deliberate build failure' && exit 3", "deliberate build failure"],
    ["an unknown instruction", "FROMM nothing", "FROMM"],
  ])(
    "stops on %s with the builder's message and pushes nothing",
    async (_what, line, message) => {
      const dockerfile = join(work, `Dockerfile.${line.length}`);
      const real = readFileSync(join(repoRoot, "Dockerfile"), "utf8").split("\n");
      const at = real.findIndex((l) => l.startsWith("WORKDIR /src"));
      real.splice(at + 1, 0, line);
      writeFileSync(dockerfile, real.join("\n"));
      const failed = await build("broken/kube9-operator", "--file", dockerfile);
      expect(failed.status).toBe(1);
      const error = JSON.parse(failed.stdout) as { error: { code: string; message: string } };
      expect(error.error.code).toBe("IMAGE_BUILD_FAILED");
      expect(error.error.message).toContain(message);
      expect(failed.stderr).toContain("nothing was pushed");
      const tags = await client.listTags(
        parseImageReference(`${registry.host}/broken/kube9-operator:latest`),
      );
      expect(tags ?? []).toEqual([]);
    },
    300_000,
  );
});
