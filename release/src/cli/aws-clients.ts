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
}

/** Throttling and 5xx are retried by the SDK's standard strategy, with backoff and jitter. */
const MAX_ATTEMPTS = 6;

/**
 * A store that stops answering must not hang a release job: each attempt gives up after these,
 * and the SDK retries it like any other transient failure.
 */
const REQUEST_HANDLER = { connectionTimeout: 10_000, requestTimeout: 60_000 };

export function s3Client(options: S3ClientOptions): S3Client {
  return new S3Client({
    maxAttempts: MAX_ATTEMPTS,
    retryMode: "standard",
    requestHandler: REQUEST_HANDLER,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.pathStyle === true ? { forcePathStyle: true } : {}),
  });
}

export function cloudFrontClient(): CloudFrontClient {
  // CloudFront's API lives in us-east-1 whatever the bucket's region.
  return new CloudFrontClient({
    maxAttempts: MAX_ATTEMPTS,
    retryMode: "standard",
    requestHandler: REQUEST_HANDLER,
    region: "us-east-1",
  });
}
