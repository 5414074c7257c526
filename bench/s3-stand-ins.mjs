// The servers a benchmark of an S3 publish behind a CDN needs, in plain JavaScript (benchmarks run
// with `node`, without a TypeScript loader): versitygw as the bucket, a counting HTTP proxy, and
// CloudFront as test/support/cdn-stand-in.ts builds it (an origin reading the bucket with
// credentials, Varnish honouring Cache-Control, a CreateInvalidation/GetInvalidation endpoint that
// bans from Varnish). Same flags and VCL as the test support, so the bench measures what the tests
// check. Everything binds 127.0.0.1; every start returns a stop().
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request as httpRequest } from "node:http";
import { createServer as createTcpServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { edgeCacheVcl } from "../release/dist/rehearse/stand-ins/cdn.js";
import { toolPath } from "../scripts/tool-paths.mjs";

export const ACCESS_KEY = "kube9benchaccess";
export const SECRET_KEY = "kube9benchsecretkey0123456789";
export const REGION = "us-east-1";

/** A pinned tool of scripts/tools.json, or an error saying how to install it. */
export function installedTool(name) {
  const path = toolPath(name);
  if (!existsSync(path)) {
    throw new Error(`${name} is not installed at ${path}; install it with: npm run tools -- ${name}`);
  }
  return path;
}

function listen(server, port = 0) {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server.address().port));
  });
}

