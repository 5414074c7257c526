/**
 * GitHub Actions' way into the account: the OIDC provider and the two roles its tokens may
 * assume. Each role can do one job and nothing else; the trust conditions decide which workflow
 * runs count as that job.
 */
import { Duration, RemovalPolicy } from "aws-cdk-lib";
import type * as cloudfront from "aws-cdk-lib/aws-cloudfront";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as s3 from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST, trustedSubjects } from "./github-subjects.js";
import { bootstrapRoleArns } from "./names.js";
import { INDEX_KEY_PATTERNS, REPOSITORY_OBJECTS } from "./repository-objects.js";
import type { ChartRepositorySettings } from "./settings.js";

export const PUBLISHER_ACTIONS = {
  read: ["s3:GetObject"],
  write: ["s3:PutObject"],
  /** `repo rollback` reads an earlier index.yaml. */
  indexVersions: ["s3:GetObjectVersion"],
  bucket: ["s3:ListBucket", "s3:ListBucketVersions"],
  distribution: ["cloudfront:CreateInvalidation", "cloudfront:GetInvalidation"],
} as const;

export interface GitHubRolesProps {
  readonly settings: ChartRepositorySettings;
  readonly bucket: s3.IBucket;
  readonly distribution: cloudfront.IDistribution;
}

export class GitHubRoles extends Construct {
  readonly provider: iam.IOidcProvider;
  readonly publisher: iam.Role;
  readonly deployer: iam.Role;

  constructor(scope: Construct, id: string, props: GitHubRolesProps) {
    super(scope, id);
    const { settings } = props;
    const arn = settings.github.oidcProviderArn;
    // An account holds one provider per issuer: a second create fails, so an existing one is
    // imported. The native resource needs no thumbprint (IAM trusts GitHub's CA itself) and no
    // custom-resource Lambda.
    this.provider =
      arn === undefined
        ? new iam.OidcProviderNative(this, "Provider", {
            url: `https://${GITHUB_OIDC_HOST}`,
            clientIds: [GITHUB_OIDC_AUDIENCE],
          })
        : iam.OidcProviderNative.fromOidcProviderArn(this, "Provider", arn);
    // The account has one provider per issuer, and other stacks may trust it: deleting this
    // stack must not delete it (a later deploy then imports it with githubOidcProviderArn).
    if (this.provider instanceof iam.OidcProviderNative)
      this.provider.applyRemovalPolicy(RemovalPolicy.RETAIN);

    const subjects = trustedSubjects(settings.github);
    const aud = { [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE };
    const sub = (subjects: readonly string[]) => ({ [`${GITHUB_OIDC_HOST}:sub`]: [...subjects] });
    // StringLike only where a subject has a wildcard (the workflow ref of the customized
    // template); both keys under one operator object when the operator is the same: a second
    // StringEquals key in one literal would silently replace the audience condition.
    const principal = (subjects: readonly string[]) =>
      new iam.WebIdentityPrincipal(
        this.provider.oidcProviderArn,
        subjects.some((s) => s.includes("*"))
          ? { StringEquals: aud, StringLike: sub(subjects) }
          : { StringEquals: { ...aud, ...sub(subjects) } },
      );
    const { owner, repository, publisherEnvironment, deployerEnvironment } = settings.github;

    this.publisher = new iam.Role(this, "Publisher", {
      description: `Publishes Helm charts: jobs of ${owner}/${repository} in environment ${publisherEnvironment}`,
      assumedBy: principal(subjects.publisher),
      maxSessionDuration: Duration.hours(1),
      inlinePolicies: {
        publish: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              sid: "ReadChartObjects",
              actions: [...PUBLISHER_ACTIONS.read],
              resources: [props.bucket.arnForObjects("*")],
            }),
            // Only the keys a repository has; the bucket policy adds how each may be written.
            new iam.PolicyStatement({
              sid: "WriteRepositoryObjects",
              actions: [...PUBLISHER_ACTIONS.write],
              resources: REPOSITORY_OBJECTS.map((o) => props.bucket.arnForObjects(o.pattern)),
            }),
            new iam.PolicyStatement({
              sid: "ReadIndexVersions",
              actions: [...PUBLISHER_ACTIONS.indexVersions],
              resources: INDEX_KEY_PATTERNS.map((pattern) => props.bucket.arnForObjects(pattern)),
            }),
            new iam.PolicyStatement({
              sid: "ListChartBucket",
              actions: [...PUBLISHER_ACTIONS.bucket],
              resources: [props.bucket.bucketArn],
            }),
            new iam.PolicyStatement({
              sid: "InvalidateChartDistribution",
              actions: [...PUBLISHER_ACTIONS.distribution],
              resources: [props.distribution.distributionArn],
            }),
          ],
        }),
      },
    });

    this.deployer = new iam.Role(this, "Deployer", {
      description: `Deploys the chart repository stack: jobs of ${owner}/${repository} in environment ${deployerEnvironment}`,
      assumedBy: principal(subjects.deployer),
      maxSessionDuration: Duration.hours(1),
      inlinePolicies: {
        // The CDK CLI does the deploy through two bootstrap roles; this role only reaches them.
        deploy: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              sid: "AssumeCdkDeployRoles",
              actions: ["sts:AssumeRole"],
              resources: bootstrapRoleArns(settings.account),
            }),
          ],
        }),
      },
    });
  }
}
