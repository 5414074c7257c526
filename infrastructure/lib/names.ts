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
 * The roles `cdk bootstrap` creates (deploy, file-publishing, image-publishing, lookup): the CDK
 * CLI assumes them itself, so the deployer role needs nothing else.
 */
export function bootstrapRoleArnPattern(account: string, partition = "aws"): string {
  return `arn:${partition}:iam::${account}:role/cdk-${BOOTSTRAP_QUALIFIER}-*-${account}-${STACK_REGION}`;
}
