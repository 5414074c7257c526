import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CdnBackend, StoreBackend } from "../../src/cli/composition.js";
import { BackendRegistry, DEFAULT_BACKENDS } from "../../src/cli/composition.js";
import { isReleaseError, type ReleaseError } from "../../src/errors.js";
import { DirectoryStore } from "../../src/storage/directory-store.js";
import type { Store } from "../../src/storage/store.js";

const settings = { cwd: "/work/here", flags: {} };

function refusal(work: () => unknown): ReleaseError {
  try {
    work();
  } catch (error) {
    if (isReleaseError(error)) return error;
    throw error;
  }
  throw new Error("expected a ReleaseError");
}

/** A store kept in memory: enough to show that the registry hands it out. */
function memoryStore(location: string): Store {
  const objects = new Map<string, Uint8Array>();
  return {
    location,
    get: async (key) => {
      const body = objects.get(key);
      return body === undefined ? undefined : { body, etag: "1" };
    },
    putIfAbsent: async (key, body) => {
      objects.set(key, body);
      return { etag: "1" };
    },
    putIfMatch: async (key, body) => {
      objects.set(key, body);
      return { etag: "2" };
    },
    list: async () => [],
  };
}

describe("the default backends", () => {
  it("open a plain path as a directory store, resolved against the working folder", async () => {
    const { store, remote } = await DEFAULT_BACKENDS.openRepository("chart-repo", settings);
    expect(store).toBeInstanceOf(DirectoryStore);
    expect(store.location).toBe(join("/work/here", "chart-repo"));
    expect(remote).toBe(false);
  });

  it("open s3:// (any case of the scheme) as an S3 store, without contacting it", async () => {
    const { S3Store } = await import("../../src/storage/s3-store.js");
    const { store, remote } = await DEFAULT_BACKENDS.openRepository("s3://charts-bucket/stable/", {
      cwd: "/",
      flags: { region: "eu-west-1", requestTimeout: "5s" },
    });
    expect(store).toBeInstanceOf(S3Store);
    expect(store.location).toBe("s3://charts-bucket/stable");
    expect(remote).toBe(true);
    expect(DEFAULT_BACKENDS.storeBackend("S3://charts-bucket").scheme).toBe("s3");
  });

  it("describe what --repo and --cdn accept in --help", () => {
    expect(DEFAULT_BACKENDS.repoPlaceholder()).toBe("<dir or s3 url>");
    expect(DEFAULT_BACKENDS.repoHelp()).toBe("a directory, or s3://<bucket>[/<prefix>]");
    expect(DEFAULT_BACKENDS.repoPlaceholder(true)).toBe("<s3 url>");
    expect(DEFAULT_BACKENDS.cdnHelp()).toBe("cloudfront:<distribution id>");
  });

  it("refuse an unknown scheme with a usage error naming the accepted ones", () => {
    const error = refusal(() => DEFAULT_BACKENDS.storeBackend("gs://charts-bucket"));
    expect(error.code).toBe("USAGE");
    expect(error.field).toBe("--repo");
    expect(error.message).toBe("unsupported repository gs://charts-bucket");
    expect(error.fix).toBe("give a directory path (e.g. chart-repo) or s3://<bucket>[/<prefix>]");
  });

  it("give the version history of an S3 repository only", async () => {
    const { store, history } = await DEFAULT_BACKENDS.versionedBackend("s3://charts-bucket").openVersioned(
      "s3://charts-bucket",
      { cwd: "/", flags: { region: "eu-west-1" } },
    );
    expect(store.location).toBe("s3://charts-bucket");
    expect(typeof history.versions).toBe("function");
    for (const repo of ["chart-repo", "gs://charts-bucket"]) {
      const error = refusal(() => DEFAULT_BACKENDS.versionedBackend(repo));
      expect(error.code).toBe("USAGE");
      expect(error.message).toBe(`${repo} keeps no earlier versions of index.yaml`);
      expect(error.fix).toContain("s3://<bucket>[/<prefix>] of a versioned bucket");
    }
  });

  it("resolve cloudfront:<id> to a CloudFront client only when connected", async () => {
    const target = DEFAULT_BACKENDS.cdnTarget("cloudfront:E2ABCDEF123456");
    expect(target.description).toBe("cloudfront:E2ABCDEF123456");
    const cdn = await target.connect({ cwd: "/", flags: { requestTimeout: "5s" } });
    const { CloudFrontCdn } = await import("../../src/cdn/cloudfront.js");
    expect(cdn).toBeInstanceOf(CloudFrontCdn);
    expect(cdn.description).toBe("cloudfront:E2ABCDEF123456");
  });

  it("refuse an unknown CDN, or a bad distribution id, naming what --cdn accepts", () => {
    for (const value of ["fastly:abc123", "cloudfront:e2abc", "E2ABCDEF123456"]) {
      const error = refusal(() => DEFAULT_BACKENDS.cdnTarget(value));
      expect(error.code).toBe("USAGE");
      expect(error.field).toBe("--cdn");
      expect(error.message).toBe(`${JSON.stringify(value)} is not a CDN this tool can invalidate`);
      expect(error.fix).toContain("cloudfront:<distribution id>");
    }
  });
});

