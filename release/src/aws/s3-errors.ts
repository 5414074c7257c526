/**
 * What an S3 failure means for the publisher. Lost races become PRECONDITION_FAILED (the
 * pipeline re-reads and merges); everything else stops with the permission or setting to fix.
 * Throttling and 5xx never reach here: the SDK's standard retry strategy retries them with backoff.
 */
import { ReleaseError } from "../errors.js";
import { type AwsError, isCredentialError, isTimeout, nameOf, statusOf } from "./errors.js";

/** True when S3 says the object is absent (GET of a missing key). */
export function isMissing(error: unknown): boolean {
  const name = nameOf(error);
  return name === "NoSuchKey" || name === "NotFound" || (statusOf(error) === 404 && name !== "NoSuchBucket");
}

/** True when a conditional write lost: 412 PreconditionFailed, or 409 ConditionalRequestConflict. */
export function isLostRace(error: unknown): boolean {
  const status = statusOf(error);
  const name = nameOf(error);
  return (
    status === 412 ||
    name === "PreconditionFailed" ||
    (status === 409 && name === "ConditionalRequestConflict")
  );
}

export function s3Failure(
  action: string,
  objectUrl: string,
  permission: string,
  error: unknown,
): ReleaseError {
  const name = nameOf(error);
  const status = statusOf(error);
  const detail = `${name}${status === undefined ? "" : ` (HTTP ${status})`}: ${(error as AwsError | undefined)?.message ?? String(error)}`;
  let fix: string;
  if (name === "AccessDenied" || name === "Forbidden" || status === 403) {
    fix = `the credentials in use lack ${permission} on this object; grant it to the publisher role (infrastructure/ defines it)`;
  } else if (name === "NoSuchBucket") {
    fix =
      "the bucket does not exist: check the bucket name in --repo (the infrastructure stack outputs it) and the region";
  } else if (isCredentialError(error)) {
    fix =
      "no valid AWS credentials: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or a web identity role (GitHub OIDC)";
  } else if (name === "PermanentRedirect" || name === "AuthorizationHeaderMalformed") {
    fix = "the bucket is in another region: set AWS_REGION (or --region) to the bucket's region";
  } else if (isTimeout(error)) {
    fix =
      "every attempt ran out of time: check that the endpoint is reachable, or give chart publish / repo reindex a longer --request-timeout <duration> (e.g. --request-timeout 5m)";
  } else {
    fix =
      "the SDK already retried throttling and server errors; check the endpoint and run the same command again";
  }
  return new ReleaseError("STORAGE_FAILED", `cannot ${action}: ${detail}`, {
    file: objectUrl,
    fix,
    cause: error,
  });
}
