#!/usr/bin/env node
// Installs the pinned tools the tests use (scripts/tools.json) and reuses a tool already there.
// Plain JavaScript so that it runs before the TypeScript build. Three kinds of tool:
// - "module": a Go program, built with `go install` into the git-ignored .tools/ folder;
// - "deb": a Debian package unpacked (apt-get download + dpkg-deb -x) into .tools/, for
//   self-contained programs; no root needed once downloaded;
// - "apt": a Debian package installed system-wide with its dependencies (needs root), for
//   programs that need their configuration in /etc (buildah, ...).
// The .tools/ folder name carries a hash of the tool's whole spec, so changing the spec installs
// anew. Usage: node scripts/install-tools.mjs [name...]
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const manifest = JSON.parse(readFileSync(join(root, "scripts", "tools.json"), "utf8"));

function specOf(name) {
  const tool = manifest[name];
  if (tool === undefined) throw new Error(`unknown tool ${name}; known: ${Object.keys(manifest).join(", ")}`);
  return tool;
}

export function toolPath(name) {
  const tool = specOf(name);
  if (tool.apt !== undefined) return tool.binary;
  const specHash = createHash("sha256").update(JSON.stringify(tool)).digest("hex").slice(0, 8);
  return join(root, ".tools", `${name}-${tool.version}-${specHash}`, tool.binary);
}

function installedDebVersion(pkg) {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax, not JavaScript's.
  const query = spawnSync("dpkg-query", ["-W", "-f=${Version}", pkg], { encoding: "utf8" });
  return query.status === 0 ? query.stdout.trim() : undefined;
}

/** Runs an apt command; refreshes the package lists once if the pinned version is not known yet. */
function apt(args, options = {}) {
  const run = () =>
    spawnSync(args[0], args.slice(1), { stdio: ["ignore", "inherit", "inherit"], ...options });
  if (run().status === 0) return;
  process.stderr.write("tools: refreshing the package lists (apt-get update)\n");
  execFileSync("apt-get", ["update", "-qq"], { stdio: ["ignore", "inherit", "inherit"] });
  const again = run();
  if (again.status !== 0)
    throw new Error(`tools: ${args.join(" ")} failed; is the pinned version still served?`);
}

function installGo(name, tool, target) {
  const goVersion = spawnSync("go", ["version"], { encoding: "utf8" });
  if (goVersion.status !== 0) {
    throw new Error(
      `tools: ${name} needs Go to build (go install ${tool.module}@${tool.version}); install Go 1.24 or later and run npm run tools again`,
    );
  }
  // The link flags set what release builds set (version, default Kubernetes version), so that the
  // tools behave like the released binaries users run.
  execFileSync(
    "go",
    ["install", ...(tool.ldflags ? ["-ldflags", tool.ldflags] : []), `${tool.module}@${tool.version}`],
    {
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, GOBIN: dirname(target), CGO_ENABLED: "0" },
    },
  );
}

function installDeb(name, tool, target) {
  const download = mkdtempSync(join(tmpdir(), `tools-${name}-`));
  // apt downloads as its own unprivileged user when it can write the folder.
  chmodSync(download, 0o777);
  try {
    apt(["apt-get", "download", `${tool.deb}=${tool.version}`], { cwd: download });
    const deb = readdirSync(download).find((file) => file.endsWith(".deb"));
    if (deb === undefined) throw new Error(`tools: apt-get download ${tool.deb} gave no .deb`);
    const toolDir = target.slice(0, target.length - tool.binary.length - 1);
    const unpacked = `${toolDir}.partial`;
    rmSync(unpacked, { recursive: true, force: true });
    mkdirSync(unpacked, { recursive: true });
    execFileSync("dpkg-deb", ["-x", join(download, deb), unpacked]);
    rmSync(toolDir, { recursive: true, force: true });
    renameSync(unpacked, toolDir);
  } finally {
    rmSync(download, { recursive: true, force: true });
  }
}

function install(name) {
  const tool = specOf(name);
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
  if (tool.module !== undefined) installGo(name, tool, target);
  else if (tool.deb !== undefined) installDeb(name, tool, target);
  else throw new Error(`tools: ${name} has neither module, deb nor apt in scripts/tools.json`);
  if (!existsSync(target)) throw new Error(`tools: ${name} installed but ${target} is missing`);
  process.stderr.write(
    `tools: ${name} ${tool.version} ready in ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const names = process.argv.slice(2);
  for (const name of names.length > 0 ? names : Object.keys(manifest)) install(name);
}
