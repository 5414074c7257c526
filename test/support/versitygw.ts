/**
 * A real S3 endpoint for tests: versitygw over a temporary directory, on 127.0.0.1. It enforces
 * If-Match / If-None-Match and keeps Cache-Control and Content-Type, unlike the npm S3 fakes.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { toolPath } from "./tools.js";

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

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`versitygw exited with ${child.exitCode}: ${output()}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(1_000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`versitygw did not answer at ${url} within 20 s: ${output()}`);
}

export interface VersitygwOptions {
  /** Keep object versions (buckets still need PutBucketVersioning, as on S3). Default false. */
  versioning?: boolean;
}

export async function startVersitygw(options: VersitygwOptions = {}): Promise<S3StandIn> {
  const dir = mkdtempSync(join(tmpdir(), "kube9-versitygw-"));
  mkdirSync(join(dir, "root"));
  mkdirSync(join(dir, "sidecar"));
  if (options.versioning === true) mkdirSync(join(dir, "versions"));
  const port = await freePort();
  const child = spawn(
    toolPath("versitygw"),
    [
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
      ...(options.versioning === true ? ["--versioning-dir", join(dir, "versions")] : []),
      join(dir, "root"),
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const endpoint = `http://127.0.0.1:${port}`;
  await waitForHttp(endpoint, child, () => output);
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
    stop: () =>
      new Promise<void>((resolve) => {
        const done = () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        };
        if (child.exitCode !== null) return done();
        child.once("exit", done);
        child.kill("SIGTERM");
      }),
  };
}
