/**
 * The one stack of the chart repository. Everything it needs is created here or given as a
 * setting: no lookups, no Fn::ImportValue, no other stack.
 */
import { CfnOutput, DefaultStackSynthesizer, Stack, type StackProps } from "aws-cdk-lib";
import type { Construct } from "constructs";
import { WriteAuditTrail } from "./audit-trail.js";
import { ChartDistribution } from "./distribution.js";
import { aliasRecords, chartCertificate, importHostedZone } from "./domain.js";
import { GitHubRoles } from "./github-roles.js";
import { acknowledgeNagFindings, type NagAcknowledgement } from "./nag.js";
import { OUTPUT_KEYS, STACK_NAME } from "./names.js";
import type { ChartRepositorySettings } from "./settings.js";
import { ChartBucket } from "./storage.js";

export interface ChartRepositoryStackProps extends Omit<StackProps, "env" | "stackName"> {
  readonly settings: ChartRepositorySettings;
}

export class ChartRepositoryStack extends Stack {
  readonly chartBucket: ChartBucket;
  readonly chartDistribution: ChartDistribution;
  readonly roles: GitHubRoles;
  readonly auditTrail: WriteAuditTrail;
  /** What cdk-nag is told to accept here, with the reasons. */
  readonly nagAcknowledgements: readonly NagAcknowledgement[];

  constructor(scope: Construct, id: string, props: ChartRepositoryStackProps) {
    const { settings, ...rest } = props;
    super(scope, id, {
      ...rest,
      stackName: STACK_NAME,
      // Explicit: synth then needs no credentials, and the certificate is where CloudFront reads it.
      env: { account: settings.account, region: settings.region },
      // Deleting the stack would take the distribution, DNS and roles with it: a maintainer must
      // turn this off on purpose first.
      terminationProtection: true,
      // The deploy reads the deployed template through the deploy role, so the deployer needs
      // no lookup role (the stack looks nothing up).
      synthesizer: new DefaultStackSynthesizer({ useLookupRoleForStackOperations: false }),
      description: `Helm chart repository https://${settings.domainName}: S3, CloudFront, DNS, GitHub OIDC roles`,
    });

    const zone = importHostedZone(this, settings);
    const certificate = chartCertificate(this, settings, zone);
    this.chartBucket = new ChartBucket(this, "Charts");
    this.chartDistribution = new ChartDistribution(this, "Cdn", {
      bucket: this.chartBucket.bucket,
      domainName: settings.domainName,
      certificate,
    });
    const distribution = this.chartDistribution.distribution;
    aliasRecords(this, settings, zone, distribution);
    this.roles = new GitHubRoles(this, "GitHub", {
      settings,
      bucket: this.chartBucket.bucket,
      distribution,
    });

    this.auditTrail = new WriteAuditTrail(this, "Audit", { audited: this.chartBucket.bucket });

    const output = (key: string, value: string, description: string) =>
      new CfnOutput(this, key, { value, description });
    output(OUTPUT_KEYS.bucketName, this.chartBucket.bucket.bucketName, "bucket `chart publish` writes to");
    output(OUTPUT_KEYS.distributionId, distribution.distributionId, "distribution to invalidate");
    output(OUTPUT_KEYS.distributionDomainName, distribution.distributionDomainName, "CloudFront domain");
    output(OUTPUT_KEYS.repositoryUrl, `https://${settings.domainName}`, "URL for `helm repo add`");
    output(OUTPUT_KEYS.publisherRoleArn, this.roles.publisher.roleArn, "role of the release workflow");
    output(OUTPUT_KEYS.deployerRoleArn, this.roles.deployer.roleArn, "role of deploy-infrastructure.yml");

    this.nagAcknowledgements = acknowledgeNagFindings({
      bucket: this.chartBucket.bucket,
      auditLogBucket: this.auditTrail.logBucket,
      distribution,
      publisher: this.roles.publisher,
    });
  }
}
