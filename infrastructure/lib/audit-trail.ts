/**
 * Who wrote what into the chart bucket. Object writes are CloudTrail data events, which the
 * account's default event history does not keep; this trail records them (writes only, no
 * management events, this region only) into a bucket of its own.
 */
import { Duration, RemovalPolicy } from "aws-cdk-lib";
import * as cloudtrail from "aws-cdk-lib/aws-cloudtrail";
import * as s3 from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";

export interface WriteAuditTrailProps {
  /** The bucket whose object writes (PutObject, CopyObject, DeleteObject...) are recorded. */
  readonly audited: s3.IBucket;
  /**
   * Days a log file is kept.
   * @default 400 (a year and a bit, so a yearly review still finds last year's writes)
   */
  readonly retentionDays?: number;
}

export class WriteAuditTrail extends Construct {
  readonly logBucket: s3.Bucket;
  readonly trail: cloudtrail.Trail;

  constructor(scope: Construct, id: string, props: WriteAuditTrailProps) {
    super(scope, id);
    const days = props.retentionDays ?? 400;
    if (!Number.isInteger(days) || days < 1) {
      throw new Error(`WriteAuditTrail retentionDays must be a whole number of days >= 1, got ${days}`);
    }
    this.logBucket = new s3.Bucket(this, "Logs", {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: "expire-audit-logs", expiration: Duration.days(days) }],
      // The record of who wrote the charts outlives the stack, like the charts themselves.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.trail = new cloudtrail.Trail(this, "Trail", {
      bucket: this.logBucket,
      isMultiRegionTrail: false,
      includeGlobalServiceEvents: false,
      // Data events only: management events are already in the free event history.
      managementEvents: cloudtrail.ReadWriteType.NONE,
      enableFileValidation: true,
      sendToCloudWatchLogs: false,
    });
    this.trail.addS3EventSelector([{ bucket: props.audited }], {
      readWriteType: cloudtrail.ReadWriteType.WRITE_ONLY,
      includeManagementEvents: false,
    });
  }
}
