/**
 * Publishing one chart version into an S3 repository whose index.yaml already lists 15,000
 * entries, behind a CDN, with the stand-ins the tests and the rehearsal use (versitygw as the
 * bucket; Varnish and the CloudFront API stand-in of release/src/rehearse/stand-ins/cdn.ts). Per
 * publish: wall time, bytes uploaded to and downloaded from S3, requests made (S3, CloudFront
 * API, public URL), and the time from the start of the publish to the new version being visible
 * through the cache.
 *
 *   npm run bench                                            (15,000 entries, median of 3 runs)
 *   BENCH_ENTRIES=50000 BENCH_RUNS=5 BENCH_JSON=1 npx vitest run --config bench/vitest.config.ts bench/s3-publish.bench.ts
 *
 * Each run starts from the same state: a fresh bucket holding the synthetic index
 * (bench/synthetic-index.mjs), whose old copy the cache already serves, as users would have
 * fetched it. The command is what release-chart.yml runs: `chart publish ... --repo s3://...
 * --url <cache url> --cdn cloudfront:<id> --wait`, which packages, uploads the archive
 * create-only, writes the index with compare-and-swap, invalidates, waits, and verifies through
 * the cache. S3, CloudFront API and public URL traffic each go through a counting proxy.
 * Visibility is watched from outside with HEAD requests on the cache (a changed ETag, then
 * confirmed by reading the index). Prints figures only.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, it } from "vitest";
import { serializeIndex } from "../release/src/repo/serialize/serialize-index.js";
import { INDEX_POLICY } from "../release/src/storage/object-policy.js";
import { startCdnStandIn } from "../test/support/cdn-stand-in.js";
import { runReleaseAsync } from "../test/support/cli.js";
import {
  type CountedRequest,
  type CountingProxy,
  startCountingProxy,
} from "../test/support/counting-proxy.js";
import { repoRoot } from "../test/support/tools.js";
import { type S3StandIn, startVersitygw } from "../test/support/versitygw.js";
import { syntheticIndex } from "./synthetic-index.mjs";

const ENTRIES = Number(process.env.BENCH_ENTRIES ?? "15000");
const RUNS = Number(process.env.BENCH_RUNS ?? "3");
const JSON_OUTPUT = process.env.BENCH_JSON === "1";
const CHART = "kube9-operator";
const VERSION = "99.0.0";

interface Sample {
  wallMs: number;
  visibleFromStartMs: number;
  cliVisibleAfterWriteMs: number;
  s3Requests: number;
  s3BytesUp: number;
  s3BytesDown: number;
  cloudFrontRequests: number;
  publicRequests: number;
  publicBytesDown: number;
  s3Calls: string[];
  cloudFrontCalls: string[];
  publicCalls: string[];
}

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const sum = (requests: CountedRequest[], field: "up" | "down"): number =>
  requests.reduce((total, request) => total + request[field], 0);

/**
 * Polls the cache with HEAD until index.yaml has another ETag than `etag`; resolves with the
 * milliseconds since `started`. Cheap: a hit sends headers only.
 */
async function watchVisibility(
  cacheUrl: string,
  etag: string | null,
  started: number,
  stopped: () => boolean,
): Promise<number | undefined> {
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

let s3: S3StandIn;
let s3Proxy: CountingProxy;
const stops: Array<() => Promise<void>> = [];

beforeAll(async () => {
  s3 = await startVersitygw();
  stops.push(() => s3.stop());
  s3Proxy = await startCountingProxy(s3.endpoint);
  stops.push(() => s3Proxy.stop());
});

afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
});

