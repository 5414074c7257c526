/**
 * The OIDC `sub` values the two roles trust. Kept apart from the constructs so the exact strings
 * (the whole security boundary of the roles) are one small pure function, tested as data.
 */
import type { GitHubSettings } from "./settings.js";

/** Audience that aws-actions/configure-aws-credentials requests; the roles accept no other. */
export const GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com";
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";

export interface TrustedSubjects {
  /** Release jobs: tag pushes `v*` (and the release job's environment, when it has one). */
  readonly publisher: readonly string[];
  /** The deploy workflow: pushes to main and workflow_dispatch runs on main. */
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

export function trustedSubjects(github: GitHubSettings): TrustedSubjects {
  const repo = repositorySubject(github);
  // A job with `environment:` gets `...:environment:NAME` and no ref in its subject: the tag
  // restriction then has to come from the environment's deployment rule (see the setup guide).
  const environment =
    github.publisherEnvironment === undefined ? [] : [`${repo}:environment:${github.publisherEnvironment}`];
  return {
    publisher: [`${repo}:ref:refs/tags/v*`, ...environment],
    // workflow_dispatch carries the ref it was started on, so this also refuses dispatches
    // from any other branch.
    deployer: [`${repo}:ref:refs/heads/main`],
  };
}
