// Publishing one chart version into an S3 repository whose index.yaml already lists 15,000
// entries, behind a CDN: versitygw as the bucket, Varnish as the edge cache, a CloudFront API
// stand-in that purges it (bench/s3-stand-ins.mjs). Per publish: wall time, bytes uploaded to and
// downloaded from S3, requests made (S3, CloudFront API, public URL), and the time from the start
// of the publish to the new version being visible through the cache.
//
//   npm run bench                                         (15,000 entries, median of 3 runs)
//   node bench/s3-publish.bench.mjs --entries 50000 --runs 5 --json
//
// Needs the compiled CLI (npx tsc -b release) and the pinned versitygw and varnish
// (npm run tools -- versitygw varnish). Each run starts from the same state: a fresh bucket
// holding the synthetic index (bench/synthetic-index.mjs), whose old copy the cache already
// serves, as users would have fetched it. The command is what release-chart.yml runs:
// `chart publish <chart> --repo s3://... --url <cache url> --cdn cloudfront:<id> --wait`, which
// packages, uploads the archive create-only, writes the index with compare-and-swap, invalidates,
// waits, and verifies through the cache. S3 traffic goes through a counting proxy, and so does
// the CLI's traffic to the public URL. Visibility is watched from outside with HEAD requests on
// the cache (a changed ETag, then confirmed by reading the index). Prints figures only.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { serializeIndex } from "../release/dist/repo/serialize-index.js";
import { INDEX_POLICY } from "../release/dist/storage/object-policy.js";
import { startCdn, startCountingProxy, startVersitygw } from "./s3-stand-ins.mjs";
import { syntheticIndex } from "./synthetic-index.mjs";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const cli = join(root, "release", "dist", "cli", "main.js");
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : process.argv[i + 1];
};
const ENTRIES = Number(arg("--entries", "15000"));
const RUNS = Number(arg("--runs", "3"));
const JSON_OUTPUT = process.argv.includes("--json");
const CHART = "kube9-operator";
const VERSION = "99.0.0";

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const sum = (records, field) => records.reduce((total, record) => total + record[field], 0);

/** Runs the CLI without blocking this process: the servers it talks to answer from here. */
function runCli(args, env) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const proc = spawn(process.execPath, [cli, ...args], {
      cwd: root,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    proc.stdout.on("data", (chunk) => {
      stdout += chunk.toString();
    });
    proc.stderr.on("data", (chunk) => {
      stderr += chunk.toString();
    });
    proc.once("error", reject);
    proc.once("close", (code) => {
      if (code !== 0) reject(new Error(`kube9-release ${args.join(" ")} exited ${code}:\n${stderr}`));
      else resolve({ stdout, ms: Math.round(performance.now() - started) });
    });
  });
}

/**
 * Polls the cache with HEAD until index.yaml has another ETag than `etag`, from `started` on;
 * resolves with the milliseconds that took. Cheap: a hit sends headers only.
 */
