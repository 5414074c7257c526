/** CloudFront invalidations through the AWS SDK (CreateInvalidation, GetInvalidation). */
import {
  type CloudFrontClient,
  CreateInvalidationCommand,
  GetInvalidationCommand,
  waitUntilInvalidationCompleted,
} from "@aws-sdk/client-cloudfront";
import { ReleaseError } from "../errors.js";
import { nameOf, statusOf } from "../storage/s3-errors.js";
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
      if (nameOf(error) === "NoSuchInvalidation") return;
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
        throw new ReleaseError(
          "STORAGE_FAILED",
          `invalidation ${id} did not complete within ${Math.round(timeoutMs / 1000)} s`,
          {
            file: this.description,
            fix: "the publish itself is done; the CDN will serve the new index when the invalidation completes (or after index.yaml's max-age)",
          },
        );
      }
      throw this.failure(`wait for invalidation ${id}`, "cloudfront:GetInvalidation", error);
    }
  }

  private failure(action: string, permission: string, error: unknown): ReleaseError {
    const name = nameOf(error);
    const fix =
      name === "AccessDenied" || statusOf(error) === 403
        ? `the credentials in use lack ${permission} on distribution ${this.distributionId}`
        : name === "NoSuchDistribution"
          ? "no such distribution: check the id in --cdn (the infrastructure stack outputs it)"
          : name === "TooManyInvalidationsInProgress"
            ? "CloudFront allows only a few wildcard invalidations in progress; wait and run the same command again"
            : "check the CloudFront endpoint and credentials, then run the same command again";
    return new ReleaseError(
      "STORAGE_FAILED",
      `cannot ${action}: ${name}: ${error instanceof Error ? error.message : String(error)}`,
      {
        file: this.description,
        fix,
        cause: error,
      },
    );
  }
}
