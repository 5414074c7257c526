/**
 * What a CloudFront failure means for the publisher: CDN_FAILED with the permission or the
 * setting to fix. Throttling and 5xx never reach here: the SDK's standard retry strategy retries
 * them with backoff.
 */
import { ReleaseError } from "../errors.js";
import { nameOf, statusOf } from "./errors.js";

/** True when GetInvalidation says there is no invalidation with that id. */
export function isNoSuchInvalidation(error: unknown): boolean {
  return nameOf(error) === "NoSuchInvalidation";
}

/** `cdn` is how --cdn named the distribution (`cloudfront:<id>`), the "file" of the error. */
export function cloudFrontFailure(
  action: string,
  cdn: string,
  distributionId: string,
  permission: string,
  error: unknown,
): ReleaseError {
  const name = nameOf(error);
  const fix =
    name === "AccessDenied" || statusOf(error) === 403
      ? `the credentials in use lack ${permission} on distribution ${distributionId}`
      : name === "NoSuchDistribution"
        ? "no such distribution: check the id in --cdn (the infrastructure stack outputs it)"
        : name === "TooManyInvalidationsInProgress"
          ? "CloudFront allows only a few wildcard invalidations in progress; wait and run the same command again"
          : "check the CloudFront endpoint and credentials, then run the same command again";
  return new ReleaseError(
    "CDN_FAILED",
    `cannot ${action}: ${name}: ${error instanceof Error ? error.message : String(error)}`,
    {
      file: cdn,
      fix,
      cause: error,
    },
  );
}

/** The SDK's waiter gave up: the invalidation may still complete; the publish is done. */
export function invalidationWaitTimedOut(id: string, cdn: string, timeoutMs: number): ReleaseError {
  return new ReleaseError(
    "CDN_FAILED",
    `invalidation ${id} did not complete within ${Math.round(timeoutMs / 1000)} s`,
    {
      file: cdn,
      fix: "the publish itself is done; the CDN will serve the new index when the invalidation completes (or after index.yaml's max-age)",
    },
  );
}
