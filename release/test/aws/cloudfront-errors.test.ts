import { describe, expect, it } from "vitest";
import { invalidationWaitTimedOut } from "../../src/aws/cloudfront-errors.js";
import { CloudFrontCdn } from "../../src/cdn/cloudfront.js";
import { isReleaseError } from "../../src/errors.js";

function serviceError(name: string, status: number): Error {
  return Object.assign(new Error(`${name} from the service`), {
    name,
    $metadata: { httpStatusCode: status },
  });
}

/** A CloudFront client whose every request fails with `error`. */
function failingCdn(error: Error): CloudFrontCdn {
  const client = { send: async () => Promise.reject(error) };
  return new CloudFrontCdn(client as never, "E2ABCDEF123456");
}

describe("CloudFront failures", () => {
  it("are CDN_FAILED, naming the distribution and the fix", async () => {
    const cases: [Error, string][] = [
      [
        serviceError("AccessDenied", 403),
        "lack cloudfront:CreateInvalidation on distribution E2ABCDEF123456",
      ],
      [serviceError("NoSuchDistribution", 404), "no such distribution: check the id in --cdn"],
      [serviceError("TooManyInvalidationsInProgress", 400), "wait and run the same command again"],
    ];
    for (const [error, fix] of cases) {
      const failure = await failingCdn(error)
        .invalidate(["/*"], "ref")
        .catch((caught: unknown) => caught);
      expect(isReleaseError(failure, "CDN_FAILED")).toBe(true);
      if (!isReleaseError(failure)) continue;
      expect(failure.file).toBe("cloudfront:E2ABCDEF123456");
      expect(failure.message).toBe(`cannot create an invalidation: ${error.name}: ${error.message}`);
      expect(failure.fix).toContain(fix);
    }
  });

  it("in the check before publishing say that nothing was written; NoSuchInvalidation passes it", async () => {
    const failure = await failingCdn(serviceError("AccessDenied", 403))
      .preflight()
      .catch((caught: unknown) => caught);
    expect(isReleaseError(failure, "CDN_FAILED")).toBe(true);
    expect(String((failure as Error).message)).toContain("nothing was written");
    await expect(failingCdn(serviceError("NoSuchInvalidation", 404)).preflight()).resolves.toBeUndefined();
  });

  it("include a wait that ran out of time, which says the publish itself is done", () => {
    const failure = invalidationWaitTimedOut("I2ABC", "cloudfront:E2ABCDEF123456", 90_000);
    expect(failure.code).toBe("CDN_FAILED");
    expect(failure.message).toBe("invalidation I2ABC did not complete within 90 s");
    expect(failure.fix).toContain("the publish itself is done");
  });
});
