/**
 * CloudFront, as tests can run it here: an origin that reads the bucket with credentials (what
 * Origin Access Control does), a real HTTP cache in front of it (Varnish, which takes its TTLs
 * from the objects' Cache-Control), and a CloudFront API endpoint (CreateInvalidation,
 * GetInvalidation) that bans the invalidated paths from the cache. Everything binds 127.0.0.1.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { capturedOutput, closeServer, freePort, listen, stopChild, waitForHttp } from "./net.js";

export interface CdnStandIn {
  /** The public URL users would give to `helm repo add`. */
  url: string;
  /** Point the AWS SDK's CloudFront client here (AWS_ENDPOINT_URL_CLOUDFRONT). */
  apiEndpoint: string;
  distributionId: string;
  /** Requests that reached the origin (cache misses), as "GET /key". */
  originRequests: string[];
  /** Invalidations received, with their paths. */
  invalidations: Array<{ id: string; paths: string[] }>;
  /** Makes the CloudFront API answer every request with this HTTP status (0: answer normally). */
  failApiWith(status: number): void;
  stop(): Promise<void>;
}

function body(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    request.on("data", (chunk: Buffer) => {
      text += chunk.toString();
    });
    request.on("end", () => resolve(text));
  });
}

/** The origin: GET /<key> reads <bucket>/<prefix><key> with the client's credentials. */
function originServer(client: S3Client, bucket: string, prefix: string, requests: string[]): Server {
  return createServer((request, response) => {
    const key = decodeURIComponent(new URL(request.url ?? "/", "http://origin").pathname.slice(1));
    requests.push(`${request.method} /${key}`);
    client
      .send(new GetObjectCommand({ Bucket: bucket, Key: `${prefix}${key}` }))
      .then(async (object) => {
        const bytes = (await object.Body?.transformToByteArray()) ?? new Uint8Array();
        response.writeHead(200, {
          "Content-Type": object.ContentType ?? "application/octet-stream",
          "Cache-Control": object.CacheControl ?? "",
          ETag: object.ETag ?? "",
          "Content-Length": bytes.byteLength,
        });
        response.end(request.method === "HEAD" ? undefined : bytes);
      })
      .catch((error: { $metadata?: { httpStatusCode?: number } }) => {
        // With s3:ListBucket granted, a missing key is a 404, without it a 403 (S3 GetObject
        // permissions; docs/infrastructure.md, CloudFront).
        response.writeHead(error.$metadata?.httpStatusCode === 404 ? 404 : 502, {
          "Cache-Control": "no-store",
        });
        response.end();
      });
  });
}

export interface BucketOrigin {
  /** Serves the bucket read-only, uncached: what `helm repo add` can be pointed at directly. */
  url: string;
  /** Requests received, as "GET /key". */
  requests: string[];
  stop(): Promise<void>;
}

/**
 * The origin alone, without a cache in front: the bucket exactly as it is now, over plain HTTP
 * (versitygw itself serves no anonymous reads). Run Helm against it with an async exec: this
 * server answers from the test's own process.
 */
export async function startBucketOrigin(
  client: S3Client,
  bucket: string,
  prefix: string,
): Promise<BucketOrigin> {
  const requests: string[] = [];
  const server = originServer(client, bucket, prefix, requests);
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    stop: () => closeServer(server),
  };
}

/**
 * The edge cache's configuration: every GET is cached for as long as the object's Cache-Control
 * allows (what a CloudFront cache policy honouring origin headers does), BAN drops matching URLs.
 * The tests, the rehearsal and bench/s3-publish.bench.ts all cache with it.
 */
export function edgeCacheVcl(originPort: number): string {
  return `vcl 4.1;
backend origin { .host = "127.0.0.1"; .port = "${originPort}"; }
acl purgers { "127.0.0.1"; }
sub vcl_recv {
  if (req.method == "BAN") {
    if (!client.ip ~ purgers) { return (synth(405, "Not allowed")); }
    ban("obj.http.x-url ~ " + req.http.x-ban-pattern);
    return (synth(200, "Banned"));
  }
  if (req.method != "GET" && req.method != "HEAD") { return (pass); }
  return (hash);
}
sub vcl_backend_response {
  # Keep the URL on the object so that bans match it (ban lurker friendly).
  set beresp.http.x-url = bereq.url;
}
sub vcl_deliver {
  unset resp.http.x-url;
  if (obj.hits > 0) { set resp.http.x-cache = "HIT"; } else { set resp.http.x-cache = "MISS"; }
}
`;
}

/** A CloudFront path pattern as a regular expression over URLs: `*` matches anything. */
function banPattern(path: string): string {
  const escaped = path.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*");
  return `^${escaped}$`;
}

function xmlValues(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, "g"))].map((match) => match[1] ?? "");
}

