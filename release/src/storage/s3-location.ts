/** `s3://bucket[/prefix]` as given to --repo. */
import { ReleaseError } from "../errors.js";

export interface S3Location {
  bucket: string;
  /** Key prefix without leading slash, ending in "/" unless empty. */
  prefix: string;
}

// S3 bucket naming rules (lowercase letters, digits, dots, hyphens; 3-63 characters).
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function parseS3Url(url: string): S3Location {
  const match = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(url);
  const bucket = match?.[1];
  if (match === null || bucket === undefined || !BUCKET.test(bucket) || bucket.includes("..")) {
    throw new ReleaseError("USAGE", `${JSON.stringify(url)} is not an S3 repository URL`, {
      field: "--repo",
      fix: "give s3://<bucket> or s3://<bucket>/<prefix> with a valid bucket name",
    });
  }
  const path = (match[2] ?? "").replace(/^\/+|\/+$/g, "");
  if (path.split("/").some((segment) => segment === "." || segment === "..")) {
    throw new ReleaseError("USAGE", `the prefix of ${url} has . or .. segments`, {
      field: "--repo",
      fix: "use a plain prefix such as s3://bucket/charts",
    });
  }
  return { bucket, prefix: path === "" ? "" : `${path}/` };
}

export function s3Url(location: S3Location): string {
  return `s3://${location.bucket}${location.prefix === "" ? "" : `/${location.prefix.replace(/\/$/, "")}`}`;
}
