/**
 * Where the tests find the pinned tools installed by scripts/install-tools.mjs. A missing tool is
 * a failure that says how to install it, never a skipped test.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = dirname(dirname(dirname(fileURLToPath(import.meta.url))));

interface ToolSpec {
  version: string;
  binary: string;
  /** A Go program built with go install. */
  module?: string;
  ldflags?: string;
  /** A Debian package unpacked into .tools/. */
  deb?: string;
  /** A Debian package installed system-wide; `binary` is then an absolute path. */
  apt?: string;
}

const manifest = JSON.parse(readFileSync(join(repoRoot, "scripts", "tools.json"), "utf8")) as Record<
  string,
  ToolSpec
>;

export function toolPath(name: string): string {
  const spec = manifest[name];
  if (spec === undefined) throw new Error(`unknown tool ${name}`);
  if (spec.apt !== undefined) {
    if (!existsSync(spec.binary)) {
      throw new Error(
        `${name} (Debian package ${spec.apt} ${spec.version}) is not installed. Install it with: npm run tools -- ${name}`,
      );
    }
    return spec.binary;
  }
  // Same folder naming as scripts/install-tools.mjs: the spec's hash, so a changed spec is a new tool.
  const specHash = createHash("sha256").update(JSON.stringify(spec)).digest("hex").slice(0, 8);
  const path = join(repoRoot, ".tools", `${name}-${spec.version}-${specHash}`, spec.binary);
  if (!existsSync(path)) {
    throw new Error(
      `${name} ${spec.version} is not installed at ${path}. Install it with: npm run tools -- ${name} (or npm test, which installs every pinned tool first)`,
    );
  }
  return path;
}

/** The Helm clients every end-to-end test runs against, by label. */
export function helmClients(): Array<{ label: string; path: string }> {
  return [
    { label: "helm3", path: toolPath("helm3") },
    { label: "helm4", path: toolPath("helm4") },
  ];
}

/** The compiled CLI the end-to-end tests run, exactly as users do. */
export const cliPath = join(repoRoot, "release", "dist", "cli", "main.js");
