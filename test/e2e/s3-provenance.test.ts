/**
 * A signed `chart publish --repo s3://...` against versitygw through the fault proxy: the public
 * key, the archive and its .prov are written create-only before the index names the version, each
 * write one the stack's bucket policy and publisher role allow (at the root and under a prefix); a
 * .prov upload that fails leaves the version unlisted, and the same command run again completes it;
 * a further run writes nothing.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetObjectCommand, HeadObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readPublicKeys } from "../../release/src/provenance/keys.js";
import { verifyProvenance } from "../../release/src/provenance/provenance.js";
import { runReleaseAsync } from "../support/cli.js";
import { generateTestKey, type TestKey } from "../support/pgp-keys.js";
import { type ProxiedRequest, type S3FaultProxy, startS3FaultProxy } from "../support/s3-fault-proxy.js";
import {
  chartBucketWriteRules,
  isObjectWrite,
  refusal,
  type WriteRules,
} from "../support/s3-write-policy.js";
import { repoRoot } from "../support/tools.js";
import { type S3StandIn, startVersitygw } from "../support/versitygw.js";

const ARCHIVE = "kube9-operator-1.0.0.tgz";

let s3: S3StandIn;
let proxy: S3FaultProxy;
let work: string;
let key: TestKey;
let rules: WriteRules;

const publish = (repo: string) =>
  runReleaseAsync(
    [
      "chart",
      "publish",
      "chart",
      "--repo",
      repo,
      "--path-style",
      "--version",
      "1.0.0",
      "--sign-key",
      "env:KUBE9_SIGNING_KEY",
      "--json",
    ],
    {
      cwd: work,
      env: { ...s3.env, AWS_ENDPOINT_URL_S3: proxy.endpoint, KUBE9_SIGNING_KEY: key.armoredPrivate },
    },
  );

async function object(
  bucket: string,
  name: string,
): Promise<{ body: Uint8Array; contentType?: string } | undefined> {
  try {
    const got = await s3.client().send(new GetObjectCommand({ Bucket: bucket, Key: name }));
    return {
      body: (await got.Body?.transformToByteArray()) ?? new Uint8Array(),
      ...(got.ContentType === undefined ? {} : { contentType: got.ContentType }),
    };
  } catch (error) {
    if ((error as { name?: string }).name === "NoSuchKey") return undefined;
    throw error;
  }
}

const writesSince = (from: number): ProxiedRequest[] => proxy.requests.slice(from).filter(isObjectWrite);

beforeAll(async () => {
  [key, rules] = await Promise.all([
    generateTestKey("kube9 test charts"),
    Promise.resolve(chartBucketWriteRules()),
  ]);
  s3 = await startVersitygw();
  proxy = await startS3FaultProxy(s3.endpoint);
  work = mkdtempSync(join(tmpdir(), "kube9-s3-provenance-"));
  cpSync(join(repoRoot, "charts", "kube9-operator"), join(work, "chart"), { recursive: true });
  writeFileSync(join(work, "pubkey.asc"), key.armoredPublic);
}, 300_000);

afterAll(async () => {
  await proxy?.stop();
  await s3?.stop();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe.each([
  ["at the bucket's root", "prov-root", ""],
  ["under a prefix", "prov-prefix", "charts/"],
])("a signed publish %s", (_label, bucket, prefix) => {
  const repo = `s3://${bucket}${prefix === "" ? "" : `/${prefix.slice(0, -1)}`}`;

  beforeAll(() => s3.createBucket(bucket));

  it("fails when the .prov upload fails, before the index names the version", async () => {
    const from = proxy.requests.length;
    proxy.inject({
      match: (request) => request.method === "PUT" && request.key === `${prefix}${ARCHIVE}.prov`,
      fault: "AccessDenied",
      times: 1,
    });
    const run = await publish(repo);
    expect(run.status).toBe(1);
    expect((JSON.parse(run.stdout) as { error: { code: string } }).error.code).toBe("STORAGE_FAILED");
    expect(writesSince(from).map((w) => `${w.key} ${w.outcome}`)).toEqual([
      `${prefix}pubkey.asc forwarded`,
      `${prefix}pubkey.gpg forwarded`,
      `${prefix}${ARCHIVE} forwarded`,
      `${prefix}${ARCHIVE}.prov injected`,
    ]);
    expect(await object(bucket, `${prefix}index.yaml`)).toBeUndefined();
    expect(await object(bucket, `${prefix}${ARCHIVE}.prov`)).toBeUndefined();
  });

  it("is completed by the same command run again: the .prov, then the index", async () => {
    const from = proxy.requests.length;
    const run = await publish(repo);
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as {
      result: Record<string, string>;
      provenance: { signedBy: string };
    };
    expect(result.result).toMatchObject({
      publicKey: "already-stored",
      archive: "already-stored",
      provenance: "uploaded",
      index: "created",
    });
    expect(result.provenance.signedBy).toBe(key.fingerprint);
    expect(writesSince(from).map((w) => w.key)).toEqual([
      `${prefix}${ARCHIVE}`,
      `${prefix}${ARCHIVE}.prov`,
      `${prefix}index.yaml`,
    ]);
    const prov = await object(bucket, `${prefix}${ARCHIVE}.prov`);
    expect(prov?.contentType).toBe("application/pgp-signature");
    const archive = await object(bucket, `${prefix}${ARCHIVE}`);
    const { createHash } = await import("node:crypto");
    const verified = await verifyProvenance(
      new TextDecoder().decode(prov?.body),
      {
        archiveName: ARCHIVE,
        digest: createHash("sha256")
          .update(archive?.body ?? new Uint8Array())
          .digest("hex"),
      },
      await readPublicKeys(key.binaryPublic, "pubkey.gpg"),
      "stored .prov",
    );
    expect(verified.signedBy).toBe(key.fingerprint);
    const keyring = await s3
      .client()
      .send(new HeadObjectCommand({ Bucket: bucket, Key: `${prefix}pubkey.gpg` }));
    expect(keyring.ContentType).toBe("application/pgp-keys");
  });

  it("then writes nothing when run again", async () => {
    const from = proxy.requests.length;
    const run = await publish(repo);
    expect(run.status, run.stderr).toBe(0);
    // Create-only attempts that S3 answers 412 are the only writes: nothing is replaced.
    expect(writesSince(from).map((w) => `${w.key} ${w.status}`)).toEqual([
      `${prefix}${ARCHIVE} 412`,
      `${prefix}${ARCHIVE}.prov 412`,
    ]);
  });

  it("sent only writes the bucket policy and the publisher role allow", () => {
    const writes = proxy.requests.filter(isObjectWrite).filter((w) => w.bucket === bucket);
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.map((w) => [w.key, refusal(rules, w)]).filter(([, why]) => why !== undefined)).toEqual([]);
  });
});
