/** CloudFront invalidations through the AWS SDK (CreateInvalidation, GetInvalidation). */
import {
  type CloudFrontClient,
  CreateInvalidationCommand,
  GetInvalidationCommand,
  waitUntilInvalidationCompleted,
} from "@aws-sdk/client-cloudfront";
import {
  cloudFrontFailure,
  invalidationWaitTimedOut,
  isNoSuchInvalidation,
} from "../aws/cloudfront-errors.js";
import type { ReleaseError } from "../errors.js";
import type { Cdn, Invalidation } from "./cdn.js";

export class CloudFrontCdn implements Cdn {
  readonly description: string;

  constructor(
    private readonly client: CloudFrontClient,
    private readonly distributionId: string,
  ) {
    this.description = `cloudfront:${distributionId}`;
  }

  /**
   * GetInvalidation of an id that cannot exist: NoSuchInvalidation proves the endpoint answers,
   * the distribution exists and the credentials may read its invalidations, with no permission
   * beyond the ones a publish needs anyway.
   */
  async preflight(): Promise<void> {
    try {
      await this.client.send(
        new GetInvalidationCommand({ DistributionId: this.distributionId, Id: "KUBE9PREFLIGHT" }),
      );
    } catch (error) {
      if (isNoSuchInvalidation(error)) return;
      throw this.failure(
        "reach the distribution (checked before publishing; nothing was written)",
        "cloudfront:GetInvalidation",
        error,
      );
    }
  }

  async invalidate(paths: string[], reference: string): Promise<Invalidation> {
    try {
      const response = await this.client.send(
        new CreateInvalidationCommand({
          DistributionId: this.distributionId,
          InvalidationBatch: { CallerReference: reference, Paths: { Quantity: paths.length, Items: paths } },
        }),
      );
      const id = response.Invalidation?.Id;
      if (id === undefined) throw new Error("CreateInvalidation answered without an invalidation id");
      return { id, paths };
    } catch (error) {
      throw this.failure("create an invalidation", "cloudfront:CreateInvalidation", error);
    }
  }

  async waitForCompletion(id: string, timeoutMs: number): Promise<void> {
    try {
      await waitUntilInvalidationCompleted(
        {
          client: this.client,
          maxWaitTime: Math.max(1, Math.ceil(timeoutMs / 1000)),
          minDelay: 1,
          maxDelay: 20,
        },
        { DistributionId: this.distributionId, Id: id },
      );
    } catch (error) {
      if (error instanceof Error && error.name === "TimeoutError") {
        throw invalidationWaitTimedOut(id, this.description, timeoutMs);
      }
      throw this.failure(`wait for invalidation ${id}`, "cloudfront:GetInvalidation", error);
    }
  }

  private failure(action: string, permission: string, error: unknown): ReleaseError {
    return cloudFrontFailure(action, this.description, this.distributionId, permission, error);
  }
}
