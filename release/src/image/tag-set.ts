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

/** The tags that name one release alone, in push order, with their shape for help texts. */
const FIXED_TAGS: ReadonlyArray<{ shape: string; tag: (release: ReleaseVersion) => string }> = [
  { shape: "v<version>", tag: (release) => `v${release.version}` },
  { shape: "<version>", tag: (release) => release.version },
];

/**
 * A floating tag: it points at the highest stable release in its scope. The one list of them:
 * computeTagSet decides from it whether this release moves each tag, floatingTargets where each
 * belongs after a push. A new rule is one more entry.
 */
interface FloatingRule {
  /** The tag's shape for help texts: `latest`, `X.Y`. */
  shape: string;
  /** The tag this rule gives `release`. */
  tag(release: ReleaseVersion): string;
  /** The scope, for people reading a log: "overall", "in 1.2.x". */
  scope(release: ReleaseVersion): string;
  /** Whether `candidate` is in `release`'s scope. */
  inScope(release: ReleaseVersion, candidate: ReleaseVersion): boolean;
  /** Why `release` gets no such tag at all, if it does not. */
  withheld?(release: ReleaseVersion): string | undefined;
  /**
   * How many leading version numbers the scope pins (latest 0, X 1, X.Y 2): tags are pushed and
   * listed most specific first, as docker/metadata-action orders them (v1.2.3, 1.2.3, 1.2, 1, latest).
   */
  pinned: number;
}

/** In the order the decisions are reported (`image tags` prints them so). */
const FLOATING_RULES: readonly FloatingRule[] = [
  {
    shape: "latest",
    tag: () => "latest",
    scope: () => "overall",
    inScope: () => true,
    pinned: 0,
  },
  {
    shape: "X.Y",
    tag: (release) => `${release.major}.${release.minor}`,
    scope: (release) => `in ${release.major}.${release.minor}.x`,
    inScope: (release, v) => v.major === release.major && v.minor === release.minor,
    pinned: 2,
  },
  {
    shape: "X",
    tag: (release) => release.major,
    scope: (release) => `in ${release.major}.x`,
    inScope: (release, v) => v.major === release.major,
    withheld: (release) =>
      release.major === "0" ? "0.y.z is initial development: no bare major tag 0" : undefined,
    pinned: 1,
  },
];

/** The rules in push order: the most specific scope first. */
const FLOATING_PUSH_ORDER = [...FLOATING_RULES].sort((a, b) => b.pinned - a.pinned);

/** The tag shapes, in push order, for the commands' help: "v<version>, <version>" and "X.Y, X, latest". */
export const TAG_SHAPES = {
  fixed: FIXED_TAGS.map((rule) => rule.shape).join(", "),
  floating: FLOATING_PUSH_ORDER.map((rule) => rule.shape).join(", "),
};

function decide(rule: FloatingRule, release: ReleaseVersion, existing: ReleaseVersion[]): FloatingDecision {
  const tag = rule.tag(release);
  const withheld = rule.withheld?.(release);
  if (withheld !== undefined) return { tag, moves: false, reason: withheld };
  const scope = rule.scope(release);
  const own = release.version;
  const higher = highestStable(existing, (v) => rule.inScope(release, v));
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
  const fixed = FIXED_TAGS.map((rule) => rule.tag(release));
  if (release.prerelease !== undefined) {
    return { version: release.version, prerelease: true, fixed, tags: fixed, floating: [] };
  }
  const existing = existingTags.flatMap((tag) => releaseVersionOfTag(tag) ?? []);
  const floating = FLOATING_RULES.map((rule) => decide(rule, release, existing));
  const moving = new Set(floating.filter((f) => f.moves).map((f) => f.tag));
  const tags = [
    ...fixed,
    ...FLOATING_PUSH_ORDER.map((rule) => rule.tag(release)).filter((tag) => moving.has(tag)),
  ];
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
  return FLOATING_PUSH_ORDER.filter((rule) => rule.withheld?.(release) === undefined).map((rule) => ({
    tag: rule.tag(release),
    version: highestStable(existing, (v) => rule.inScope(release, v)),
  }));
}
