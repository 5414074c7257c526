// Where the pinned tools of scripts/tools.json live. Shared by the installer (plain JavaScript,
// it runs before the TypeScript build) and the tests (test/support/tools.ts), so both always
// agree on a path.
//
// The tools are cached outside the clone, in the user's cache folder, so that every clone on the
// machine (a CI run's fresh clone included) reuses a tool built once. A folder's name carries
// the tool's name, version and a hash of its whole spec (module, ldflags, build environment...):
// a changed spec is a new folder, never a stale binary.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = dirname(dirname(fileURLToPath(import.meta.url)));

/** scripts/tools.json, by tool name. */
export const toolManifest = JSON.parse(readFileSync(join(repoRoot, "scripts", "tools.json"), "utf8"));

/**
 * The cache root: $KUBE9_TOOLS_CACHE, else $XDG_CACHE_HOME/kube9-release, else
 * ~/.cache/kube9-release.
 */
export function cacheRoot(env = process.env) {
  if (env.KUBE9_TOOLS_CACHE) return env.KUBE9_TOOLS_CACHE;
  const base = env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "kube9-release");
}

export function toolSpec(name) {
  const tool = toolManifest[name];
  if (tool === undefined) {
    throw new Error(`unknown tool ${name}; known: ${Object.keys(toolManifest).join(", ")}`);
  }
  return tool;
}

/** Every file of a folder of this repository, in a fixed order, fed to a hash. */
function hashTree(hash, dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) hashTree(hash, path);
    else if (entry.isFile()) hash.update(`${entry.name}\0`).update(readFileSync(path));
  }
}

/**
 * The folder a built or unpacked tool lives in (apt tools have none: they are system-wide). A
 * tool built from a Go module of this repository ("gomod") is also keyed by that module's files.
 */
export function toolDir(name) {
  const tool = toolSpec(name);
  const hash = createHash("sha256").update(JSON.stringify(tool));
  if (tool.gomod !== undefined) hashTree(hash, join(repoRoot, tool.gomod));
  const specHash = hash.digest("hex").slice(0, 8);
  return join(cacheRoot(), "tools", `${name}-${tool.version}-${specHash}`);
}

/** The path of a tool's binary. */
export function toolPath(name) {
  const tool = toolSpec(name);
  if (tool.apt !== undefined) return tool.binary;
  return join(toolDir(name), tool.binary);
}
