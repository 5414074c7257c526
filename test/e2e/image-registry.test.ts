/**
 * `image verify`, `image wait` and `image tags --image` against the real distribution registry
 * with token authentication on, exactly as an anonymous user meets ghcr.io: every read goes
 * through 401 -> token -> retry. The compiled CLI runs as a separate process (asynchronously: the
 * token endpoint lives in this process and must keep answering).
 */
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer, request, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listen } from "../support/net.js";
import { startRegistry, type TestRegistry } from "../support/registry.js";
import { cliPath, repoRoot } from "../support/tools.js";
import { type Descriptor, layer, Pusher } from "./image-push.js";

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cliPath, ...args],
      { cwd: repoRoot, encoding: "utf8" },
      (error, stdout, stderr) => {
        const status = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
        resolve({ status, stdout, stderr });
      },
    );
  });
}

const REVISION = "0123456789abcdef0123456789abcdef01234567";
const goodLabels = {
  "org.opencontainers.image.version": "1.2.3",
  "org.opencontainers.image.revision": REVISION,
  "org.opencontainers.image.source": "https://github.com/alto9/kube9-operator",
};
const NAME = "alto9/kube9-operator";

let registry: TestRegistry;
let pusher: Pusher;
let proxy: Server;
let proxyHost: string;

async function platforms(labels = goodLabels, extraLayer?: Buffer): Promise<Descriptor[]> {
  const out: Descriptor[] = [];
  for (const architecture of ["amd64", "arm64"]) {
    const layers = [layer(`base-${architecture}`), layer(`app-${architecture}`)];
    if (extraLayer !== undefined) layers.push(extraLayer);
    out.push(await pusher.image({ os: "linux", architecture, labels, layers }));
  }
  return out;
}

/** A proxy in front of the registry that lies about manifest digests (and changes nothing else). */
function digestLyingProxy(target: string): Server {
  const upstream = new URL(target);
  return createServer((incoming, outgoing) => {
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: incoming.url,
        method: incoming.method,
        headers: incoming.headers,
      },
      (answer) => {
        const headers = { ...answer.headers };
        if (incoming.url?.includes("/manifests/") && headers["docker-content-digest"] !== undefined) {
          headers["docker-content-digest"] = `sha256:${"0".repeat(64)}`;
        }
        outgoing.writeHead(answer.statusCode ?? 502, headers);
        answer.pipe(outgoing);
      },
    );
    incoming.pipe(forward);
  });
}

beforeAll(async () => {
  registry = await startRegistry();
  pusher = new Pusher(registry, NAME);
  const [amd64, arm64] = await platforms();
  if (amd64 === undefined || arm64 === undefined) throw new Error("no platform images");
  await pusher.index("v1.2.3", [amd64, arm64]);
  await pusher.index("1.2.3", [amd64, arm64]);
  await pusher.index("only-amd64", [amd64]);
  await pusher.index("with-attestation", [amd64, arm64, await pusher.attestation(amd64)]);
  await pusher.index(
    "wrong-label",
    await platforms({ ...goodLabels, "org.opencontainers.image.version": "1.2.2" }),
  );
  await pusher.index("oversize", await platforms(goodLabels, randomBytes(1_200_000)));
  await pusher.index("v2.0.0", [amd64, arm64]);
  proxy = digestLyingProxy(registry.url);
  proxyHost = `127.0.0.1:${await listen(proxy)}`;
});

afterAll(async () => {
  await new Promise((resolve) => proxy?.close(resolve));
  await registry?.stop();
});

const verifyArgs = [
  "--platform",
  "linux/amd64,linux/arm64",
  "--max-size",
  "1MB",
  "--version",
  "v1.2.3",
  "--revision",
  REVISION,
];

describe("the registry denies what ghcr.io denies", () => {
  it("answers anonymous requests with a Bearer challenge and refuses an anonymous push", async () => {
    const challenge = await fetch(`${registry.url}/v2/${NAME}/manifests/v1.2.3`);
    expect(challenge.status).toBe(401);
    expect(challenge.headers.get("www-authenticate")).toMatch(
      /^Bearer realm="http:\/\/127\.0\.0\.1:\d+\/token"/,
    );
    const token = (await (
      await fetch(`${registry.tokenUrl}?service=kube9-test-registry&scope=repository:${NAME}:pull,push`)
    ).json()) as { token: string };
    const push = await fetch(`${registry.url}/v2/${NAME}/blobs/uploads/`, {
      method: "POST",
      headers: { authorization: `Bearer ${token.token}` },
    });
    expect(push.status).toBe(401);
  });
});

