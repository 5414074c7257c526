/**
 * The stand-in for S3: versitygw over a temporary directory, on 127.0.0.1. It enforces
 * If-Match / If-None-Match and keeps Cache-Control and Content-Type, unlike the npm S3 fakes.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { capturedOutput, freePort, stopChild, waitForHttp } from "./net.js";

export const TEST_ACCESS_KEY = "kube9testaccess";
export const TEST_SECRET_KEY = "kube9testsecretkey0123456789";
export const TEST_REGION = "us-east-1";

export interface S3StandIn {
  endpoint: string;
  /** Environment that points the AWS SDK (and so kube9-release) at this endpoint. */
  env: Record<string, string>;
  client(overrides?: { secretAccessKey?: string }): S3Client;
  createBucket(name: string): Promise<void>;
  stop(): Promise<void>;
}

export interface VersitygwOptions {
  binary: string;
  /** Keep object versions (buckets still need PutBucketVersioning, as on S3). Default false. */
  versioning?: boolean;
}

/** versitygw's posix backend over `dir`, with the test credentials, on 127.0.0.1:`port`. */
function versitygwArgs(dir: string, port: number, versioning: boolean): string[] {
  return [
    "--access",
    TEST_ACCESS_KEY,
    "--secret",
    TEST_SECRET_KEY,
    "--region",
    TEST_REGION,
    "--port",
    `127.0.0.1:${port}`,
    "--quiet",
    "posix",
    "--sidecar",
    join(dir, "sidecar"),
    ...(versioning ? ["--versioning-dir", join(dir, "versions")] : []),
    join(dir, "root"),
  ];
}

export async function startVersitygw(options: VersitygwOptions): Promise<S3StandIn> {
  const dir = mkdtempSync(join(tmpdir(), "kube9-versitygw-"));
  mkdirSync(join(dir, "root"));
  mkdirSync(join(dir, "sidecar"));
  if (options.versioning === true) mkdirSync(join(dir, "versions"));
  const port = await freePort();
  const child = spawn(options.binary, versitygwArgs(dir, port, options.versioning === true), {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output = capturedOutput(child);
  const endpoint = `http://127.0.0.1:${port}`;
  await waitForHttp("versitygw", endpoint, child, output);
  const client = (overrides: { secretAccessKey?: string } = {}) =>
    new S3Client({
      endpoint,
      region: TEST_REGION,
      forcePathStyle: true,
      credentials: {
        accessKeyId: TEST_ACCESS_KEY,
        secretAccessKey: overrides.secretAccessKey ?? TEST_SECRET_KEY,
      },
    });
  return {
    endpoint,
    env: {
      AWS_ACCESS_KEY_ID: TEST_ACCESS_KEY,
      AWS_SECRET_ACCESS_KEY: TEST_SECRET_KEY,
      AWS_REGION: TEST_REGION,
      AWS_ENDPOINT_URL_S3: endpoint,
    },
    client,
    async createBucket(name) {
      await client().send(new CreateBucketCommand({ Bucket: name }));
    },
    stop: async () => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
