/**
 * Step 7 of the publish pipeline (docs/architecture.md): make caches in front of the repository
 * drop what they hold. One interface, one implementation per CDN; "none" is simply no CDN.
 */
import { ReleaseError } from "../errors.js";

export interface Invalidation {
  id: string;
  paths: string[];
}

export interface Cdn {
  /** For messages: `cloudfront:<distribution id>`. */
  readonly description: string;
  /**
   * Checks, before anything is written, that the CDN answers and knows the distribution with
   * these credentials: a publish whose invalidation would fail stops with the repository as it was.
   */
  preflight(): Promise<void>;
  /** `reference` must be unique per request (CloudFront's CallerReference). */
  invalidate(paths: string[], reference: string): Promise<Invalidation>;
  /** Resolves when the invalidation is complete; throws after `timeoutMs`. */
  waitForCompletion(id: string, timeoutMs: number): Promise<void>;
}

export function parseInvalidationPaths(value: string): string[] {
  const paths = value
    .split(",")
    .map((path) => path.trim())
    .filter((path) => path !== "");
  const bad = paths.find((path) => !path.startsWith("/"));
  if (paths.length === 0 || bad !== undefined) {
    throw new ReleaseError("USAGE", `invalid invalidation paths ${JSON.stringify(value)}`, {
      field: "--invalidate-paths",
      fix: "give comma-separated paths starting with /, e.g. /index.yaml or /*",
    });
  }
  return paths;
}
