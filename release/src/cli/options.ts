/** Parsing and checking of option values shared by several commands. */
import type { Command } from "commander";
import { ReleaseError } from "../errors.js";
import { REQUEST_TIMEOUT_SECONDS } from "../policy/repository-policy.js";
import { parseDuration } from "./duration.js";

/** Options of the commands that reach an S3 repository. */
export interface S3Flags {
  endpoint?: string;
  region?: string;
  pathStyle?: boolean;
  /** --request-timeout; commander fills in DEFAULT_REQUEST_TIMEOUT, so only direct callers omit it. */
  requestTimeout?: string;
}

/** The repository policy's request timeout, as the flag's default shows it. */
export const DEFAULT_REQUEST_TIMEOUT = `${REQUEST_TIMEOUT_SECONDS}s`;

export function addS3Options(command: Command): Command {
  return command
    .option("--endpoint <url>", "S3 endpoint for S3-compatible stores (default: AWS, or AWS_ENDPOINT_URL_S3)")
    .option("--region <region>", "bucket region (default: the AWS chain, e.g. AWS_REGION)")
    .option("--path-style", "address the bucket in the path (S3-compatible stores)")
    .option(
      "--request-timeout <duration>",
      "abandon an S3 or CloudFront request attempt that gets no answer (or stalls) for this long; it is retried like a 5xx",
      DEFAULT_REQUEST_TIMEOUT,
    );
}

/** The --request-timeout of an S3 command, in milliseconds. */
export function requestTimeoutMs(flags: S3Flags): number {
  const ms = parseDuration(flags.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT, "--request-timeout");
  // 0 would switch the SDK's timeouts off: exactly the hang this option exists to prevent.
  if (ms <= 0) {
    throw new ReleaseError("USAGE", "the request timeout must be more than 0", {
      field: "--request-timeout",
      fix: `give e.g. ${DEFAULT_REQUEST_TIMEOUT}`,
    });
  }
  return ms;
}

/**
 * An absolute http(s) URL given to `option` (--url, --endpoint): no query or fragment. `example`
 * goes into the fix, so that the message fits the option.
 */
export function repositoryUrl(value: string, option: string, example = "https://charts.kube9.io"): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw new ReleaseError("USAGE", `${JSON.stringify(value)} has no http:// or https:// scheme`, {
      field: option,
      fix: `write the whole URL, e.g. ${example}`,
    });
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ReleaseError("USAGE", `${JSON.stringify(value)} is not a URL`, {
      field: option,
      fix: `give an absolute URL such as ${example}`,
    });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ReleaseError("USAGE", `${value} is not an http(s) URL`, {
      field: option,
      fix: `give an http:// or https:// URL such as ${example}`,
    });
  }
  if (url.search !== "" || url.hash !== "" || url.username !== "" || url.password !== "") {
    throw new ReleaseError("USAGE", `${value} carries a query, fragment or credentials`, {
      field: option,
      fix: "give the plain base URL of the repository",
    });
  }
  return value.replace(/\/+$/, "");
}

export function portNumber(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ReleaseError("USAGE", `${JSON.stringify(value)} is not a port number`, {
      field: "--port",
      fix: "give 0-65535 (0 picks a free port)",
    });
  }
  return port;
}
