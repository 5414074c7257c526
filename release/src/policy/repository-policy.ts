/**
 * What the publisher (kube9-release), the CDN (infrastructure/) and the local server
 * (`repo serve`) must agree on about a chart repository: the objects it may hold, their
 * Content-Type, how long caches keep them, what the browser-facing headers say, what a publish
 * invalidates and how long it waits. Every figure lives here once; the header strings
 * (storage/object-policy.ts), the CDK cache policies (infrastructure/lib/distribution.ts), the
 * bucket's write rules (infrastructure/lib/repository-objects.ts) and the CLI defaults are derived
 * from it, and test/unit/repository-policy.test.ts fails when any of them, or the docs' figures,
 * disagree.
 *
 * Dependency-free on purpose: infrastructure/ imports it as `@kube9/release/policy` (the exports
 * of release/package.json), so the CDK synth loads this one file and nothing of the CLI.
 */

const MINUTE = 60;
const DAY = 24 * 60 * MINUTE;
const YEAR = 365 * DAY;

/** How long any cache (the CDN's edge, a proxy, a client) may keep an object. */
export interface CacheLifetime {
  readonly maxAgeSeconds: number;
  /** The object never changes under its key: a cache need not revalidate it, ever. */
  readonly immutable: boolean;
}

/**
 * A published archive never changes (its digest is in the index), so caches keep it a year, and
 * the CDN keeps it that long even if the origin says otherwise.
 */
export const ARCHIVE_LIFETIME: CacheLifetime = { maxAgeSeconds: YEAR, immutable: true };

/**
 * index.yaml changes on every publish: this bounds how stale a cache may serve it (the publisher
 * also invalidates it), and so how long a reader through the CDN may still see the old one.
 */
export const INDEX_LIFETIME: CacheLifetime = { maxAgeSeconds: 5 * MINUTE, immutable: false };

/**
 * Anything else in the repository (artifacthub-repo.yml, a public key...) may change like the
 * index, so it gets the index's lifetime; the CDN serves it with the index's cache policy.
 */
export const OTHER_OBJECT_LIFETIME: CacheLifetime = INDEX_LIFETIME;

/** How the publisher writes a kind of object; the bucket policy allows no other write of it. */
export type WriteRule =
  /** Written once and never replaced: PutObject must carry `If-None-Match: *`. */
  | "create-only"
  /** Replaced by compare-and-swap: PutObject must carry `If-Match` or `If-None-Match`. */
  | "compare-and-swap";

export interface ObjectKind {
  readonly name: "archive" | "provenance" | "public-key" | "index" | "repository-metadata" | "other";
  /**
   * The keys of this kind, as IAM wildcards (`*` also crosses `/`, so prefixed repositories match
   * too). The publisher may write only keys of a kind that has patterns.
   */
  readonly keyPatterns: readonly string[];
  readonly contentType: string;
  readonly cache: CacheLifetime;
  /** Whether a client that asks may receive it compressed. Never true for an archive (gzip already). */
  readonly compressible: boolean;
  /** How the publisher writes it; undefined for objects it never writes. */
  readonly write: WriteRule | undefined;
  /**
   * The CloudFront path pattern of the behaviour with this kind's own cache policy; undefined:
   * served by the default behaviour (the index's cache policy), so its lifetime must be the
   * index's (the CDK app refuses to synthesize otherwise).
   */
  readonly cdnPathPattern: string | undefined;
}

export const ARCHIVE: ObjectKind = {
  name: "archive",
  keyPatterns: ["*.tgz"],
  contentType: "application/gzip",
  cache: ARCHIVE_LIFETIME,
  compressible: false,
  write: "create-only",
  cdnPathPattern: "*.tgz",
};

/** A chart's signature (`helm package --sign`): never changes once its archive is out. */
export const PROVENANCE: ObjectKind = {
  name: "provenance",
  keyPatterns: ["*.prov"],
  contentType: "application/pgp-signature",
  cache: ARCHIVE_LIFETIME,
  compressible: false,
  write: "create-only",
  // Its own behaviour, with the archives' cache policy: the default one would keep it at the edge
  // only as long as the index, although it never changes.
  cdnPathPattern: "*.prov",
};

/**
 * The key users verify provenance with: `pubkey.asc` armored, `pubkey.gpg` the binary keyring
 * Helm's `--keyring` reads (docs/verifying.md). Written once; a key rotation replaces it by hand.
 */
export const PUBLIC_KEY: ObjectKind = {
  name: "public-key",
  keyPatterns: ["pubkey.asc", "*/pubkey.asc", "pubkey.gpg", "*/pubkey.gpg"],
  contentType: "application/pgp-keys",
  cache: OTHER_OBJECT_LIFETIME,
  compressible: false,
  write: "create-only",
  cdnPathPattern: undefined,
};

