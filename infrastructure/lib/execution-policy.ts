/**
 * The policy CloudFormation runs this stack's deploys with: `cdk bootstrap` attaches
 * AdministratorAccess to its execution role unless given another policy, and the deploy role
 * passes that role to every change set. This one allows exactly the actions CloudFormation needs
 * to create, read and update the resource types this template has (from each type's create,
 * read and update handlers), scoped to this account, region, stack and hosted zone where the
 * action allows it. A resource type the table does not know stops the generation, so adding a
 * resource to the stack fails the tests until its actions are reviewed here.
 *
 * Retained resources (the buckets, the OIDC provider) are never deleted by CloudFormation, so
 * their delete actions are left out on purpose.
 */
import { BOOTSTRAP_QUALIFIER, STACK_NAME } from "./names.js";
import { STACK_REGION } from "./settings.js";

export interface ExecutionScope {
  readonly account: string;
  readonly hostedZoneId: string;
}

interface TypeGrant {
  readonly actions: readonly string[];
  readonly resources: (scope: ExecutionScope) => string[];
}

const ANY = () => ["*"];
const roles = (s: ExecutionScope) => [`arn:aws:iam::${s.account}:role/${STACK_NAME}-*`];

/** CloudFormation resource type -> what its handlers call. */
export const EXECUTION_GRANTS: Readonly<Record<string, TypeGrant>> = {
  // CDK's own marker resource: CloudFormation handles it without any call.
  "AWS::CDK::Metadata": { actions: [], resources: ANY },
  "AWS::S3::Bucket": {
    actions: [
      "s3:CreateBucket",
      "s3:ListBucket",
      "s3:GetBucket*",
      "s3:Get*Configuration",
      "s3:PutBucketPublicAccessBlock",
      "s3:PutBucketOwnershipControls",
      "s3:PutBucketVersioning",
      "s3:PutBucketTagging",
      "s3:PutEncryptionConfiguration",
      "s3:PutLifecycleConfiguration",
    ],
    resources: () => [`arn:aws:s3:::${STACK_NAME.toLowerCase()}-*`],
  },
  "AWS::S3::BucketPolicy": {
    actions: ["s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"],
    resources: () => [`arn:aws:s3:::${STACK_NAME.toLowerCase()}-*`],
  },
  "AWS::CloudFront::Distribution": {
    actions: [
      "cloudfront:CreateDistribution",
      "cloudfront:UpdateDistribution",
      "cloudfront:GetDistribution",
      "cloudfront:GetDistributionConfig",
      "cloudfront:DeleteDistribution",
      "cloudfront:TagResource",
      "cloudfront:UntagResource",
      "cloudfront:ListTagsForResource",
      "acm:DescribeCertificate",
      "acm:ListCertificates",
    ],
    resources: ANY,
  },
  "AWS::CloudFront::CachePolicy": {
    actions: [
      "cloudfront:CreateCachePolicy",
      "cloudfront:UpdateCachePolicy",
      "cloudfront:GetCachePolicy",
      "cloudfront:DeleteCachePolicy",
    ],
    resources: ANY,
  },
  "AWS::CloudFront::ResponseHeadersPolicy": {
    actions: [
      "cloudfront:CreateResponseHeadersPolicy",
      "cloudfront:UpdateResponseHeadersPolicy",
      "cloudfront:GetResponseHeadersPolicy",
      "cloudfront:DeleteResponseHeadersPolicy",
    ],
    resources: ANY,
  },
  "AWS::CloudFront::OriginAccessControl": {
    actions: [
      "cloudfront:CreateOriginAccessControl",
      "cloudfront:UpdateOriginAccessControl",
      "cloudfront:GetOriginAccessControl",
      "cloudfront:DeleteOriginAccessControl",
    ],
    resources: ANY,
  },
  "AWS::CertificateManager::Certificate": {
    actions: [
      "acm:RequestCertificate",
      "acm:DescribeCertificate",
      "acm:DeleteCertificate",
      "acm:AddTagsToCertificate",
      "acm:RemoveTagsFromCertificate",
      "acm:ListTagsForCertificate",
    ],
    resources: ANY,
  },
  "AWS::Route53::RecordSet": {
    actions: [
      "route53:ChangeResourceRecordSets",
      "route53:ListResourceRecordSets",
      "route53:GetHostedZone",
      "route53:GetChange",
    ],
    resources: (s) => [`arn:aws:route53:::hostedzone/${s.hostedZoneId}`, "arn:aws:route53:::change/*"],
  },
  "AWS::IAM::OIDCProvider": {
    actions: [
      "iam:CreateOpenIDConnectProvider",
      "iam:GetOpenIDConnectProvider",
      "iam:TagOpenIDConnectProvider",
      "iam:UntagOpenIDConnectProvider",
      "iam:AddClientIDToOpenIDConnectProvider",
      "iam:RemoveClientIDFromOpenIDConnectProvider",
      "iam:UpdateOpenIDConnectProviderThumbprint",
    ],
    resources: (s) => [`arn:aws:iam::${s.account}:oidc-provider/token.actions.githubusercontent.com`],
  },
  "AWS::IAM::Role": {
    actions: [
      "iam:CreateRole",
      "iam:GetRole",
      "iam:DeleteRole",
      "iam:UpdateRole",
      "iam:UpdateRoleDescription",
      "iam:UpdateAssumeRolePolicy",
      "iam:PutRolePolicy",
      "iam:GetRolePolicy",
      "iam:DeleteRolePolicy",
      "iam:ListRolePolicies",
      "iam:ListAttachedRolePolicies",
      "iam:TagRole",
      "iam:UntagRole",
    ],
    resources: roles,
  },
  "AWS::CloudTrail::Trail": {
    actions: [
      "cloudtrail:CreateTrail",
      "cloudtrail:UpdateTrail",
      "cloudtrail:DeleteTrail",
      "cloudtrail:GetTrail",
      "cloudtrail:GetTrailStatus",
      "cloudtrail:DescribeTrails",
      "cloudtrail:StartLogging",
      "cloudtrail:StopLogging",
      "cloudtrail:PutEventSelectors",
      "cloudtrail:GetEventSelectors",
      "cloudtrail:AddTags",
      "cloudtrail:RemoveTags",
      "cloudtrail:ListTags",
    ],
    resources: ANY,
  },
};

