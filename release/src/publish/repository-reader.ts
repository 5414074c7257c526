/**
 * How step 8 of the publish pipeline (docs/architecture.md) reads a repository back: through its
 * public URL, as Helm does, or straight from the store when the repository is not served anywhere
 * yet (the embedded default).
 */
import { ReleaseError } from "../errors.js";
import { provenanceKey } from "../provenance/publish-provenance.js";
import { archiveFileName, type ProvenanceFetch } from "../provenance/verify-served.js";
import type { Store } from "../storage/store.js";
import { INDEX_KEY } from "./read-index.js";

export interface RepositoryReader {
  /** Where index.yaml is read from, for messages. */
  readonly indexLocation: string;
  readIndex(): Promise<Uint8Array>;
  /** Reads an archive by the URL the index gives (absolute, or relative to the repository). */
  readArchive(url: string): Promise<{ bytes: Uint8Array; location: string }>;
  /** The archive's `.prov` where Helm looks for it (`<archive URL>.prov`); undefined when none is served. */
  readProvenance: ProvenanceFetch;
}

export interface HttpReaderOptions {
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** A plain GET, as Helm sends it, so that we see what users get through every cache on the way. */
async function get(url: string, options: Required<HttpReaderOptions>): Promise<Response> {
  try {
    return await options.fetch(url, {
      signal: AbortSignal.timeout(options.timeoutMs),
      headers: { "User-Agent": "kube9-release" },
    });
  } catch (error) {
    throw new ReleaseError(
      "VERIFY_FAILED",
      `cannot download: ${error instanceof Error ? error.message : String(error)}`,
      {
        file: url,
        fix: "check the repository URL and that the server answers",
        cause: error,
      },
    );
  }
}

/** The bytes at `url`, which must be served, and an archive without Content-Encoding. */
async function download(url: string, options: Required<HttpReaderOptions>): Promise<Uint8Array> {
  const response = await get(url, options);
  if (!response.ok) {
    throw new ReleaseError("VERIFY_FAILED", `HTTP ${response.status} ${response.statusText}`, {
      file: url,
      fix:
        response.status === 403 || response.status === 404
          ? "the object is not published at this URL"
          : "check the server",
    });
  }
  if (response.headers.get("content-encoding") !== null && url.endsWith(".tgz")) {
    throw new ReleaseError(
      "VERIFY_FAILED",
      `served with Content-Encoding: ${response.headers.get("content-encoding")}; Helm clients fail on it`,
      {
        file: url,
        fix: "store archives without Content-Encoding",
      },
    );
  }
  return new Uint8Array(await response.arrayBuffer());
}

export function httpRepositoryReader(
  repositoryUrl: string,
  options: HttpReaderOptions = {},
): RepositoryReader {
  const base = repositoryUrl.endsWith("/") ? repositoryUrl : `${repositoryUrl}/`;
  const settings = { fetch: options.fetch ?? fetch, timeoutMs: options.timeoutMs ?? 60_000 };
  return {
    indexLocation: new URL(INDEX_KEY, base).toString(),
    readIndex: () => download(new URL(INDEX_KEY, base).toString(), settings),
    async readArchive(url) {
      const location = new URL(url, base).toString();
      return { bytes: await download(location, settings), location };
    },
    async readProvenance(archiveUrl) {
      const location = `${new URL(archiveUrl, base).toString()}.prov`;
      const response = await get(location, settings);
      // S3 behind CloudFront answers 403 for a key that does not exist.
      if (response.status === 404 || response.status === 403) return undefined;
      if (!response.ok) {
        throw new ReleaseError("VERIFY_FAILED", `HTTP ${response.status} ${response.statusText}`, {
          file: location,
          fix: "check the server",
        });
      }
      return { text: await response.text(), location };
    },
  };
}

/**
 * Reads from the store. An absolute URL in the index maps to the key after the repository's base
 * URL (or its last path segment when no base URL is known).
 */
export function storeRepositoryReader(store: Store, baseUrl?: string): RepositoryReader {
  const read = async (key: string): Promise<Uint8Array> => {
    const object = await store.get(key);
    if (object === undefined) {
      throw new ReleaseError("VERIFY_FAILED", "not found in the repository", {
        file: `${store.location}/${key}`,
      });
    }
    return object.body;
  };
  return {
    indexLocation: `${store.location}/${INDEX_KEY}`,
    readIndex: () => read(INDEX_KEY),
    async readArchive(url) {
      const key = keyOf(url, baseUrl);
      return { bytes: await read(key), location: `${store.location}/${key}` };
    },
    async readProvenance(archiveUrl) {
      const key = provenanceKey(archiveFileName(archiveUrl));
      const object = await store.get(key);
      return object === undefined
        ? undefined
        : { text: new TextDecoder().decode(object.body), location: `${store.location}/${key}` };
    },
  };
}

function keyOf(url: string, baseUrl: string | undefined): string {
  if (!/^[a-z][a-z0-9+.-]*:/i.test(url)) return decodeURIComponent(url.replace(/^\.?\//, ""));
  const prefix = baseUrl === undefined ? undefined : baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`;
  if (prefix !== undefined && url.startsWith(prefix)) return decodeURIComponent(url.slice(prefix.length));
  return decodeURIComponent(new URL(url).pathname.split("/").pop() ?? "");
}