/** The repository's index; a prefixed repository keeps its own under the prefix. */
export const INDEX: ObjectKind = {
  name: "index",
  keyPatterns: ["index.yaml", "*/index.yaml"],
  contentType: "application/yaml",
  cache: INDEX_LIFETIME,
  compressible: true,
  write: "compare-and-swap",
  // Without a leading `/`, CloudFront matches the root's index.yaml only; a prefixed one takes
  // the default behaviour, which has the same cache policy.
  cdnPathPattern: "index.yaml",
};

/**
 * Artifact Hub's repository settings next to the index (`chart publish --artifacthub-repo`): YAML,
 * as the index (RFC 9512's media type; Artifact Hub reads the body whatever the type, a browser
 * shows it as text). The maintainers may edit it for any release (an owner, the repository ID),
 * so it is replaced by compare-and-swap, never unconditionally, and Artifact Hub reads it when the
 * index changes, so it is cached as briefly as the index (the CDN's default behaviour).
 */
export const REPOSITORY_METADATA: ObjectKind = {
  name: "repository-metadata",
  keyPatterns: ["artifacthub-repo.yml", "*/artifacthub-repo.yml"],
  contentType: "application/yaml",
  cache: OTHER_OBJECT_LIFETIME,
  compressible: true,
  write: "compare-and-swap",
  cdnPathPattern: undefined,
};

/** Whatever else a repository holds: served as bytes, never written by the publisher. */
export const OTHER_OBJECT: ObjectKind = {
  name: "other",
  keyPatterns: [],
  contentType: "application/octet-stream",
  cache: OTHER_OBJECT_LIFETIME,
  compressible: false,
  write: undefined,
  cdnPathPattern: undefined,
};

/** The kinds the publisher writes, in the order the bucket's rules list them. */
export const WRITTEN_KINDS: readonly ObjectKind[] = [
  ARCHIVE,
  PROVENANCE,
  PUBLIC_KEY,
  INDEX,
  REPOSITORY_METADATA,
];

/** Whether an IAM-style pattern (`*` matches any run of characters, `/` included) matches a key. */
export function keyMatches(pattern: string, key: string): boolean {
  const parts = pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${parts.join(".*")}$`, "s").test(key);
}

/** The kind of the object stored under `key` (a key relative to the repository's root). */
export function objectKindOf(key: string): ObjectKind {
  return (
    WRITTEN_KINDS.find((kind) => kind.keyPatterns.some((pattern) => keyMatches(pattern, key))) ?? OTHER_OBJECT
  );
}

/** The Cache-Control header of a lifetime, as the stores write it and the local server sends it. */
export function cacheControlOf(lifetime: CacheLifetime): string {
  return `public, max-age=${lifetime.maxAgeSeconds}${lifetime.immutable ? ", immutable" : ""}`;
}

/**
 * Headers every answer of the repository carries (the CDN's response-headers policy, and
 * `repo serve`). The files are data for Helm: in a browser nothing may run, load or frame them,
 * whatever Content-Type they have.
 */
export const CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";
export const FRAME_OPTIONS = "DENY";
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy": CONTENT_SECURITY_POLICY,
  "X-Frame-Options": FRAME_OPTIONS,
  "X-Content-Type-Options": "nosniff",
};

/** `/*` by default: one wildcard path counts as one path for CloudFront's free quota. */
export const DEFAULT_INVALIDATION_PATHS: readonly string[] = ["/*"];

/** The index and the root (which the CDN answers with the index) are all a rollback changes. */
export const ROLLBACK_INVALIDATION_PATHS: readonly string[] = ["/index.yaml", "/"];

/**
 * How long a publish through the CDN retries its verification by default: without a completed
 * invalidation the edge may serve the old index for its whole lifetime.
 */
export const VERIFY_TIMEOUT_SECONDS = INDEX_LIFETIME.maxAgeSeconds;

/** How long `--wait` waits for a CDN invalidation by default (CloudFront's take minutes). */
export const INVALIDATION_WAIT_TIMEOUT_SECONDS = 15 * MINUTE;

const NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];
const UNITS: ReadonlyArray<readonly [string, number]> = [
  ["year", YEAR],
  ["day", DAY],
  ["hour", 60 * MINUTE],
  ["minute", MINUTE],
  ["second", 1],
];

/**
 * A lifetime for people: the largest unit that divides it, the count in words up to ten
 * ("five minutes", "one year"). The CDK cache policies' comments are written with it.
 */
export function durationInWords(seconds: number): string {
  const [unit, size] = UNITS.find(([, size]) => seconds % size === 0 && seconds >= size) ?? ["second", 1];
  const count = seconds / size;
  return `${NUMBER_WORDS[count] ?? String(count)} ${unit}${count === 1 ? "" : "s"}`;
}

/**
 * How long one S3 or CloudFront request may go unanswered before the attempt is abandoned and
 * retried (`--request-timeout`): ample for a 50,000-entry index.yaml (~50 MB) on a CI runner.
 */
export const REQUEST_TIMEOUT_SECONDS = MINUTE;
