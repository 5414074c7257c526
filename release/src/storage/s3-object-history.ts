/**
 * Object versions in a versioned S3 bucket: ListObjectVersions (s3:ListBucketVersions) and
 * GetObject with a VersionId (s3:GetObjectVersion), under the repository's prefix.
 */
import {
  GetObjectCommand,
  ListObjectVersionsCommand,
  type ListObjectVersionsCommandOutput,
  type S3Client,
} from "@aws-sdk/client-s3";
import { s3Failure } from "../aws/s3-errors.js";
import type { ObjectHistory, ObjectVersion } from "./object-history.js";
import { type S3Location, s3Url } from "./s3-location.js";

export class S3ObjectHistory implements ObjectHistory {
  readonly location: string;

  constructor(
    private readonly client: S3Client,
    private readonly where: S3Location,
  ) {
    this.location = s3Url(where);
  }

  async versions(key: string): Promise<ObjectVersion[]> {
    const fullKey = `${this.where.prefix}${key}`;
    const found: ObjectVersion[] = [];
    let keyMarker: string | undefined;
    let versionMarker: string | undefined;
    do {
      let page: ListObjectVersionsCommandOutput;
      try {
        page = await this.client.send(
          new ListObjectVersionsCommand({
            Bucket: this.where.bucket,
            Prefix: fullKey,
            KeyMarker: keyMarker,
            VersionIdMarker: versionMarker,
          }),
        );
      } catch (error) {
        throw s3Failure(
          "list the versions of",
          this.urlOf(key),
          "s3:ListBucketVersions on the bucket",
          error,
        );
      }
      // The prefix also matches longer keys (index.yaml.bak): only the key itself counts.
      for (const version of page.Versions ?? []) {
        if (version.Key !== fullKey || version.VersionId === undefined) continue;
        found.push({
          versionId: version.VersionId,
          etag: version.ETag ?? "",
          size: version.Size ?? 0,
          lastModified: version.LastModified ?? new Date(0),
          latest: version.IsLatest === true,
          deleteMarker: false,
        });
      }
      for (const marker of page.DeleteMarkers ?? []) {
        if (marker.Key !== fullKey || marker.VersionId === undefined) continue;
        found.push({
          versionId: marker.VersionId,
          etag: "",
          size: 0,
          lastModified: marker.LastModified ?? new Date(0),
          latest: marker.IsLatest === true,
          deleteMarker: true,
        });
      }
      const more = page.IsTruncated === true;
      keyMarker = more ? page.NextKeyMarker : undefined;
      versionMarker = more ? page.NextVersionIdMarker : undefined;
    } while (keyMarker !== undefined);
    // Newest first; the latest one first among versions of the same second.
    return found.sort(
      (a, b) => b.lastModified.getTime() - a.lastModified.getTime() || Number(b.latest) - Number(a.latest),
    );
  }

  async getVersion(key: string, versionId: string): Promise<Uint8Array> {
    try {
      const response = await this.client.send(
        new GetObjectCommand({
          Bucket: this.where.bucket,
          Key: `${this.where.prefix}${key}`,
          VersionId: versionId,
        }),
      );
      if (response.Body === undefined) throw new Error("S3 answered without a body");
      return await response.Body.transformToByteArray();
    } catch (error) {
      throw s3Failure(
        `read version ${versionId} of`,
        this.urlOf(key),
        "s3:GetObjectVersion on the key",
        error,
      );
    }
  }

  private urlOf(key: string): string {
    return `s3://${this.where.bucket}/${this.where.prefix}${key}`;
  }
}