function invalidationXml(id: string, status: string, paths: string[], reference: string): string {
  const items = paths.map((path) => `<Path>${path}</Path>`).join("");
  return `<?xml version="1.0" encoding="UTF-8"?><Invalidation xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Id>${id}</Id><Status>${status}</Status><CreateTime>${new Date().toISOString()}</CreateTime><InvalidationBatch><Paths><Quantity>${paths.length}</Quantity><Items>${items}</Items></Paths><CallerReference>${reference}</CallerReference></InvalidationBatch></Invalidation>`;
}

export interface CdnStandInOptions {
  /** The varnishd binary. */
  varnishd: string;
  /** Reads the bucket as Origin Access Control does. */
  client: S3Client;
  bucket: string;
  prefix: string;
}

/** varnishd in front of the origin on `originPort`, as CloudFront's edge cache, once it answers. */
async function startEdgeCache(
  varnishd: string,
  originPort: number,
): Promise<{ varnish: ChildProcess; dir: string; url: string }> {
  const dir = mkdtempSync(join(tmpdir(), "kube9-varnish-"));
  writeFileSync(join(dir, "default.vcl"), edgeCacheVcl(originPort));
  const cachePort = await freePort();
  const varnish: ChildProcess = spawn(
    varnishd,
    [
      "-F",
      "-j",
      "none",
      "-n",
      join(dir, "work"),
      "-a",
      `127.0.0.1:${cachePort}`,
      "-f",
      join(dir, "default.vcl"),
      "-s",
      "malloc,64m",
      "-T",
      "none",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const log = capturedOutput(varnish);
  const url = `http://127.0.0.1:${cachePort}`;
  await waitForHttp("varnishd", `${url}/`, varnish, log);
  return { varnish, dir, url };
}

/**
 * The CloudFront API of one distribution: an invalidation bans its paths from the edge cache at
 * `url` and is recorded in `invalidations`; while `failStatus()` is not 0, every call fails with it.
 */
function invalidationApi(
  distributionId: string,
  url: string,
  invalidations: CdnStandIn["invalidations"],
  failStatus: () => number,
): Server {
  return createServer((request, response) => {
    void (async () => {
      if (failStatus() !== 0) {
        response.writeHead(failStatus(), { "Content-Type": "text/xml" });
        response.end(
          `<?xml version="1.0"?><ErrorResponse><Error><Type>Receiver</Type><Code>ServiceUnavailable</Code><Message>stand-in told to fail</Message></Error></ErrorResponse>`,
        );
        return;
      }
      const path = new URL(request.url ?? "/", "http://api").pathname;
      const create = new RegExp(`^/2020-05-31/distribution/${distributionId}/invalidation$`);
      const get = new RegExp(`^/2020-05-31/distribution/${distributionId}/invalidation/([A-Z0-9]+)$`);
      if (request.method === "POST" && create.test(path)) {
        const xml = await body(request);
        const paths = xmlValues(xml, "Path");
        const reference = xmlValues(xml, "CallerReference")[0] ?? "";
        const id = `I${String(invalidations.length + 1).padStart(6, "0")}STANDIN`;
        for (const invalidated of paths) {
          await fetch(`${url}/`, { method: "BAN", headers: { "x-ban-pattern": banPattern(invalidated) } });
        }
        invalidations.push({ id, paths });
        response.writeHead(201, { "Content-Type": "text/xml", Location: `${path}/${id}` });
        response.end(invalidationXml(id, "InProgress", paths, reference));
        return;
      }
      const found = get.exec(path);
      const known = invalidations.find((invalidation) => invalidation.id === found?.[1]);
      if (request.method === "GET" && known !== undefined) {
        response.writeHead(200, { "Content-Type": "text/xml" });
        response.end(invalidationXml(known.id, "Completed", known.paths, "done"));
        return;
      }
      // As CloudFront: an unknown id of a known distribution is NoSuchInvalidation.
      const code = request.method === "GET" && found !== null ? "NoSuchInvalidation" : "NoSuchDistribution";
      response.writeHead(404, { "Content-Type": "text/xml" });
      response.end(
        `<?xml version="1.0"?><ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>not found</Message></Error></ErrorResponse>`,
      );
    })();
  });
}

export async function startCdnStandIn(options: CdnStandInOptions): Promise<CdnStandIn> {
  const { client, bucket, prefix } = options;
  const originRequests: string[] = [];
  const invalidations: CdnStandIn["invalidations"] = [];
  const origin = originServer(client, bucket, prefix, originRequests);
  const originPort = await listen(origin);
  const { varnish, dir, url } = await startEdgeCache(options.varnishd, originPort);
  originRequests.length = 0;
  const distributionId = "EKUBE9STANDIN1";
  let failStatus = 0;
  const api = invalidationApi(distributionId, url, invalidations, () => failStatus);
  const apiPort = await listen(api);
  return {
    url,
    apiEndpoint: `http://127.0.0.1:${apiPort}`,
    distributionId,
    originRequests,
    invalidations,
    failApiWith: (status) => {
      failStatus = status;
    },
    stop: async () => {
      await stopChild(varnish);
      await Promise.all([closeServer(origin), closeServer(api)]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
