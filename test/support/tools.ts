/**
 * Where the tests find the pinned tools installed by scripts/install-tools.mjs. A missing tool is
 * a failure that says how to install it, never a skipped test.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { toolPath as cachedToolPath, repoRoot, toolSpec } from "../../scripts/tool-paths.mjs";

export { repoRoot };

export function toolPath(name: string): string {
  const spec = toolSpec(name);
  const path = cachedToolPath(name);
  if (spec.apt !== undefined) {
    if (!existsSync(path)) {
      throw new Error(
        `${name} (Debian package ${spec.apt} ${spec.version}) is not installed. Install it with: npm run tools -- ${name}`,
      );
    }
    return path;
  }
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