export interface PolicyStatementJson {
  Sid: string;
  Effect: "Allow";
  Action: string[];
  Resource: string[];
}

export interface PolicyDocumentJson {
  Version: "2012-10-17";
  Statement: PolicyStatementJson[];
}

export class UnknownResourceTypeError extends Error {
  constructor(readonly types: readonly string[]) {
    super(
      `no execution-policy grant for resource type(s) ${types.join(", ")}: add the actions its CloudFormation ` +
        "handlers need to EXECUTION_GRANTS in infrastructure/lib/execution-policy.ts",
    );
    this.name = "UnknownResourceTypeError";
  }
}

/** The resource types of a synthesized template, sorted, each once. */
export function resourceTypesOf(template: { Resources?: Record<string, { Type: string }> }): string[] {
  return [...new Set(Object.values(template.Resources ?? {}).map((r) => r.Type))].sort();
}

export function executionPolicy(types: readonly string[], scope: ExecutionScope): PolicyDocumentJson {
  const unknown = types.filter((type) => EXECUTION_GRANTS[type] === undefined);
  if (unknown.length > 0) throw new UnknownResourceTypeError(unknown);
  const statements: PolicyStatementJson[] = [];
  for (const type of [...types].sort()) {
    const grant = EXECUTION_GRANTS[type] as TypeGrant;
    if (grant.actions.length === 0) continue;
    statements.push({
      Sid: type.replace(/^AWS::/, "").replace(/::/g, ""),
      Effect: "Allow",
      Action: [...grant.actions],
      Resource: grant.resources(scope),
    });
  }
  // The template's BootstrapVersion parameter is an SSM parameter CloudFormation resolves.
  statements.push({
    Sid: "ReadBootstrapVersion",
    Effect: "Allow",
    Action: ["ssm:GetParameters"],
    Resource: [
      `arn:aws:ssm:${STACK_REGION}:${scope.account}:parameter/cdk-bootstrap/${BOOTSTRAP_QUALIFIER}/version`,
    ],
  });
  return { Version: "2012-10-17", Statement: statements };
}
