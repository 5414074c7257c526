/**
 * Reading an AWS SDK error, whichever service threw it: its name, its HTTP status, whether it
 * ran out of time, whether the credentials are the problem. The per-service mappings to a
 * ReleaseError (s3-errors.ts, cloudfront-errors.ts) are built on these.
 */

export interface AwsError {
  name?: string;
  Code?: string;
  /** Node's error code, e.g. ETIMEDOUT on the SDK's timeout errors. */
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

const CREDENTIAL_ERRORS = new Set([
  "CredentialsProviderError",
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "ExpiredToken",
  "ExpiredTokenException",
  "InvalidToken",
  "TokenRefreshRequired",
]);

export function statusOf(error: unknown): number | undefined {
  return (error as AwsError | undefined)?.$metadata?.httpStatusCode;
}

export function nameOf(error: unknown): string {
  const aws = error as AwsError | undefined;
  return aws?.name ?? aws?.Code ?? "Error";
}

/** True when the SDK found no usable credentials, or the service refused the ones it sent. */
export function isCredentialError(error: unknown): boolean {
  return CREDENTIAL_ERRORS.has(nameOf(error));
}

/**
 * True when an attempt ran out of time (no connection, no answer or a stalled body within the
 * --request-timeout the client was built with), every retry included.
 */
export function isTimeout(error: unknown): boolean {
  return nameOf(error) === "TimeoutError" || (error as AwsError | undefined)?.code === "ETIMEDOUT";
}
