/**
 * The tags one release publishes. docker/metadata-action's `latest=auto` and `{{major}}` get two
 * cases wrong (a patch on an old line takes `latest`; v0.x publishes a tag `0`), so the rule lives
 * here: the floating tags `latest`, `X.Y` and `X` move only when this version is the highest
 * stable one in their scope, judged against the release tags already in the registry.
 */
import semver from "semver";
import { parseReleaseVersion, type ReleaseVersion, releaseVersionOfTag } from "./release-version.js";

export interface FloatingDecision {
  tag: string;
  moves: boolean;
  /** Why it moves or stays, for people reading a workflow log. */
  reason: string;
}

export interface TagSet {
  version: string;
  prerelease: boolean;
  /** The tags that name this release alone and never move once pushed: v<version>, <version>. */
  fixed: string[];
  /** Every tag to push, fixed ones first: v<version>, <version>, then the floating ones that move. */
  tags: string[];
  floating: FloatingDecision[];
}

/** The highest stable release among `existing` whose version satisfies `inScope`. */
function highestStable(
  existing: ReleaseVersion[],
  inScope: (v: ReleaseVersion) => boolean,
): string | undefined {
  let best: string | undefined;
  for (const candidate of existing) {
    if (candidate.prerelease !== undefined || !inScope(candidate)) continue;
    if (best === undefined || semver.gt(candidate.version, best)) best = candidate.version;
  }
  return best;
}

function decide(tag: string, scope: string, own: string, higher: string | undefined): FloatingDecision {
  // Equal counts as highest: re-running the release of the current highest version must not drop its tags.
  if (higher === undefined || semver.gte(own, higher)) {
    return { tag, moves: true, reason: `${own} is the highest stable version ${scope}` };
  }
  return { tag, moves: false, reason: `${higher} is higher ${scope}` };
}

/**
 * @param input the release tag (`v1.2.3`) or version; build metadata and non-SemVer are USAGE errors.
 * @param existingTags tags already in the repository; tags that are not release versions are ignored.
 */
export function computeTagSet(input: string, existingTags: readonly string[]): TagSet {
  const release = parseReleaseVersion(input);
  const fixed = [`v${release.version}`, release.version];
  if (release.prerelease !== undefined) {
    return { version: release.version, prerelease: true, fixed, tags: fixed, floating: [] };
  }
  const existing = existingTags.flatMap((tag) => releaseVersionOfTag(tag) ?? []);
  const own = release.version;
  const floating: FloatingDecision[] = [
    decide(
      "latest",
      "overall",
      own,
      highestStable(existing, () => true),
    ),
    decide(
      `${release.major}.${release.minor}`,
      `in ${release.major}.${release.minor}.x`,
      own,
      highestStable(existing, (v) => v.major === release.major && v.minor === release.minor),
    ),
  ];
  if (release.major === "0") {
    floating.push({ tag: "0", moves: false, reason: "0.y.z is initial development: no bare major tag 0" });
  } else {
    floating.push(
      decide(
        release.major,
        `in ${release.major}.x`,
        own,
        highestStable(existing, (v) => v.major === release.major),
      ),
    );
  }
  // Output order as the issue lists them: v1.2.3, 1.2.3, 1.2, 1, latest.
  const order = [`${release.major}.${release.minor}`, release.major, "latest"];
  const moving = floating.filter((f) => f.moves).map((f) => f.tag);
  const tags = [...fixed, ...order.filter((tag) => moving.includes(tag))];
  return { version: release.version, prerelease: false, fixed, tags, floating };
}

export interface FloatingTarget {
  /** A floating tag in this release's scopes: `X.Y`, `X` (not `0`), `latest`. */
  tag: string;
  /** The release version it must point at: the highest stable one in its scope, or none yet. */
  version: string | undefined;
}

/**
 * Where each floating tag of `input`'s scopes must point, judged only by the release tags in the
 * registry (this release's own fixed tags included once pushed). A pure function of the registry's
 * release tags, so every release that re-applies it after its own push converges on the same
 * answer whatever the order in which concurrent releases finish: the last one to check fixes any
 * earlier stale move. Pre-releases have no floating tags.
 */
export function floatingTargets(input: string, existingTags: readonly string[]): FloatingTarget[] {
  const release = parseReleaseVersion(input);
  if (release.prerelease !== undefined) return [];
  const existing = existingTags.flatMap((tag) => releaseVersionOfTag(tag) ?? []);
  const targets: FloatingTarget[] = [
    {
      tag: `${release.major}.${release.minor}`,
      version: highestStable(existing, (v) => v.major === release.major && v.minor === release.minor),
    },
  ];
  if (release.major !== "0") {
    targets.push({ tag: release.major, version: highestStable(existing, (v) => v.major === release.major) });
  }
  targets.push({ tag: "latest", version: highestStable(existing, () => true) });
  return targets;
}
