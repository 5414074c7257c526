/**
 * A repository in an S3 bucket (or any S3-compatible store). Conditional writes carry the
 * guarantees: `If-None-Match: *` creates only, `If-Match: <etag>` replaces only what was read.
 * Objects are stored with their Content-Type and Cache-Control (storage/object-policy.ts), and
 * never with Content-Encoding.
 */

import { setTimeout as sleep } from "node:timers/promises";
import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { isLostRace, isMissing, s3Failure } from "../aws/s3-errors.js";
import { ReleaseError } from "../errors.js";
import { type S3Location, s3Url } from "./s3-location.js";
import type { ObjectInfo, Store, StoredObject, WriteOptions } from "./store.js";

/** Reads of a body that failed its checksum, with a growing pause between them. */
const MAX_BODY_ATTEMPTS = 10;

export class S3Store implements Store {
  readonly location: string;

  constructor(
    /** Public so that a version history (s3-object-history.ts) can share the client. */
    readonly client: S3Client,
    readonly where: S3Location,
  ) {
    this.location = s3Url(where);
  }

  async get(key: string): Promise<StoredObject | undefined> {
    for (let attempt = 1; ; attempt += 1) {
      let response: GetObjectCommandOutput;
      try {
        response = await this.client.send(
          new GetObjectCommand({ Bucket: this.where.bucket, Key: this.keyOf(key) }),
        );
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw s3Failure(
          "read",
          this.urlOf(key),
          "s3:GetObject (and s3:ListBucket, so that a missing key is a 404, not a 403)",
          error,
        );
      }
      if (response.Body === undefined || response.ETag === undefined) {
        throw new ReleaseError("STORAGE_FAILED", "S3 answered without a body or an ETag", {
          file: this.urlOf(key),
          fix: "check the S3 endpoint",
        });
      }
      try {
        return { body: await response.Body.transformToByteArray(), etag: response.ETag };
      } catch (error) {
        // The body broke off or failed the SDK's checksum check (a store that is not atomic under
        // concurrent overwrites can pair one version's checksum with another's bytes). Such bytes
        // are never used: read again, a bounded number of times.
        if (attempt >= MAX_BODY_ATTEMPTS) {
          throw new ReleaseError(
            "STORAGE_FAILED",
            `the body did not arrive intact ${MAX_BODY_ATTEMPTS} times: ${String(error)}`,
            {
              file: this.urlOf(key),
              fix: "run the same command again; if it persists, check the network path to the S3 endpoint",
              cause: error,
            },
          );
        }
        // Writers that keep replacing the object keep that window open: pause before reading again.
        await sleep(Math.min(1_000, 25 * 2 ** attempt) * (0.5 + Math.random()));
      }
    }
  }

  putIfAbsent(key: string, body: Uint8Array, options: WriteOptions): Promise<{ etag: string }> {
    return this.put(key, body, options, { IfNoneMatch: "*" });
  }

  putIfMatch(key: string, body: Uint8Array, etag: string, options: WriteOptions): Promise<{ etag: string }> {
    return this.put(key, body, options, { IfMatch: etag });
  }

  async list(): Promise<ObjectInfo[]> {
    const objects: ObjectInfo[] = [];
    let token: string | undefined;
    do {
      let page: ListObjectsV2CommandOutput;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.where.bucket,
            Prefix: this.where.prefix,
            ContinuationToken: token,
          }),
        );
      } catch (error) {
        throw s3Failure("list", this.location, "s3:ListBucket on the bucket", error);
      }
      for (const object of page.Contents ?? []) {
        const key = object.Key?.slice(this.where.prefix.length);
        // Only this level of the prefix: deeper keys belong to other repositories.
        if (key === undefined || key === "" || key.includes("/")) continue;
        objects.push({ key, size: object.Size ?? 0, lastModified: object.LastModified ?? new Date(0) });
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  private async put(
    key: string,
    body: Uint8Array,
    options: WriteOptions,
    condition: { IfNoneMatch: string } | { IfMatch: string },
  ): Promise<{ etag: string }> {
    try {
      const response = await this.client.send(
        new PutObjectCommand({
          Bucket: this.where.bucket,
          Key: this.keyOf(key),
          Body: body,
          ContentLength: body.byteLength,
          ContentType: options.contentType,
          CacheControl: options.cacheControl,
          ...condition,
        }),
      );
      return { etag: response.ETag ?? "" };
    } catch (error) {
      // If-Match on a key that is gone (deleted since it was read) is 404 NoSuchKey on AWS and
      // versitygw, not 412: for the publisher it is the same lost race.
      if (isLostRace(error) || ("IfMatch" in condition && isMissing(error))) {
        throw new ReleaseError(
          "PRECONDITION_FAILED",
          "IfNoneMatch" in condition ? `${key} already exists` : `${key} changed since it was read`,
          {
            file: this.urlOf(key),
            cause: error,
          },
        );
      }
      throw s3Failure("write", this.urlOf(key), "s3:PutObject", error);
    }
  }

  private keyOf(key: string): string {
    return `${this.where.prefix}${key}`;
  }

  private urlOf(key: string): string {
    return `s3://${this.where.bucket}/${this.keyOf(key)}`;
  }
}