async function watchVisibility(cacheUrl, etag, started, stopped) {
  while (!stopped()) {
    const response = await fetch(`${cacheUrl}/index.yaml`, { method: "HEAD" });
    if (response.ok && response.headers.get("etag") !== etag) {
      const seenMs = Math.round(performance.now() - started);
      // The new ETag must be the index that lists the new version.
      const text = await (await fetch(`${cacheUrl}/index.yaml`)).text();
      if (!text.includes(`${CHART}-${VERSION}.tgz`))
        throw new Error("the changed index lacks the new version");
      return seenMs;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return undefined;
}

const stops = [];
async function main() {
  const s3 = await startVersitygw();
  stops.push(s3.stop);
  const s3Proxy = await startCountingProxy(s3.endpoint);
  stops.push(s3Proxy.stop);
  const cdn = await startCdn(s3.client, "unset");
  stops.push(cdn.stop);
  const publicProxy = await startCountingProxy(cdn.url);
  stops.push(publicProxy.stop);

  const indexBytes = new TextEncoder().encode(serializeIndex(syntheticIndex(ENTRIES)));
  const env = {
    ...process.env,
    ...s3.env,
    AWS_ENDPOINT_URL_S3: s3Proxy.url,
    AWS_ENDPOINT_URL_CLOUDFRONT: cdn.apiEndpoint,
    // Packaging reads no git history: the same archive bytes on every run.
    SOURCE_DATE_EPOCH: "1700000000",
  };
  const samples = [];
  for (let run = 1; run <= RUNS; run++) {
    const bucket = `bench-${run}`;
    await s3.createBucket(bucket);
    await s3.client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: "index.yaml",
        Body: indexBytes,
        ContentType: INDEX_POLICY.contentType,
        CacheControl: INDEX_POLICY.cacheControl,
      }),
    );
    cdn.bucket = bucket;
    await cdn.banAll();
    // Users have the old index in the cache: without the invalidation they would keep getting it.
    const warm = await fetch(`${cdn.url}/index.yaml`);
    await warm.arrayBuffer();
    const oldEtag = warm.headers.get("etag");
    s3Proxy.requests.length = 0;
    publicProxy.requests.length = 0;
    cdn.apiRequests.length = 0;

    const started = performance.now();
    let finished = false;
    const visible = watchVisibility(cdn.url, oldEtag, started, () => finished);
    const publish = await runCli(
      [
        ...["chart", "publish", join(root, "charts", CHART), "--version", VERSION],
        ...["--repo", `s3://${bucket}`, "--path-style", "--url", publicProxy.url],
        ...["--cdn", `cloudfront:${cdn.distributionId}`, "--wait", "--json"],
      ],
      env,
    ).finally(() => {
      finished = true;
    });
    const visibleMs = await visible;
    if (visibleMs === undefined) throw new Error("the new version never became visible through the cache");
    const result = JSON.parse(publish.stdout);
    samples.push({
      wallMs: publish.ms,
      visibleFromStartMs: visibleMs,
      cliVisibleAfterWriteMs: result.visibleAfterMs,
      s3Requests: s3Proxy.requests.length,
      s3BytesUp: sum(s3Proxy.requests, "up"),
      s3BytesDown: sum(s3Proxy.requests, "down"),
      cloudFrontRequests: cdn.apiRequests.length,
      publicRequests: publicProxy.requests.length,
      publicBytesDown: sum(publicProxy.requests, "down"),
      s3Calls: s3Proxy.requests.map(
        (r) => `${r.method} ${r.path.split("?")[0]} ${r.status} up ${r.up} down ${r.down}`,
      ),
      cloudFrontCalls: [...cdn.apiRequests],
      publicCalls: publicProxy.requests.map((r) => `${r.method} ${r.path} ${r.status} down ${r.down}`),
    });
  }

  const numeric = Object.keys(samples[0]).filter((key) => typeof samples[0][key] === "number");
  const medians = Object.fromEntries(numeric.map((key) => [key, median(samples.map((s) => s[key]))]));
  const cpu = readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.*)/)?.[1] ?? "unknown CPU";
  if (JSON_OUTPUT) {
    console.log(
      JSON.stringify(
        {
          entries: ENTRIES,
          indexBytes: indexBytes.byteLength,
          runs: RUNS,
          node: process.version,
          cpu,
          median: medians,
          samples,
        },
        null,
        2,
      ),
    );
    return;
  }
  const mb = (bytes) => (bytes / 1e6).toFixed(2);
  const s = (ms) => (ms / 1000).toFixed(2);
  console.log(
    `S3 publish of ${CHART} ${VERSION} into a ${ENTRIES}-entry index (${mb(indexBytes.byteLength)} MB) on versitygw behind Varnish; median of ${RUNS} runs; node ${process.version}; ${cpu}`,
  );
  console.log(
    "wall s | visible from start s | visible after index write s (CLI) | S3 requests | S3 MB up | S3 MB down | CloudFront requests | public URL requests | public MB down",
  );
  const row = (m) =>
    `${s(m.wallMs)} | ${s(m.visibleFromStartMs)} | ${s(m.cliVisibleAfterWriteMs)} | ${m.s3Requests} | ${mb(m.s3BytesUp)} | ${mb(m.s3BytesDown)} | ${m.cloudFrontRequests} | ${m.publicRequests} | ${mb(m.publicBytesDown)}`;
  for (const [i, sample] of samples.entries()) console.log(`run ${i + 1}: ${row(sample)}`);
  console.log(`median: ${row(medians)}`);
  console.log(`S3 calls of run 1: ${samples[0].s3Calls.join("; ")}`);
  console.log(`CloudFront calls of run 1: ${samples[0].cloudFrontCalls.join("; ")}`);
  console.log(`public URL calls of run 1: ${samples[0].publicCalls.join("; ")}`);
}

// Stop every server, on success and on error, in reverse order of start.
let failed = false;
try {
  await main();
} catch (error) {
  failed = true;
  console.error(error);
} finally {
  for (const stop of stops.reverse()) await stop().catch((error) => console.error(error));
}
process.exitCode = failed ? 1 : 0;
