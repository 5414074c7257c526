/**
 * cdk-nag: the AwsSolutions rules run on every synth (a finding fails it), and the few findings
 * this stack accepts on purpose, each acknowledged on the one construct it concerns with the
 * reason next to it. The list is exported so tests and the docs can show exactly what is waived.
 */
import { type App, type CfnResource, Stack, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import type { IConstruct } from "constructs";
import { bootstrapRoleArnPattern } from "./names.js";

export function addNagChecks(app: App): AwsSolutionsChecks {
  const checks = new AwsSolutionsChecks(app);
  Validations.of(app).addPlugins(checks);
  return checks;
}

export interface NagAcknowledgement {
  readonly on: IConstruct;
  readonly id: string;
  readonly reason: string;
}

export interface AcknowledgedConstructs {
  readonly bucket: IConstruct;
  readonly distribution: IConstruct;
  readonly publisher: IConstruct;
  readonly deployer: IConstruct;
  readonly account: string;
}

/** cdk-nag names a wildcard resource by the logical id of what the ARN refers to. */
function arnOf(construct: IConstruct): string {
  const resource = construct.node.defaultChild as CfnResource;
  const stack = Stack.of(construct);
  return `<${stack.resolve(stack.getLogicalId(resource))}.Arn>`;
}

export function nagAcknowledgements(c: AcknowledgedConstructs): NagAcknowledgement[] {
  return [
    {
      on: c.bucket,
      id: "AwsSolutions-S1",
      reason:
        "Only CloudFront (OAC) reads the bucket and only the publisher role writes it; every write is a " +
        "new object version and CloudTrail records the role sessions. A log bucket would need logs of " +
        "its own and would hold nothing a maintainer reads for a public chart repository.",
    },
    {
      on: c.distribution,
      id: "AwsSolutions-CFR3",
      reason:
        "Anonymous reads of public charts: no accounts or private data to audit. Standard logs need an " +
        "ACL-enabled bucket, against BucketOwnerEnforced; CloudFront's default metrics show request " +
        "and error rates, which is what operating the repository needs.",
    },
    {
      on: c.distribution,
      id: "AwsSolutions-CFR1",
      reason: "Open-source charts for users in every country: there is no region to exclude.",
    },
    {
      on: c.distribution,
      id: "AwsSolutions-CFR2",
      reason:
        "Static GET/HEAD of public files from S3, no forms or dynamic origin for WAF rules to guard; " +
        "Shield Standard (always on) covers floods, and a web ACL would cost more than the repository.",
    },
    {
      on: c.publisher,
      id: `AwsSolutions-IAM5[Resource::${arnOf(c.bucket)}/*]`,
      reason:
        "Each release writes archives whose names are new, so the publisher needs the keys of this one " +
        "bucket; only Get/PutObject, and index.yaml writes must also be conditional (bucket policy).",
    },
    {
      on: c.deployer,
      id: `AwsSolutions-IAM5[Resource::${bootstrapRoleArnPattern(c.account)}]`,
      reason:
        "The wildcard is the role kind of the CDK bootstrap roles (deploy, file-publishing, " +
        "image-publishing, lookup) of this account and region with the default qualifier; the CDK " +
        "CLI assumes them and they hold the deploy permissions, this role holds none.",
    },
  ];
}

export function acknowledgeNagFindings(c: AcknowledgedConstructs): NagAcknowledgement[] {
  const list = nagAcknowledgements(c);
  for (const { on, id, reason } of list) Validations.of(on).acknowledge({ id, reason });
  return list;
}
