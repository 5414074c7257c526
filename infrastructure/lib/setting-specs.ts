/**
 * The table of settings the stack reads: name, where it comes from, an example. Data only; the
 * checks live in settings.ts, and docs/infrastructure.md mirrors this table (a test compares them).
 */

export type SettingName =
  | "account"
  | "domainName"
  | "hostedZoneId"
  | "hostedZoneName"
  | "certificateArn"
  | "githubRepository"
  | "githubRepositoryIds"
  | "githubOidcProviderArn"
  | "publisherEnvironment"
  | "deployerEnvironment"
  | "oidcSubjectClaims";

export interface SettingSpec {
  readonly name: SettingName;
  /** Key for `cdk synth -c key=value` or the `context` block of cdk.json. */
  readonly contextKey: string;
  /** Environment variable read when the context has no value (the deploy workflow's way). */
  readonly envVar: string;
  readonly example: string;
  readonly required: boolean;
  /** What an optional setting is when not given; absent when "not given" means "not used". */
  readonly default?: string;
  readonly description: string;
}

/** The one list of settings; docs/infrastructure.md mirrors it and a test keeps the two in step. */
export const SETTING_SPECS: readonly SettingSpec[] = [
  {
    name: "account",
    contextKey: "account",
    envVar: "KUBE9_AWS_ACCOUNT_ID",
    example: "123456789012",
    required: true,
    description: "AWS account that holds the stack (12 digits); the stack's explicit environment",
  },
  {
    name: "domainName",
    contextKey: "domainName",
    envVar: "KUBE9_CHARTS_DOMAIN",
    example: "charts.kube9.io",
    required: true,
    description: "host name users give to `helm repo add`",
  },
  {
    name: "hostedZoneId",
    contextKey: "hostedZoneId",
    envVar: "KUBE9_HOSTED_ZONE_ID",
    example: "Z0123456789ABCDEFGHIJ",
    required: true,
    description: "Route 53 hosted zone id (without /hostedzone/) that receives the A and AAAA records",
  },
  {
    name: "hostedZoneName",
    contextKey: "hostedZoneName",
    envVar: "KUBE9_HOSTED_ZONE_NAME",
    example: "kube9.io",
    required: true,
    description: "name of that hosted zone; the domain must be inside it",
  },
  {
    name: "certificateArn",
    contextKey: "certificateArn",
    envVar: "KUBE9_CERTIFICATE_ARN",
    example: "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-0000-4000-8000-0123456789ab",
    required: false,
    description: "existing ACM certificate in us-east-1; when absent a DNS-validated one is created",
  },
  {
    name: "githubRepository",
    contextKey: "githubRepository",
    envVar: "KUBE9_GITHUB_REPOSITORY",
    example: "alto9/kube9-operator",
    required: true,
    description: "owner/repository whose workflows may assume the publisher and deployer roles",
  },
  {
    name: "githubRepositoryIds",
    contextKey: "githubRepositoryIds",
    envVar: "KUBE9_GITHUB_REPOSITORY_IDS",
    example: "12345678/987654321",
    required: false,
    description:
      "ownerId/repositoryId: set it when the repository sends immutable OIDC subjects (repo:OWNER@id/REPO@id:...)",
  },
  {
    name: "githubOidcProviderArn",
    contextKey: "githubOidcProviderArn",
    envVar: "KUBE9_GITHUB_OIDC_PROVIDER_ARN",
    example: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
    required: false,
    description: "import the account's existing GitHub OIDC provider instead of creating one",
  },
  {
    name: "publisherEnvironment",
    contextKey: "publisherEnvironment",
    envVar: "KUBE9_PUBLISHER_ENVIRONMENT",
    example: "release",
    required: false,
    default: "release",
    description:
      "GitHub environment of the chart publish job; the publisher role trusts that environment's subject only",
  },
  {
    name: "deployerEnvironment",
    contextKey: "deployerEnvironment",
    envVar: "KUBE9_DEPLOYER_ENVIRONMENT",
    example: "infrastructure",
    required: false,
    default: "infrastructure",
    description:
      "GitHub environment of the deploy job of deploy-infrastructure.yml; the deployer role trusts that environment's subject only",
  },
  {
    name: "oidcSubjectClaims",
    contextKey: "oidcSubjectClaims",
    envVar: "KUBE9_OIDC_SUBJECT_CLAIMS",
    example: "repo,context,job_workflow_ref",
    required: false,
    description:
      "the repository's customized OIDC subject template, when set on GitHub: the roles then also pin the workflow file (job_workflow_ref)",
  },
];
