/**
 * The operator's version comes from the build: the package.json that ships next to dist/ (the
 * Dockerfile copies both). Reading it at runtime keeps one source of truth, so an image built
 * from release vX.Y.Z can only report what its package.json says.
 */
import { readFileSync } from "node:fs";

export function readOperatorVersion(packageJsonUrl = new URL("../package.json", import.meta.url)): string {
  const parsed = JSON.parse(readFileSync(packageJsonUrl, "utf8")) as { version?: unknown };
  if (typeof parsed.version !== "string" || parsed.version === "") {
    throw new Error(`${packageJsonUrl.pathname} has no version`);
  }
  return parsed.version;
}
