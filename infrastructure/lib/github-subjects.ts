/**
 * The OIDC `sub` values the two roles trust. Kept apart from the constructs so the exact strings
 * (the whole security boundary of the roles) are one small pure function, tested as data.
 */
import { DEPLOY_WORKFLOW_FILE, PUBLISH_WORKFLOW_FILE } from "./names.js";
import type { GitHubSettings } from "./settings.js";

/** Audience that aws-actions/configure-aws-credentials requests; the roles accept no other. */
export const GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com";
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";

export interface TrustedSubjects {
  /** The chart publish job: only jobs that run in the release environment. */
  readonly publisher: readonly string[];
  /** The deploy job: only jobs that run in the infrastructure environment. */
  readonly deployer: readonly string[];
}

/**
 * Repositories with immutable subjects send `repo:OWNER@ownerId/REPO@repoId:...`; once they do,
 * the name-only form is never sent again, and trusting it would let a future holder of a
 * recycled name in, so only one form is trusted at a time.
 */
export function repositorySubject(github: GitHubSettings): string {
  return github.ids === undefined
    ? `repo:${github.owner}/${github.repository}`
    : `repo:${github.owner}@${github.ids.owner}/${github.repository}@${github.ids.repository}`;
}

/**
 * A job with `environment:` gets `...:environment:NAME` and no ref in its subject, and GitHub
 * issues that subject only after the environment's protection rules (required reviewers, the
 * refs allowed to deploy) let the job start: those rules, which only repository admins can
 * change, are the gate, not a ref pattern anyone who can push a tag could match.
 *
 * With the customized template (repo, context, job_workflow_ref) the subject also names the
 * workflow file the job runs in: the publish job's reusable workflow at any ref (the
 * environment decides which refs may deploy), the deploy workflow on main only.
 */
export function trustedSubjects(github: GitHubSettings): TrustedSubjects {
  const repo = repositorySubject(github);
  const workflow = (file: string, ref: string) =>
    github.subjectClaims === "job_workflow_ref"
      ? `:job_workflow_ref:${github.owner}/${github.repository}/${file}@${ref}`
      : "";
  return {
    publisher: [`${repo}:environment:${github.publisherEnvironment}${workflow(PUBLISH_WORKFLOW_FILE, "*")}`],
    deployer: [
      `${repo}:environment:${github.deployerEnvironment}${workflow(DEPLOY_WORKFLOW_FILE, "refs/heads/main")}`,
    ],
  };
}