describe("a new backend", () => {
  const memory: StoreBackend = {
    scheme: "mem",
    usage: "mem://<name>",
    help: { placeholder: "mem url", accepts: "mem://<name>" },
    remote: true,
    open: async (repo) => memoryStore(repo),
  };
  const purges: string[][] = [];
  const edge: CdnBackend = {
    scheme: "edge",
    usage: "edge:<zone>",
    help: "edge:<zone>",
    parse: (value) => ({
      description: value,
      connect: async () => ({
        description: value,
        preflight: async () => {},
        invalidate: async (paths) => {
          purges.push(paths);
          return { id: "purge-1", paths };
        },
        waitForCompletion: async () => {},
      }),
    }),
  };
  const registry = new BackendRegistry(
    [...DEFAULT_BACKENDS.stores, memory],
    [...DEFAULT_BACKENDS.cdns, edge],
  );

  it("is one registration: its scheme opens, the others still do, and usage names it", async () => {
    const { store, remote } = await registry.openRepository("mem://charts", settings);
    await store.putIfAbsent("index.yaml", new Uint8Array([1]), {
      contentType: "text/yaml",
      cacheControl: "no-cache",
    });
    expect((await store.get("index.yaml"))?.body).toEqual(new Uint8Array([1]));
    expect(store.location).toBe("mem://charts");
    expect(remote).toBe(true);
    expect((await registry.openRepository("chart-repo", settings)).store).toBeInstanceOf(DirectoryStore);
    expect(refusal(() => registry.storeBackend("gs://x")).fix).toBe(
      "give a directory path (e.g. chart-repo) or s3://<bucket>[/<prefix>] or mem://<name>",
    );
    expect(refusal(() => registry.versionedBackend("mem://charts")).code).toBe("USAGE");
    expect(registry.repoPlaceholder()).toBe("<dir or s3 url or mem url>");
    expect(registry.repoHelp()).toBe("a directory, s3://<bucket>[/<prefix>], or mem://<name>");
    expect(registry.repoHelp(true)).toBe("s3://<bucket>[/<prefix>]");
  });

  it("a CDN is one registration too", async () => {
    const cdn = await registry.cdnTarget("edge:zone-1").connect(settings);
    expect(await cdn.invalidate(["/index.yaml"], "ref")).toEqual({ id: "purge-1", paths: ["/index.yaml"] });
    expect(purges).toEqual([["/index.yaml"]]);
    expect(registry.cdnTarget("cloudfront:E2ABCDEF123456").description).toBe("cloudfront:E2ABCDEF123456");
    expect(refusal(() => registry.cdnTarget("other:x")).fix).toContain("or edge:<zone>");
    expect(registry.cdnHelp()).toBe("cloudfront:<distribution id>, or edge:<zone>");
  });
});
