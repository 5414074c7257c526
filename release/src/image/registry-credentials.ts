/**
 * Registry credentials for pushing come from the environment, never from flags (which would
 * show in process lists and workflow logs). In GitHub Actions: github.actor and GITHUB_TOKEN.
 */
import { ReleaseError } from "../errors.js";

export const USERNAME_ENV = "KUBE9_REGISTRY_USERNAME";
export const PASSWORD_ENV = "KUBE9_REGISTRY_PASSWORD";

export interface RegistryCredentials {
  username: string;
  password: string;
}

/** Both variables or neither; an empty value counts as unset. */
export function registryCredentials(env: NodeJS.ProcessEnv): RegistryCredentials | undefined {
  const username = env[USERNAME_ENV] || undefined;
  const password = env[PASSWORD_ENV] || undefined;
  if ((username === undefined) !== (password === undefined)) {
    throw new ReleaseError("USAGE", `set both ${USERNAME_ENV} and ${PASSWORD_ENV}, or neither`, {
      field: username === undefined ? USERNAME_ENV : PASSWORD_ENV,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: GitHub Actions' expression syntax, not JavaScript's.
      fix: "in GitHub Actions: KUBE9_REGISTRY_USERNAME=${{ github.actor }}, KUBE9_REGISTRY_PASSWORD=${{ secrets.GITHUB_TOKEN }}",
    });
  }
  return username === undefined || password === undefined ? undefined : { username, password };
}
