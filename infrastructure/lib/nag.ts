/**
 * cdk-nag: the AwsSolutions rules run on every synth (a finding fails it), and the few findings
 * this stack accepts on purpose, each acknowledged on the one construct it concerns with the
 * reason next to it. The list is exported so tests and the docs can show exactly what is waived.
 */
import { type App, type CfnResource, Stack, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import type { IConstruct } from "constructs";
import { REPOSITORY_OBJECTS } from "./repository-objects.js";

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
  readonly auditLogBucket: IConstruct;
  readonly distribution: IConstruct;
  readonly publisher: IConstruct;
}

/** cdk-nag names a wildcard resource by the logical id of what the ARN refers to. */
function arnOf(construct: IConstruct): string {
  const resource = construct.node.defaultChild as CfnResource;
  const stack = Stack.of(construct);
  return `<${stack.resolve(stack.getLogicalId(resource))}.Arn>`;
}

/** The publisher's write patterns that hold a wildcard (the repository's key patterns), each acknowledged on its own. */
const WILDCARD_WRITE_PATTERNS = REPOSITORY_OBJECTS.map((o) => o.pattern).filter((pattern) =>
  pattern.includes("*"),
);

export function nagAcknowledgements(c: AcknowledgedConstructs): NagAcknowledgement[] {
  return [
    {
      on: c.bucket,
      id: "AwsSolutions-S1",
      reason:
        "Writes are what needs auditing, and the stack's CloudTrail trail records every object write " +
        "(data events: who, when, which key) into its own bucket; reads are anonymous public downloads " +
        "through CloudFront (OAC), so server access logs would add only those.",
    },
    {
      on: c.auditLogBucket,
      id: "AwsSolutions-S1",
      reason:
        "This bucket holds the CloudTrail log files of the chart bucket's writes; only CloudTrail writes " +
        "it, log file validation detects any change, and access logs of it would need yet another bucket.",
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
        "Each release reads archives whose names are new, so the publisher reads the keys of this one " +
        "bucket (GetObject only); it writes only *.tgz, *.prov, the public key, index.yaml and artifacthub-repo.yml, and the bucket policy " +
        "makes those writes create-only or compare-and-swap.",
    },
    ...WILDCARD_WRITE_PATTERNS.map((pattern) => ({
      on: c.publisher,
      id: `AwsSolutions-IAM5[Resource::${arnOf(c.bucket)}/${pattern}]`,
      reason:
        `${pattern}: the keys of one kind of repository object in this bucket (new archive names every ` +
        "release; index.yaml, artifacthub-repo.yml and the public key of a repository under a prefix); PutObject or GetObjectVersion only, and " +
        "the bucket policy decides how each kind may be written.",
    })),
  ];
}

export function acknowledgeNagFindings(c: AcknowledgedConstructs): NagAcknowledgement[] {
  const list = nagAcknowledgements(c);
  for (const { on, id, reason } of list) Validations.of(on).acknowledge({ id, reason });
  return list;
}
