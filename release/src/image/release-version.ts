/**
 * The version of a release as the image tags see it: a release tag `v1.2.3` or a bare `1.2.3`,
 * strict SemVer 2. Build metadata is refused: OCI tags cannot hold `+`, and Helm and SemVer both
 * ignore it when ordering, so two releases differing only in it would fight over the same tags.
 */

import { ReleaseError } from "../errors.js";
import { isStrictSemver } from "../helm-format/version.js";

export interface ReleaseVersion {
  /** The SemVer version without a leading `v`, e.g. `1.2.3-rc.1`. */
  version: string;
  major: string;
  minor: string;
  patch: string;
  /** The pre-release part after `-`, or undefined for a stable release. */
  prerelease: string | undefined;
}

export function parseReleaseVersion(input: string, field = "<version>"): ReleaseVersion {
  const version = input.startsWith("v") ? input.slice(1) : input;
  if (version.includes("+")) {
    throw new ReleaseError("USAGE", `${JSON.stringify(input)} carries build metadata (+...)`, {
      field,
      fix: "release tags are vMAJOR.MINOR.PATCH[-PRERELEASE] without +build: image tags cannot contain '+'",
    });
  }
  if (!isStrictSemver(version)) {
    throw new ReleaseError("USAGE", `${JSON.stringify(input)} is not a SemVer release version`, {
      field,
      fix: "give a release tag such as v1.2.3 or v1.0.0-beta.1",
    });
  }
  const dash = version.indexOf("-");
  const core = dash === -1 ? version : version.slice(0, dash);
  const [major = "", minor = "", patch = ""] = core.split(".");
  return { version, major, minor, patch, prerelease: dash === -1 ? undefined : version.slice(dash + 1) };
}

/** The same parse for tags found in a registry: anything else (latest, 1.2, sha256-...) is skipped. */
export function releaseVersionOfTag(tag: string): ReleaseVersion | undefined {
  try {
    return parseReleaseVersion(tag);
  } catch {
    return undefined;
  }
}
