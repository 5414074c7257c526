#!/usr/bin/env node
// Installs the pinned tools the tests use (scripts/tools.json) and reuses a tool already there.
// Plain JavaScript so that it runs before the TypeScript build. Three kinds of tool:
// - "module": a Go program, built with `go install` into the tool cache (scripts/tool-paths.mjs:
//   ~/.cache/kube9-release/tools/ by default, outside the clone, so every clone reuses it);
// - "deb": a Debian package unpacked (apt-get download + dpkg-deb -x) into the tool cache, for
//   self-contained programs; no root needed once downloaded;
// - "apt": a Debian package installed system-wide with its dependencies (needs root), for
//   programs that need their configuration in /etc (buildah, ...).
// A cached tool's folder name carries a hash of its whole spec, so changing the spec installs
// anew. Usage: node scripts/install-tools.mjs [name...]
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { repoRoot, toolDir, toolManifest, toolPath, toolSpec } from "./tool-paths.mjs";

function installedDebVersion(pkg) {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax, not JavaScript's.
  const query = spawnSync("dpkg-query", ["-W", "-f=${Version}", pkg], { encoding: "utf8" });
  return query.status === 0 ? query.stdout.trim() : undefined;
}

// Another apt run (a second clone's setup, unattended upgrades) holds dpkg's lock for a while:
// wait for it instead of failing.
const LOCK_WAIT = ["-o", "DPkg::Lock::Timeout=600"];

/** Runs an apt command; refreshes the package lists once if the pinned version is not known yet. */
function apt(args, options = {}) {
  const run = () =>
    spawnSync(args[0], [...LOCK_WAIT, ...args.slice(1)], {
      stdio: ["ignore", "inherit", "inherit"],
      ...options,
    });
  if (run().status === 0) return;
  process.stderr.write("tools: refreshing the package lists (apt-get update)\n");
  execFileSync("apt-get", [...LOCK_WAIT, "update", "-qq"], { stdio: ["ignore", "inherit", "inherit"] });
  const again = run();
  if (again.status !== 0)
    throw new Error(`tools: ${args.join(" ")} failed; is the pinned version still served?`);
}

function requireGo(name, what) {
  const goVersion = spawnSync("go", ["version"], { encoding: "utf8" });
  if (goVersion.status !== 0) {
    throw new Error(
      `tools: ${name} needs Go to build (${what}); install Go 1.24 or later and run npm run tools again`,
    );
  }
}

/**
 * Builds a Go tool into a fresh folder beside its final one, then renames it into place: a build
 * that stops half-way (or two clones building at once) never leaves a partial tool behind.
 * - "module": `go install <module>@<version>`, a program published as a Go module;
 * - "gomod": `go build <package>` inside a Go module of this repository (tools/<name>/), for
 *   programs that cannot be `go install`ed (kube-apiserver) or that the project writes itself.
 * The link flags set what release builds set (version, default Kubernetes version), so that the
 * tools behave like the released binaries users run; "env" adds build settings (GOEXPERIMENT...).
 */
function installGo(name, tool) {
  const dir = toolDir(name);
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const env = { ...process.env, CGO_ENABLED: "0", ...(tool.env ?? {}) };
  const ldflags = tool.ldflags ? ["-ldflags", tool.ldflags] : [];
  try {
    if (tool.module !== undefined) {
      requireGo(name, `go install ${tool.module}@${tool.version}`);
      execFileSync("go", ["install", ...ldflags, `${tool.module}@${tool.version}`], {
        stdio: ["ignore", "inherit", "inherit"],
        env: { ...env, GOBIN: partial },
      });
    } else {
      requireGo(name, `go build ${tool.package} in ${tool.gomod}`);
      execFileSync(
        "go",
        ["build", "-trimpath", ...ldflags, "-o", join(partial, tool.binary), tool.package ?? "."],
        { cwd: join(repoRoot, tool.gomod), stdio: ["ignore", "inherit", "inherit"], env },
      );
    }
    rmSync(dir, { recursive: true, force: true });
    renameSync(partial, dir);
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
}

function installDeb(name, tool) {
  const download = mkdtempSync(join(tmpdir(), `tools-${name}-`));
  // apt downloads as its own unprivileged user when it can write the folder.
  chmodSync(download, 0o777);
  try {
    apt(["apt-get", "download", `${tool.deb}=${tool.version}`], { cwd: download });
    const deb = readdirSync(download).find((file) => file.endsWith(".deb"));
    if (deb === undefined) throw new Error(`tools: apt-get download ${tool.deb} gave no .deb`);
    const dir = toolDir(name);
    const unpacked = `${dir}.partial`;
    rmSync(unpacked, { recursive: true, force: true });
    mkdirSync(unpacked, { recursive: true });
    execFileSync("dpkg-deb", ["-x", join(download, deb), unpacked]);
    rmSync(dir, { recursive: true, force: true });
    renameSync(unpacked, dir);
  } finally {
    rmSync(download, { recursive: true, force: true });
  }
}

function install(name) {
  const tool = toolSpec(name);
  const target = toolPath(name);
  if (tool.apt !== undefined) {
    if (installedDebVersion(tool.apt) === tool.version && existsSync(target)) {
      process.stderr.write(`tools: ${name} ${tool.version} already installed (${target})\n`);
      return;
    }
    process.stderr.write(`tools: installing ${tool.apt}=${tool.version} with apt-get\n`);
    apt(["apt-get", "install", "-y", "-qq", "--no-install-recommends", `${tool.apt}=${tool.version}`], {
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
    return;
  }
  if (existsSync(target)) {
    process.stderr.write(`tools: ${name} ${tool.version} already at ${target}\n`);
    return;
  }
  process.stderr.write(`tools: installing ${name} ${tool.version} (a few minutes the first time)...\n`);
  const started = Date.now();
  if (tool.module !== undefined || tool.gomod !== undefined) installGo(name, tool);
  else if (tool.deb !== undefined) installDeb(name, tool);
  else throw new Error(`tools: ${name} has neither module, gomod, deb nor apt in scripts/tools.json`);
  if (!existsSync(target)) throw new Error(`tools: ${name} installed but ${target} is missing`);
  process.stderr.write(
    `tools: ${name} ${tool.version} ready in ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const names = process.argv.slice(2);
  for (const name of names.length > 0 ? names : Object.keys(toolManifest)) install(name);
}
