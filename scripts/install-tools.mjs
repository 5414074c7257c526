#!/usr/bin/env node
// Installs the pinned tools the tests use (scripts/tools.json) into the git-ignored .tools/ folder
// with `go install`, and reuses a tool already there. The folder name carries a hash of the tool's
// whole spec (version and link flags), so changing the spec installs anew. Plain JavaScript so that it runs before the
// TypeScript build. Usage: node scripts/install-tools.mjs [name...]
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const manifest = JSON.parse(readFileSync(join(root, "scripts", "tools.json"), "utf8"));

export function toolPath(name) {
  const tool = manifest[name];
  if (tool === undefined) throw new Error(`unknown tool ${name}; known: ${Object.keys(manifest).join(", ")}`);
  const specHash = createHash("sha256").update(JSON.stringify(tool)).digest("hex").slice(0, 8);
  return join(root, ".tools", `${name}-${tool.version}-${specHash}`, tool.binary);
}

function install(name) {
  const tool = manifest[name];
  const target = toolPath(name);
  if (existsSync(target)) {
    process.stderr.write(`tools: ${name} ${tool.version} already at ${target}\n`);
    return;
  }
  const goVersion = spawnSync("go", ["version"], { encoding: "utf8" });
  if (goVersion.status !== 0) {
    throw new Error(
      `tools: ${name} needs Go to build (go install ${tool.module}@${tool.version}); install Go 1.24 or later and run npm run tools again`,
    );
  }
  process.stderr.write(
    `tools: building ${name} ${tool.version} with go install (a few minutes the first time)...\n`,
  );
  const started = Date.now();
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
  process.stderr.write(
    `tools: ${name} ${tool.version} ready in ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const names = process.argv.slice(2);
  for (const name of names.length > 0 ? names : Object.keys(manifest)) install(name);
}
