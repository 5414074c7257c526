/**
 * AWS SDK clients as the CLI builds them. Credentials and region come from the standard chain
 * (environment, shared profiles, web identity for GitHub OIDC); AWS_ENDPOINT_URL_S3 and
 * AWS_ENDPOINT_URL_CLOUDFRONT (or --endpoint) point them at S3-compatible stores and stand-ins.
 */
import { CloudFrontClient } from "@aws-sdk/client-cloudfront";
import { S3Client } from "@aws-sdk/client-s3";

export interface S3ClientOptions {
  endpoint?: string;
  region?: string;
  pathStyle?: boolean;
  /** Per-attempt limit of one request (--request-timeout), see requestHandler(). */
  requestTimeoutMs: number;
}

/** Throttling and 5xx are retried by the SDK's standard strategy, with backoff and jitter. */
const MAX_ATTEMPTS = 6;

const CONNECTION_TIMEOUT_MS = 10_000;

/**
 * A store that stops answering must not hang a release job: each attempt gives up after the
 * timeout with a TimeoutError, which the SDK retries like any other transient failure.
 * - requestTimeout bounds sending the request and waiting for the response headers; the SDK only
 *   logs a warning when it runs out unless throwOnRequestTimeout is set (without it, an endpoint
 *   that accepts the connection and never answers hangs the publish forever).
 * - socketTimeout bounds a silence on the socket, which is what a response body that stops
 *   half-way looks like once the headers have arrived (requestTimeout no longer runs then).
 */
function requestHandler(requestTimeoutMs: number) {
  return {
    connectionTimeout: Math.min(CONNECTION_TIMEOUT_MS, requestTimeoutMs),
    requestTimeout: requestTimeoutMs,
    throwOnRequestTimeout: true,
    socketTimeout: requestTimeoutMs,
  };
}

export function s3Client(options: S3ClientOptions): S3Client {
  return new S3Client({
    maxAttempts: MAX_ATTEMPTS,
    retryMode: "standard",
    requestHandler: requestHandler(options.requestTimeoutMs),
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.pathStyle === true ? { forcePathStyle: true } : {}),
  });
}

export function cloudFrontClient(options: { requestTimeoutMs: number }): CloudFrontClient {
  // CloudFront's API lives in us-east-1 whatever the bucket's region.
  return new CloudFrontClient({
    maxAttempts: MAX_ATTEMPTS,
    retryMode: "standard",
    requestHandler: requestHandler(options.requestTimeoutMs),
    region: "us-east-1",
  });
}
