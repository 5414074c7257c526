/**
 * Trivy for tests: the pinned binary, and a vulnerability database built here from a list of
 * advisories by tools/trivy-test-db (Trivy's own database is downloaded from a registry this
 * machine cannot reach).
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { toolPath } from "./tools.js";

export interface TestAdvisory {
  id: string;
  /** The bucket Trivy looks the package up in: "debian 12", "alpine 3.20", or "npm::<any name>"... */
  source: string;
  /** For Debian, the source package: glibc, not libc6. */
  package: string;
  severity: "UNKNOWN" | "LOW" | "MEDIUM" | "HIGH" | "CRITICAL";
  /** OS packages: versions below it are affected; none: every version, no fix yet. */
  fixedVersion?: string;
  /** Language packages (source "npm::...", "pip::..."): the affected ranges, e.g. ["<1.3.0"]. */
  vulnerableVersions?: string[];
  patchedVersions?: string[];
  title?: string;
}

/** The pinned Trivy (scripts/tools.json); a test fails with the install command when it is missing. */
export function trivyPath(): string {
  return toolPath("trivy");
}

/**
 * Writes a Trivy cache folder under `dir` holding a database of exactly `advisories` and returns
 * it: pass it to trivy (or `image scan`) as --cache-dir. The database reads as freshly
 * downloaded, so Trivy uses it without trying to update it.
 */
export function buildTestVulnDb(dir: string, advisories: TestAdvisory[]): string {
  const cacheDir = join(dir, "trivy-cache");
  execFileSync(toolPath("trivy-test-db"), ["--cache-dir", cacheDir], {
    input: JSON.stringify(advisories),
    stdio: ["pipe", "inherit", "inherit"],
  });
  return cacheDir;
}
