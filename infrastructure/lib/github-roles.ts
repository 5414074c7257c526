/**
 * GitHub Actions' way into the account: the OIDC provider and the two roles its tokens may
 * assume. Each role can do one job and nothing else; the trust conditions decide which workflow
 * runs count as that job.
 */
import { Duration } from "aws-cdk-lib";
import type * as cloudfront from "aws-cdk-lib/aws-cloudfront";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as s3 from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST, trustedSubjects } from "./github-subjects.js";
import { bootstrapRoleArnPattern } from "./names.js";
import type { ChartRepositorySettings } from "./settings.js";

export const PUBLISHER_ACTIONS = {
  objects: ["s3:GetObject", "s3:PutObject"],
  bucket: ["s3:ListBucket"],
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

    const subjects = trustedSubjects(settings.github);
    const aud = { [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE };
    const sub = (subjects: readonly string[]) => ({ [`${GITHUB_OIDC_HOST}:sub`]: [...subjects] });
    // Both keys under one operator object when the operator is the same: a second StringEquals
    // key in one literal would silently replace the audience condition.
    const principal = (operator: "StringEquals" | "StringLike", subjects: readonly string[]) =>
      new iam.WebIdentityPrincipal(
        this.provider.oidcProviderArn,
        operator === "StringEquals"
          ? { StringEquals: { ...aud, ...sub(subjects) } }
          : { StringEquals: aud, StringLike: sub(subjects) },
      );

    this.publisher = new iam.Role(this, "Publisher", {
      description: `Publishes Helm charts: release tags of ${settings.github.owner}/${settings.github.repository}`,
      // StringLike because of the tag wildcard (refs/tags/v*); the repository part is literal.
      assumedBy: principal("StringLike", subjects.publisher),
      maxSessionDuration: Duration.hours(1),
      inlinePolicies: {
        publish: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              sid: "ChartObjects",
              actions: [...PUBLISHER_ACTIONS.objects],
              resources: [props.bucket.arnForObjects("*")],
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
      description: `Deploys the chart repository stack: main branch of ${settings.github.owner}/${settings.github.repository}`,
      assumedBy: principal("StringEquals", subjects.deployer),
      maxSessionDuration: Duration.hours(1),
      inlinePolicies: {
        // The CDK CLI does the deploy through the bootstrap roles; this role only reaches them.
        deploy: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              sid: "AssumeCdkBootstrapRoles",
              actions: ["sts:AssumeRole"],
              resources: [bootstrapRoleArnPattern(settings.account)],
            }),
          ],
        }),
      },
    });
  }
}