function closeServer(server) {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

async function freePort() {
  const server = createTcpServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A child process that is SIGTERMed on stop(), and SIGKILLed if this process exits first. */
function child(command, args, label) {
  const process_ = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  for (const stream of [process_.stdout, process_.stderr]) {
    stream.on("data", (chunk) => {
      output += chunk.toString();
    });
  }
  const killOnExit = () => process_.kill("SIGKILL");
  process.once("exit", killOnExit);
  return {
    output: () => output,
    exited: () => process_.exitCode !== null || process_.signalCode !== null,
    stop: () =>
      new Promise((resolve) => {
        process.removeListener("exit", killOnExit);
        if (process_.exitCode !== null || process_.signalCode !== null) return resolve();
        process_.once("exit", () => resolve());
        process_.kill("SIGTERM");
      }),
    label,
  };
}

async function waitForHttp(url, proc) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (proc.exited()) throw new Error(`${proc.label} exited: ${proc.output()}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(1_000) });
      return;
    } catch {
      if (Date.now() > deadline)
        throw new Error(`${proc.label} did not answer within 20 s: ${proc.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

export async function startVersitygw() {
  const dir = mkdtempSync(join(tmpdir(), "kube9-bench-versitygw-"));
  mkdirSync(join(dir, "root"));
  mkdirSync(join(dir, "sidecar"));
  const port = await freePort();
  const proc = child(
    installedTool("versitygw"),
    [
      ...["--access", ACCESS_KEY, "--secret", SECRET_KEY, "--region", REGION],
      ...["--port", `127.0.0.1:${port}`, "--quiet", "posix", "--sidecar", join(dir, "sidecar")],
      join(dir, "root"),
    ],
    "versitygw",
  );
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(endpoint, proc);
  } catch (error) {
    await proc.stop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const client = new S3Client({
    endpoint,
    region: REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
  });
  return {
    endpoint,
    client,
    env: { AWS_ACCESS_KEY_ID: ACCESS_KEY, AWS_SECRET_ACCESS_KEY: SECRET_KEY, AWS_REGION: REGION },
    createBucket: (name) => client.send(new CreateBucketCommand({ Bucket: name })),
    stop: async () => {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A proxy that forwards every request unchanged (Host included, so SigV4 still verifies upstream)
 * and records it: method, path, status, request body bytes (up) and response bytes (down).
 */
export async function startCountingProxy(upstreamUrl) {
  const upstream = new URL(upstreamUrl);
  const requests = [];
  const server = createServer((incoming, response) => {
    const record = { method: incoming.method, path: incoming.url, status: 0, up: 0, down: 0 };
    requests.push(record);
    const outgoing = httpRequest({
      host: upstream.hostname,
      port: upstream.port,
      method: incoming.method,
      path: incoming.url,
      headers: incoming.headers,
      setHost: false,
    });
    incoming.on("data", (chunk) => {
      record.up += chunk.length;
    });
    outgoing.on("response", (answer) => {
      record.status = answer.statusCode;
      answer.on("data", (chunk) => {
        record.down += chunk.length;
      });
      response.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.rawHeaders);
      answer.pipe(response);
    });
    outgoing.on("error", () => response.destroy());
    incoming.pipe(outgoing);
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, requests, stop: () => closeServer(server) };
}

const VCL = edgeCacheVcl;

const banPattern = (path) => `^${path.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`;
const xmlValues = (xml, tag) =>
  [...xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, "g"))].map((match) => match[1]);
const invalidationXml = (id, status, paths) =>
  `<?xml version="1.0" encoding="UTF-8"?><Invalidation xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Id>${id}</Id><Status>${status}</Status><CreateTime>${new Date().toISOString()}</CreateTime><InvalidationBatch><Paths><Quantity>${paths.length}</Quantity><Items>${paths.map((path) => `<Path>${path}</Path>`).join("")}</Items></Paths><CallerReference>bench</CallerReference></InvalidationBatch></Invalidation>`;

/**
 * CloudFront in front of `client`'s bucket. `cdn.bucket` may be changed between runs (each run
 * publishes into a fresh bucket); call `cdn.banAll()` then, so nothing of the previous one stays.
 */
export async function startCdn(client, bucket) {
  const stops = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop();
  };
  try {
    const cdn = { bucket, originRequests: [], apiRequests: [] };
    const origin = createServer((request, response) => {
      const key = decodeURIComponent(new URL(request.url ?? "/", "http://origin").pathname.slice(1));
      cdn.originRequests.push(`${request.method} /${key}`);
      client
        .send(new GetObjectCommand({ Bucket: cdn.bucket, Key: key }))
        .then(async (object) => {
          const bytes = await object.Body.transformToByteArray();
          response.writeHead(200, {
            "Content-Type": object.ContentType ?? "application/octet-stream",
            "Cache-Control": object.CacheControl ?? "",
            ETag: object.ETag ?? "",
            "Content-Length": bytes.byteLength,
          });
          response.end(request.method === "HEAD" ? undefined : bytes);
        })
        .catch((error) => {
          response.writeHead(error.$metadata?.httpStatusCode === 404 ? 404 : 502, {
            "Cache-Control": "no-store",
          });
          response.end();
        });
    });
    const originPort = await listen(origin);
    stops.push(() => closeServer(origin));

    const dir = mkdtempSync(join(tmpdir(), "kube9-bench-varnish-"));
    stops.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, "default.vcl"), VCL(originPort));
    const cachePort = await freePort();
    const varnish = child(
      installedTool("varnish"),
      [
        ...["-F", "-j", "none", "-n", join(dir, "work"), "-a", `127.0.0.1:${cachePort}`],
        // Room for a 50,000-entry index (~50 MB) and its successor.
        ...["-f", join(dir, "default.vcl"), "-s", "malloc,256m", "-T", "none"],
      ],
      "varnishd",
    );
    stops.push(() => varnish.stop());
    cdn.url = `http://127.0.0.1:${cachePort}`;
    await waitForHttp(`${cdn.url}/`, varnish);
    cdn.ban = (path) =>
      fetch(`${cdn.url}/`, { method: "BAN", headers: { "x-ban-pattern": banPattern(path) } });
    cdn.banAll = () => cdn.ban("/*");

    cdn.distributionId = "EKUBE9BENCH1";
    const invalidations = [];
    const api = createServer((request, response) => {
      void (async () => {
        cdn.apiRequests.push(`${request.method} ${request.url}`);
        const path = new URL(request.url ?? "/", "http://api").pathname;
        const base = `/2020-05-31/distribution/${cdn.distributionId}/invalidation`;
        if (request.method === "POST" && path === base) {
          let xml = "";
          for await (const chunk of request) xml += chunk.toString();
          const paths = xmlValues(xml, "Path");
          const id = `I${String(invalidations.length + 1).padStart(6, "0")}BENCH`;
          for (const invalidated of paths) await cdn.ban(invalidated);
          invalidations.push({ id, paths });
          response.writeHead(201, { "Content-Type": "text/xml", Location: `${path}/${id}` });
          response.end(invalidationXml(id, "InProgress", paths));
          return;
        }
        const known = invalidations.find((invalidation) => path === `${base}/${invalidation.id}`);
        if (request.method === "GET" && known !== undefined) {
          response.writeHead(200, { "Content-Type": "text/xml" });
          response.end(invalidationXml(known.id, "Completed", known.paths));
          return;
        }
        response.writeHead(404, { "Content-Type": "text/xml" });
        response.end(
          `<?xml version="1.0"?><ErrorResponse><Error><Type>Sender</Type><Code>NoSuchDistribution</Code><Message>not found</Message></Error></ErrorResponse>`,
        );
      })();
    });
    cdn.apiEndpoint = `http://127.0.0.1:${await listen(api)}`;
    stops.push(() => closeServer(api));
    cdn.stop = stopAll;
    return cdn;
  } catch (error) {
    await stopAll();
    throw error;
  }
}
