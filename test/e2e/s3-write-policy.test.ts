/**
 * The write rules of docs/infrastructure.md: every write kube9-release sends to S3 is one the chart
 * bucket's policy and the publisher role allow, as the synthesized CloudFormation template states
 * them: archives create-only (If-None-Match), index.yaml compare-and-swap (If-Match or
 * If-None-Match), only the keys a repository has, each with the Content-Type the infrastructure
 * expects. The writes are recorded by the fault proxy in front of versitygw (which does not
 * evaluate policy conditions).
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPOSITORY_OBJECTS } from "../../infrastructure/lib/repository-objects.js";
import { objectPolicyFor } from "../../release/src/storage/object-policy.js";
import { runReleaseAsync } from "../support/cli.js";
import { type ProxiedRequest, type S3FaultProxy, startS3FaultProxy } from "../support/s3-fault-proxy.js";
import {
  chartBucketWriteRules,
  isObjectWrite,
  matchesKey,
  refusal,
  type WriteRules,
} from "../support/s3-write-policy.js";
import { repoRoot } from "../support/tools.js";
import { type S3StandIn, startVersitygw } from "../support/versitygw.js";

let s3: S3StandIn;
let proxy: S3FaultProxy;
let work: string;
let rules: WriteRules;
let writes: ProxiedRequest[];

const cli = (args: string[]) =>
  runReleaseAsync(args, { cwd: work, env: { ...s3.env, AWS_ENDPOINT_URL_S3: proxy.endpoint } });

beforeAll(async () => {
  rules = chartBucketWriteRules();
  s3 = await startVersitygw();
  proxy = await startS3FaultProxy(s3.endpoint);
  work = mkdtempSync(join(tmpdir(), "kube9-write-policy-"));
  cpSync(join(repoRoot, "charts", "kube9-operator"), join(work, "chart"), { recursive: true });
  // Artifact Hub's repository file: created by the first publish, replaced (edited) by the second.
  cpSync(join(repoRoot, "charts", "artifacthub-repo.yml"), join(work, "artifacthub-repo.yml"));
  writeFileSync(join(work, "edited-repo.yml"), "owners: []\nignore: []\n");
  // Everything a release and a repair do, at the bucket root and under a prefix: a first publish
  // (new index), later publishes, two at once (one loses the compare-and-swap and merges again),
  // a retry of a published version, and a reindex.
  for (const repo of ["s3://policy-root", "s3://policy-prefix/charts"]) {
    await s3.createBucket(repo.slice(5).split("/")[0] as string);
    const publish = (version: string, ...extra: string[]) =>
      cli(["chart", "publish", "chart", "--repo", repo, "--path-style", "--version", version, ...extra]);
    for (const run of [
      await publish("1.0.0", "--artifacthub-repo", "artifacthub-repo.yml"),
      await publish("1.1.0", "--artifacthub-repo", "edited-repo.yml"),
      ...(await Promise.all([publish("1.2.0"), publish("1.3.0")])),
      await publish("1.1.0"),
      await cli(["repo", "reindex", "--repo", repo, "--path-style"]),
    ]) {
      expect(run.stderr).not.toMatch(/^error/m);
      expect(run.status).toBe(0);
    }
  }
  writes = proxy.requests.filter(isObjectWrite);
}, 600_000);

afterAll(async () => {
  await proxy?.stop();
  await s3?.stop();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

const objectKey = (w: ProxiedRequest) => w.key;

describe("writes of chart publish and repo reindex against the stack's policies", () => {
  it("wrote archives and indexes, at the root and under the prefix", () => {
    const keys = new Set(writes.map(objectKey));
    for (const key of [
      "index.yaml",
      "kube9-operator-1.3.0.tgz",
      "charts/index.yaml",
      "charts/kube9-operator-1.3.0.tgz",
      "artifacthub-repo.yml",
      "charts/artifacthub-repo.yml",
    ]) {
      expect(keys).toContain(key);
    }
  });

  it("sent no write the bucket policy or the publisher role would refuse", () => {
    const refused = writes.map((w) => [w.key, refusal(rules, w)]).filter(([, why]) => why !== undefined);
    expect(refused).toEqual([]);
  });

  it("wrote artifacthub-repo.yml create-only first, then replaced it with If-Match", () => {
    const repoFileWrites = writes.filter((w) => w.key === "artifacthub-repo.yml");
    expect(
      repoFileWrites.map((w) =>
        w.headers["if-none-match"] === "*" ? "create" : w.headers["if-match"] === undefined ? "?" : "replace",
      ),
    ).toEqual(["create", "replace"]);
  });

  it("wrote every archive create-only and every index conditionally", () => {
    for (const write of writes) {
      if (write.key.endsWith(".tgz")) expect(write.headers["if-none-match"]).toBe("*");
      else expect(write.headers["if-match"] ?? write.headers["if-none-match"]).toBeDefined();
    }
  });

  it("set on each object the Content-Type the infrastructure lists for its key", () => {
    for (const write of writes) {
      const kind = REPOSITORY_OBJECTS.find((o) => matchesKey(o.pattern, write.key));
      expect(kind, write.key).toBeDefined();
      expect(write.headers["content-type"]).toBe(kind?.contentType);
      expect(kind?.contentType).toBe(objectPolicyFor(write.key.split("/").pop() as string).contentType);
    }
  });

  it("the check is not vacuous: the rules refuse an overwrite, an unconditional index write and a stray key", () => {
    const put = (key: string, headers: Record<string, string>) => ({
      method: "PUT",
      key,
      query: "",
      headers,
    });
    expect(refusal(rules, put("index.yaml", {}))).toMatch(/RequireConditionalWritesOnIndex/);
    expect(refusal(rules, put("charts/index.yaml", {}))).toMatch(/RequireConditionalWritesOnIndex/);
    expect(refusal(rules, put("artifacthub-repo.yml", {}))).toMatch(/RequireConditionalWritesOnIndex/);
    expect(refusal(rules, put("charts/artifacthub-repo.yml", {}))).toMatch(/RequireConditionalWritesOnIndex/);
    expect(refusal(rules, put("kube9-operator-1.0.0.tgz", {}))).toMatch(/RequireCreateOnlyWritesOnArchives/);
    expect(refusal(rules, put("kube9-operator-1.0.0.tgz", { "if-match": '"abc"' }))).toMatch(
      /RequireCreateOnlyWritesOnArchives/,
    );
    expect(refusal(rules, put("kube9-operator-1.0.0.tgz.prov", {}))).toMatch(
      /RequireCreateOnlyWritesOnArchives/,
    );
    expect(refusal(rules, put("index.html", { "if-none-match": "*" }))).toMatch(/may not write index.html/);
    expect(refusal(rules, put("kube9-operator-1.0.0.tgz", { "if-none-match": "*" }))).toBeUndefined();
  });
});
