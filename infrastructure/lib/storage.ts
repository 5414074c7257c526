/**
 * The bucket that holds index.yaml and the chart archives. Private: only CloudFront (through OAC)
 * reads it and only the publisher role writes it.
 */
import { Duration, RemovalPolicy } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import * as s3 from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import { patternsWritten } from "./repository-objects.js";

export interface ChartBucketProps {
  /**
   * Days an overwritten or deleted object version is kept, so a bad write can be undone.
   * @default 90
   */
  readonly noncurrentVersionDays?: number;
  /**
   * Newest non-current versions kept regardless of age (index.yaml changes on every release).
   * @default 10
   */
  readonly noncurrentVersionsToRetain?: number;
}

export class ChartBucket extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: ChartBucketProps = {}) {
    super(scope, id);
    const days = props.noncurrentVersionDays ?? 90;
    const retain = props.noncurrentVersionsToRetain ?? 10;
    if (!Number.isInteger(days) || days < 1) {
      throw new Error(`ChartBucket noncurrentVersionDays must be a whole number of days >= 1, got ${days}`);
    }
    if (!Number.isInteger(retain) || retain < 1 || retain > 100) {
      throw new Error(`ChartBucket noncurrentVersionsToRetain must be between 1 and 100, got ${retain}`);
    }

    this.bucket = new s3.Bucket(this, "Bucket", {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Versions make every overwrite of index.yaml or an archive reversible.
      versioned: true,
      lifecycleRules: [
        {
          id: "expire-old-noncurrent-versions",
          noncurrentVersionExpiration: Duration.days(days),
          noncurrentVersionsToRetain: retain,
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
      // The charts outlive the stack: deleting the stack must never delete published versions.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Two publishers racing on index.yaml would silently drop one release's entries. S3 refuses
    // a put without If-Match / If-None-Match only if the policy says so; the publisher sends one
    // of them on every index write (docs/infrastructure.md). For every principal, admins included:
    // a rollback writes an earlier index with If-Match too (`repo rollback`). The same rule covers
    // artifacthub-repo.yml, the other object a publish replaces.
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: "RequireConditionalWritesOnIndex",
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ["s3:PutObject"],
        resources: patternsWritten("compare-and-swap").map((key) => this.bucket.arnForObjects(key)),
        conditions: { Null: { "s3:if-match": "true", "s3:if-none-match": "true" } },
      }),
    );
    // A published archive or signature never changes (its digest is in the index): a put must be
    // create-only, so an existing one is never replaced, whoever holds the credentials. This also
    // refuses CopyObject onto those keys (S3 answers a conditional copy with 501).
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: "RequireCreateOnlyWritesOnArchives",
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ["s3:PutObject"],
        resources: patternsWritten("create-only").map((key) => this.bucket.arnForObjects(key)),
        conditions: { Null: { "s3:if-none-match": "true" } },
      }),
    );
  }
}
