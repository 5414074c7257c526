import { describe, expect, it } from "vitest";
import { isTimeout } from "../../src/aws/errors.js";
import { isLostRace, isMissing, s3Failure } from "../../src/aws/s3-errors.js";

const URL = "s3://charts-bucket/index.yaml";

/** An error as the SDK throws it for an S3 error response. */
function serviceError(name: string, status: number, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

/** The errors @smithy/node-http-handler rejects with when a timeout of the request handler runs out. */
const REQUEST_TIMEOUT = Object.assign(
  new Error(
    "@smithy/node-http-handler - [ERROR] a request has exceeded the configured 60000 ms requestTimeout.",
  ),
  { name: "TimeoutError", code: "ETIMEDOUT", $metadata: { attempts: 3 } },
);
const SOCKET_TIMEOUT = Object.assign(
  new Error("@smithy/node-http-handler - the request socket timed out after 60000 ms of inactivity"),
  { name: "TimeoutError" },
);
const CONNECT_TIMEOUT = Object.assign(new Error("connect ETIMEDOUT 10.0.0.1:443"), { code: "ETIMEDOUT" });

describe("s3Failure", () => {
  it("names --request-timeout of chart publish and repo reindex when every attempt timed out", () => {
    for (const error of [REQUEST_TIMEOUT, SOCKET_TIMEOUT, CONNECT_TIMEOUT]) {
      const failure = s3Failure("read", URL, "s3:GetObject", error);
      expect(failure.code).toBe("STORAGE_FAILED");
      expect(failure.file).toBe(URL);
      expect(failure.fix).toContain("--request-timeout <duration>");
      expect(failure.fix).toContain("chart publish");
      expect(failure.fix).toContain("repo reindex");
      expect(failure.cause).toBe(error);
    }
  });

  it("keeps the SDK's message, so that the timeout that ran out is named", () => {
    const failure = s3Failure("read", URL, "s3:GetObject", REQUEST_TIMEOUT);
    expect(failure.message).toBe(
      "cannot read: TimeoutError: @smithy/node-http-handler - [ERROR] a request has exceeded the configured 60000 ms requestTimeout.",
    );
  });

  it("does not suggest a longer timeout for other failures", () => {
    const cases: Array<[unknown, string]> = [
      [serviceError("AccessDenied", 403), "lack s3:GetObject"],
      [serviceError("NoSuchBucket", 404), "bucket does not exist"],
      [serviceError("InvalidAccessKeyId", 403), "lack s3:GetObject"],
      [serviceError("ExpiredToken", 400), "no valid AWS credentials"],
      [serviceError("PermanentRedirect", 301), "another region"],
      [serviceError("InternalError", 500), "already retried"],
      [new Error("socket hang up"), "already retried"],
    ];
    for (const [error, fix] of cases) {
      const failure = s3Failure("read", URL, "s3:GetObject", error);
      expect(failure.fix).toContain(fix);
      expect(failure.fix).not.toContain("--request-timeout");
    }
  });
});

describe("error classification", () => {
  it("isTimeout: the SDK's TimeoutError and ETIMEDOUT, nothing else", () => {
    expect([REQUEST_TIMEOUT, SOCKET_TIMEOUT, CONNECT_TIMEOUT].map(isTimeout)).toEqual([true, true, true]);
    expect(isTimeout(serviceError("RequestTimeTooSkewed", 403))).toBe(false);
    expect(isTimeout(new Error("timeout"))).toBe(false);
    expect(isTimeout(undefined)).toBe(false);
  });

  it("isMissing: NoSuchKey, NotFound and a bare 404, but not a missing bucket", () => {
    expect(isMissing(serviceError("NoSuchKey", 404))).toBe(true);
    expect(isMissing(serviceError("NotFound", 404))).toBe(true);
    expect(isMissing(serviceError("UnknownError", 404))).toBe(true);
    expect(isMissing(serviceError("NoSuchBucket", 404))).toBe(false);
    expect(isMissing(REQUEST_TIMEOUT)).toBe(false);
  });

  it("isLostRace: 412 and 409 ConditionalRequestConflict, not other conflicts", () => {
    expect(isLostRace(serviceError("PreconditionFailed", 412))).toBe(true);
    expect(isLostRace(serviceError("ConditionalRequestConflict", 409))).toBe(true);
    expect(isLostRace(serviceError("OperationAborted", 409))).toBe(false);
    expect(isLostRace(REQUEST_TIMEOUT)).toBe(false);
  });
});
