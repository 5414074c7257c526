/**
 * Names other programs rely on: the stack name and its output keys (the release workflow and the
 * setup guide read these), and the CDK bootstrap roles the deployer may assume.
 */
import { STACK_REGION } from "./settings.js";

export const STACK_NAME = "Kube9ChartRepository";

/** CloudFormation output keys of the stack; renaming one breaks whoever reads it. */
export const OUTPUT_KEYS = {
  bucketName: "ChartBucketName",
  distributionId: "DistributionId",
  distributionDomainName: "DistributionDomainName",
  repositoryUrl: "RepositoryUrl",
  publisherRoleArn: "PublisherRoleArn",
  deployerRoleArn: "DeployerRoleArn",
} as const;

/** The default bootstrap qualifier; `cdk bootstrap` with another one would need this changed. */
export const BOOTSTRAP_QUALIFIER = "hnb659fds";

/**
 * The two bootstrap roles a deploy of this stack uses: the CDK CLI assumes the file-publishing
 * role to upload the template and the deploy role to run the change set. The lookup role is not
 * among them (the stack looks nothing up, and its synthesizer reads the deployed template through
 * the deploy role), nor the image-publishing role (the stack has no container image).
 */
export const DEPLOYER_BOOTSTRAP_ROLES = ["deploy-role", "file-publishing-role"] as const;

export function bootstrapRoleArns(account: string, partition = "aws"): string[] {
  return DEPLOYER_BOOTSTRAP_ROLES.map(
    (kind) =>
      `arn:${partition}:iam::${account}:role/cdk-${BOOTSTRAP_QUALIFIER}-${kind}-${account}-${STACK_REGION}`,
  );
}

/**
 * The workflow files whose jobs assume the roles, as GitHub names them in `job_workflow_ref`
 * (`OWNER/REPO/<file>@<ref>`). The publish job runs inside the reusable release-chart.yml, and a
 * reusable workflow's jobs carry its own file there, not the caller's.
 */
export const PUBLISH_WORKFLOW_FILE = ".github/workflows/release-chart.yml";
export const DEPLOY_WORKFLOW_FILE = ".github/workflows/deploy-infrastructure.yml";