describe("kube9-release image verify", () => {
  it("passes on a good two-platform image, reading it anonymously through the token flow", async () => {
    const before = registry.issued.anonymous;
    const run = await cli("image", "verify", `${registry.host}/${NAME}:v1.2.3`, ...verifyArgs, "--json");
    expect(run.stderr).not.toContain("error");
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout) as {
      digest: string;
      platforms: Array<{ platform: string; compressedBytes: number; labels: Record<string, string> }>;
    };
    expect(result.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(result.platforms.map((p) => p.platform)).toEqual(["linux/amd64", "linux/arm64"]);
    expect(result.platforms[0]?.compressedBytes).toBe(layer("base-amd64").length + layer("app-amd64").length);
    expect(result.platforms[1]?.labels["org.opencontainers.image.revision"]).toBe(REVISION);
    expect(registry.issued.anonymous).toBeGreaterThan(before);
  });

  it.each([
    ["only-amd64", "platform linux/arm64 is missing (found: linux/amd64)"],
    ["with-attestation", "lists unknown/unknown"],
    ["with-attestation", "build with provenance: false and sbom: false"],
    ["wrong-label", 'linux/amd64: label org.opencontainers.image.version is "1.2.2", expected "1.2.3"'],
    ["oversize", "of compressed layers is over the budget of 1.0 MB"],
    ["v9.9.9", `${NAME}:v9.9.9 does not exist`],
  ])("fails on %s with a precise message: %s", async (tag, message) => {
    const run = await cli("image", "verify", `${registry.host}/${NAME}:${tag}`, ...verifyArgs);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(message);
  });

  it("fails when Docker-Content-Digest does not match the manifest body", async () => {
    const run = await cli("image", "verify", `${proxyHost}/${NAME}:v1.2.3`, ...verifyArgs);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      `Docker-Content-Digest sha256:${"0".repeat(64)} does not match the SHA-256 of the manifest body`,
    );
  });
});

describe("kube9-release image wait", () => {
  it("returns once the tag is pushed during the wait", async () => {
    const child = spawn(
      process.execPath,
      [cliPath, "image", "wait", `${registry.host}/${NAME}:late`, "--timeout", "60s", "--json"],
      {
        cwd: repoRoot,
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    // Push only once the command has reported the tag missing: the wait must see it appear.
    await new Promise<void>((resolve) => {
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes("not there yet (check 1)")) resolve();
      });
    });
    const [amd64, arm64] = await platforms();
    await pusher.index("late", [amd64 as Descriptor, arm64 as Descriptor]);
    expect(await exited).toBe(0);
    expect((JSON.parse(stdout) as { attempts: number }).attempts).toBeGreaterThan(1);
  });

  it("times out cleanly with exit code 1", async () => {
    const run = await cli("image", "wait", `${registry.host}/${NAME}:never`, "--timeout", "3s");
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/error: .*never: .*never did not appear within 3 s \(\d+ checks\)/);
    expect(run.stderr).toContain("fix: check that the release-image workflow ran");
  });
});

describe("kube9-release image tags --image reads the existing tags from the registry", () => {
  it("leaves latest on v2.0.0 when releasing a patch of the 1.x line", async () => {
    const run = await cli("image", "tags", "v1.2.4", "--image", `${registry.host}/${NAME}`, "--json");
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout) as { tags: string[]; existing: string[] };
    expect(result.existing).toContain("v2.0.0");
    expect(result.tags).toEqual(["v1.2.4", "1.2.4", "1.2", "1"]);
  });

  it("treats a repository that does not exist yet as a first release", async () => {
    const run = await cli("image", "tags", "v0.1.0", "--image", `${registry.host}/alto9/not-yet`);
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split("\n")).toEqual(["v0.1.0", "0.1.0", "0.1", "latest"]);
    expect(run.stderr).toContain("first release");
  });
});
