/**
 * The OCI annotations/labels of the operator image (image-spec annotations.md). `created` comes
 * from the commit time, never the wall clock: a label is part of the image config, so a wall-clock
 * time would give every rebuild of the same commit a new digest.
 */
import { ReleaseError } from "../errors.js";
import { parseReleaseVersion } from "./release-version.js";

export interface LabelInput {
  /** Release tag or version; the label holds the version without `v`. */
  version: string;
  /** Full 40-hex (or 64-hex for SHA-256 repositories) git commit id. */
  revision: string;
  /** RFC 3339 date-time of the commit. */
  created: string;
  /** URL of the source repository. */
  source: string;
}

/** Fixed facts of the project, the same for every release. */
export const IMAGE_FACTS = {
  title: "kube9-operator",
  description: "Kubernetes operator that reports cluster status to kube9 with read-only access",
  licenses: "MIT",
  url: "https://github.com/alto9/kube9-operator",
} as const;

// RFC 3339 section 5.6 date-time: full date, 'T' (or 't', or a space is NOT allowed), full time
// with optional fraction, and a mandatory offset (Z or +hh:mm).
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

export function checkRfc3339(value: string, field: string): string {
  const match = RFC3339.exec(value);
  const valid =
    match !== null &&
    Number(match[2]) >= 1 &&
    Number(match[2]) <= 12 &&
    Number(match[3]) >= 1 &&
    Number(match[3]) <= 31 &&
    Number(match[4]) <= 23 &&
    Number(match[5]) <= 59 &&
    Number(match[6]) <= 60 &&
    !Number.isNaN(Date.parse(value));
  if (!valid) {
    throw new ReleaseError("USAGE", `${JSON.stringify(value)} is not an RFC 3339 date-time`, {
      field,
      fix: 'use the commit time, e.g. --created "$(git log -1 --format=%cI)" (2026-05-01T12:00:00Z)',
    });
  }
  return value;
}

export function imageLabels(input: LabelInput): Record<string, string> {
  const { version } = parseReleaseVersion(input.version);
  if (!/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(input.revision)) {
    throw new ReleaseError("USAGE", `${JSON.stringify(input.revision)} is not a full git commit id`, {
      field: "--revision",
      fix: 'give the full commit SHA, e.g. --revision "$GITHUB_SHA"',
    });
  }
  let source: URL;
  try {
    source = new URL(input.source);
  } catch {
    throw new ReleaseError("USAGE", `${JSON.stringify(input.source)} is not a URL`, {
      field: "--source",
      fix: "give the repository URL, e.g. https://github.com/alto9/kube9-operator",
    });
  }
  if (source.protocol !== "https:" && source.protocol !== "http:") {
    throw new ReleaseError("USAGE", `${input.source} is not an http(s) URL`, { field: "--source" });
  }
  return {
    "org.opencontainers.image.created": checkRfc3339(input.created, "--created"),
    "org.opencontainers.image.description": IMAGE_FACTS.description,
    "org.opencontainers.image.licenses": IMAGE_FACTS.licenses,
    "org.opencontainers.image.revision": input.revision,
    "org.opencontainers.image.source": input.source,
    "org.opencontainers.image.title": IMAGE_FACTS.title,
    "org.opencontainers.image.url": IMAGE_FACTS.url,
    "org.opencontainers.image.version": version,
  };
}