/** One publish into a fresh bucket behind a fresh cache that already serves the old index. */
async function publishOnce(run: number, indexBytes: Uint8Array): Promise<Sample> {
  const bucket = `bench-${run}`;
  await s3.createBucket(bucket);
  const client = s3.client();
  await client.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: "index.yaml",
      Body: indexBytes,
      ContentType: INDEX_POLICY.contentType,
      CacheControl: INDEX_POLICY.cacheControl,
    }),
  );
  const cdn = await startCdnStandIn(client, bucket, "");
  const api = await startCountingProxy(cdn.apiEndpoint);
  const publicProxy = await startCountingProxy(cdn.url);
  try {
    // Users have the old index in the cache: without the invalidation they would keep getting it.
    const warm = await fetch(`${cdn.url}/index.yaml`);
    await warm.arrayBuffer();
    s3Proxy.requests.length = 0;

    const started = performance.now();
    let finished = false;
    const visible = watchVisibility(cdn.url, warm.headers.get("etag"), started, () => finished);
    const publish = await runReleaseAsync(
      [
        ...["chart", "publish", join(repoRoot, "charts", CHART), "--version", VERSION],
        ...["--repo", `s3://${bucket}`, "--path-style", "--url", publicProxy.url],
        ...["--cdn", `cloudfront:${cdn.distributionId}`, "--wait", "--json"],
      ],
      {
        cwd: repoRoot,
        env: { ...s3.env, AWS_ENDPOINT_URL_S3: s3Proxy.url, AWS_ENDPOINT_URL_CLOUDFRONT: api.url },
      },
    ).finally(() => {
      finished = true;
    });
    const wallMs = Math.round(performance.now() - started);
    if (publish.status !== 0) throw new Error(`chart publish exited ${publish.status}:\n${publish.stderr}`);
    const visibleFromStartMs = await visible;
    if (visibleFromStartMs === undefined)
      throw new Error("the new version never became visible through the cache");
    const result = JSON.parse(publish.stdout) as { visibleAfterMs: number };
    return {
      wallMs,
      visibleFromStartMs,
      cliVisibleAfterWriteMs: result.visibleAfterMs,
      s3Requests: s3Proxy.requests.length,
      s3BytesUp: sum(s3Proxy.requests, "up"),
      s3BytesDown: sum(s3Proxy.requests, "down"),
      cloudFrontRequests: api.requests.length,
      publicRequests: publicProxy.requests.length,
      publicBytesDown: sum(publicProxy.requests, "down"),
      s3Calls: s3Proxy.requests.map(
        (r) => `${r.method} ${r.path.split("?")[0]} ${r.status} up ${r.up} down ${r.down}`,
      ),
      cloudFrontCalls: api.requests.map((r) => `${r.method} ${r.path} ${r.status}`),
      publicCalls: publicProxy.requests.map((r) => `${r.method} ${r.path} ${r.status} down ${r.down}`),
    };
  } finally {
    await publicProxy.stop();
    await api.stop();
    await cdn.stop();
  }
}

it(`publishes into a ${ENTRIES}-entry S3 index behind the CDN (${RUNS} runs)`, async () => {
  const indexBytes = new TextEncoder().encode(serializeIndex(syntheticIndex(ENTRIES)));
  const samples: Sample[] = [];
  for (let run = 1; run <= RUNS; run++) samples.push(await publishOnce(run, indexBytes));

  const numeric = (Object.keys(samples[0] ?? {}) as Array<keyof Sample>).filter(
    (key) => typeof samples[0]?.[key] === "number",
  );
  const medians = Object.fromEntries(
    numeric.map((key) => [key, median(samples.map((sample) => sample[key] as number))]),
  ) as Record<string, number>;
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
  const mb = (bytes = 0) => (bytes / 1e6).toFixed(2);
  const s = (ms = 0) => (ms / 1000).toFixed(2);
  const row = (m: Record<string, number>) =>
    `${s(m.wallMs)} | ${s(m.visibleFromStartMs)} | ${s(m.cliVisibleAfterWriteMs)} | ${m.s3Requests} | ${mb(m.s3BytesUp)} | ${mb(m.s3BytesDown)} | ${m.cloudFrontRequests} | ${m.publicRequests} | ${mb(m.publicBytesDown)}`;
  const lines = [
    `S3 publish of ${CHART} ${VERSION} into a ${ENTRIES}-entry index (${mb(indexBytes.byteLength)} MB) on versitygw behind Varnish; median of ${RUNS} runs; node ${process.version}; ${cpu}`,
    "wall s | visible from start s | visible after index write s (CLI) | S3 requests | S3 MB up | S3 MB down | CloudFront requests | public URL requests | public MB down",
    ...samples.map((sample, i) => `run ${i + 1}: ${row(sample as unknown as Record<string, number>)}`),
    `median: ${row(medians)}`,
    `S3 calls of run 1: ${samples[0]?.s3Calls.join("; ")}`,
    `CloudFront calls of run 1: ${samples[0]?.cloudFrontCalls.join("; ")}`,
    `public URL calls of run 1: ${samples[0]?.publicCalls.join("; ")}`,
  ];
  console.log(lines.join("\n"));
});
