/**
 * A read-only OCI distribution client that pulls the way an anonymous user does: no credentials,
 * the token flow of the distribution token spec (401 + `WWW-Authenticate: Bearer`, GET the realm
 * with service and scope, retry with the token), as ghcr.io runs it. Every manifest and blob is
 * checked against its digest, so a verify never trusts what a proxy or cache in between says.
 */
import { createHash } from "node:crypto";
import { ReleaseError } from "../errors.js";
import { MANIFEST_ACCEPT } from "./media-types.js";
import { formatReference, type ImageReference } from "./reference.js";
import { parseBearerChallenge } from "./www-authenticate.js";

export interface RegistryClientOptions {
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  /** Attempts for 429, 5xx and network errors (default 5). */
  attempts?: number;
  /** First backoff delay in ms, doubled each attempt (default 500). */
  backoffMs?: number;
  /**
   * Sent to the token endpoint (Basic) when set: for reading a repository before its first push
   * made it public, as `image build` does. Verification never sets it. Sent only to an https
   * realm, or to a plain-http realm on the registry's own loopback host (local test registries),
   * never along a redirect.
   */
  credentials?: { username: string; password: string };
  /**
   * How long one attempt (request, answer and body) may take before it is abandoned and retried
   * like a network error (default 60 s): a registry that accepts the connection and never
   * answers must not hang a release job.
   */
  requestTimeoutMs?: number;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Where Basic credentials may go: https, or plain http only on the registry's own loopback host
 * (a 401 naming any other realm could otherwise collect them in clear text).
 */
export function mayReceiveCredentials(realm: URL, registryHost: string): boolean {
  if (realm.protocol === "https:") return true;
  const registryHostname = registryHost.replace(/:\d+$/, "");
  return (
    realm.protocol === "http:" && LOOPBACK_HOSTS.has(realm.hostname) && realm.hostname === registryHostname
  );
}

export interface FetchedManifest {
  mediaType: string;
  digest: string;
  body: Buffer;
  json: unknown;
}

// distribution refuses manifests above 4 MiB; a larger answer is not a manifest.
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

export function sha256Digest(body: Uint8Array): string {
  return `sha256:${createHash("sha256").update(body).digest("hex")}`;
}

function failed(message: string, url: string, fix?: string, cause?: unknown): ReleaseError {
  return new ReleaseError("REGISTRY_FAILED", message, {
    file: url,
    ...(fix === undefined ? {} : { fix }),
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * The body of an answer, within the attempt's deadline: a body that stops half-way (or is cut by
 * the deadline) is a registry failure, not a crash.
 */
async function bodyOf(response: Response, url: string): Promise<Buffer> {
  try {
    return Buffer.from(await response.arrayBuffer());
  } catch (error) {
    throw failed(
      `the registry's answer broke off: ${String(error)}`,
      url,
      "run the same command again",
      error,
    );
  }
}

async function jsonOf(response: Response, url: string): Promise<unknown> {
  const body = await bodyOf(response, url);
  try {
    return JSON.parse(body.toString("utf8")) as unknown;
  } catch (error) {
    throw failed("the registry answered with something that is not JSON", url, undefined, error);
  }
}

/**
 * What to do when anonymous users are refused. ghcr.io makes every new package private and GitHub
 * has no API to change that, so for ghcr.io the fix names the package's settings page (an
 * organisation's; a user's packages live under /users/<name>/ instead).
 */
export function makePublicFix(ref: ImageReference): string {
  const why = "the image must be public: anonymous users and Kubernetes nodes pull it without credentials";
  if (ref.registry !== "ghcr.io") return why;
  const [owner = "", ...rest] = ref.name.split("/");
  const pkg = encodeURIComponent(rest.join("/"));
  return `${why}; a new ghcr.io package is private: open https://github.com/orgs/${owner}/packages/container/${pkg}/settings, Danger Zone > Change visibility > Public (docs/releasing.md)`;
}

export class RegistryClient {
  private readonly fetch: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly attempts: number;
  private readonly backoffMs: number;
  private readonly credentials: RegistryClientOptions["credentials"];
  private readonly requestTimeoutMs: number;
  /** Tokens by registry + scope, reused for every request to the same repository. */
  private readonly tokens = new Map<string, string>();

  constructor(options: RegistryClientOptions = {}) {
    this.fetch = options.fetch ?? fetch;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.attempts = options.attempts ?? 5;
    this.backoffMs = options.backoffMs ?? 500;
    this.credentials = options.credentials;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  /** One HTTP exchange with retries on 429, 5xx and network errors. */
  private async send(url: string, init: RequestInit): Promise<Response> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      let response: Response | undefined;
      try {
        // Each attempt has its own deadline, which also bounds reading the body afterwards.
        response = await this.fetch(url, {
          redirect: "follow",
          ...init,
          signal: AbortSignal.timeout(this.requestTimeoutMs),
        });
      } catch (error) {
        lastError = error;
      }
      if (response !== undefined && response.status !== 429 && response.status < 500) return response;
      if (attempt === this.attempts) {
        if (response !== undefined) return response;
        break;
      }
      const retryAfter = Number(response?.headers.get("retry-after"));
      const delay = Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter * 1000, 30_000) : 0;
      await response?.body?.cancel();
      await this.sleep(Math.max(delay, this.backoffMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2)));
    }
    throw failed(
      `cannot reach the registry: ${String(lastError)}`,
      url,
      "check the network and the registry host",
      lastError,
    );
  }

  private async token(url: string, header: string | null, ref: ImageReference): Promise<string> {
    const challenge = parseBearerChallenge(header);
    if (challenge === undefined) {
      throw failed(`401 without a Bearer challenge (WWW-Authenticate: ${header ?? "absent"})`, url);
    }
    const scope = challenge.scope ?? `repository:${ref.name}:pull`;
    const key = `${ref.registry} ${scope}`;
    const cached = this.tokens.get(key);
    if (cached !== undefined) return cached;
    const tokenUrl = new URL(challenge.realm);
    if (challenge.service !== undefined) tokenUrl.searchParams.set("service", challenge.service);
    tokenUrl.searchParams.set("scope", scope);
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.credentials !== undefined) {
      if (!mayReceiveCredentials(tokenUrl, ref.registry)) {
        throw failed(
          `the registry's 401 names the token endpoint ${tokenUrl.origin}, which is neither https nor the registry's own loopback host: the credentials were not sent`,
          tokenUrl.href,
          "check the registry address; credentials go only to an https token endpoint",
        );
      }
      const { username, password } = this.credentials;
      headers.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
    }
    // Credentials are never carried along a redirect, wherever it points.
    const response = await this.send(tokenUrl.href, {
      headers,
      ...(this.credentials === undefined ? {} : { redirect: "manual" as const }),
    });
    if (this.credentials !== undefined && response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      throw failed(
        `the token endpoint answered with a redirect (HTTP ${response.status}) to ${response.headers.get("location") ?? "nowhere"}: the credentials were not sent on`,
        tokenUrl.href,
        "give the registry whose token endpoint answers directly (ghcr.io does)",
      );
    }
    if (!response.ok) {
      if (this.credentials !== undefined) {
        throw failed(
          `the token endpoint refused ${scope} for ${this.credentials.username}: HTTP ${response.status}`,
          tokenUrl.href,
          "check the registry username and password (token)",
        );
      }
      throw failed(
        `the token endpoint refused anonymous ${scope}: HTTP ${response.status}`,
        tokenUrl.href,
        makePublicFix(ref),
      );
    }
    const body = (await jsonOf(response, tokenUrl.href)) as { token?: unknown; access_token?: unknown };
    const token = typeof body.token === "string" ? body.token : body.access_token;
    if (typeof token !== "string" || token === "")
      throw failed("the token endpoint sent no token", tokenUrl.href);
    this.tokens.set(key, token);
    return token;
  }

  /** A request to the registry API, answering a Bearer challenge once. */
  request(ref: ImageReference, path: string, init: RequestInit = {}): Promise<Response> {
    return this.requestAt(ref, `${ref.baseUrl}/v2/${ref.name}/${path}`, init);
  }

  /**
   * The same for a URL the registry handed out (an upload `Location`), which may name another
   * path or carry its own query.
   */
  async requestAt(ref: ImageReference, url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const first = await this.send(url, { ...init, headers });
    if (first.status !== 401) return first;
    await first.body?.cancel();
    headers.set(
      "authorization",
      `Bearer ${await this.token(url, first.headers.get("www-authenticate"), ref)}`,
    );
    const second = await this.send(url, { ...init, headers });
    if ((second.status === 401 || second.status === 403) && this.credentials !== undefined) {
      throw failed(
        `${this.credentials.username} may not ${init.method ?? "GET"} ${formatReference(ref)} (HTTP ${second.status})`,
        url,
        "the credential needs write access to the package (GitHub: packages: write for GITHUB_TOKEN, and the repository linked to the package)",
      );
    }
    if (second.status === 401 || second.status === 403) {
      throw failed(
        `anonymous pull of ${formatReference(ref)} is denied (HTTP ${second.status})`,
        url,
        makePublicFix(ref),
      );
    }
    return second;
  }

  /** HEAD of a manifest: true when the tag or digest exists, false on 404. */
  async manifestExists(ref: ImageReference, reference = ref.reference): Promise<boolean> {
    const response = await this.request(ref, `manifests/${reference}`, {
      method: "HEAD",
      headers: { accept: MANIFEST_ACCEPT },
    });
    if (response.status === 404) return false;
    if (response.ok) return true;
    throw failed(`HEAD manifest ${reference}: HTTP ${response.status}`, `${ref.baseUrl}/v2/${ref.name}`);
  }

  /** GET a manifest, checking `Docker-Content-Digest` (and a requested digest) against its body. */
  async getManifest(ref: ImageReference, reference = ref.reference): Promise<FetchedManifest | undefined> {
    const url = `${ref.baseUrl}/v2/${ref.name}/manifests/${reference}`;
    const response = await this.request(ref, `manifests/${reference}`, {
      headers: { accept: MANIFEST_ACCEPT },
    });
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    if (!response.ok) throw failed(`GET manifest: HTTP ${response.status}`, url);
    const body = await bodyOf(response, url);
    if (body.length > MAX_MANIFEST_BYTES) throw failed(`manifest of ${body.length} bytes is over 4 MiB`, url);
    const actual = sha256Digest(body);
    const claimed = response.headers.get("docker-content-digest");
    if (claimed !== null && claimed !== actual) {
      throw new ReleaseError(
        "IMAGE_INVALID",
        `Docker-Content-Digest ${claimed} does not match the SHA-256 of the manifest body (${actual})`,
        {
          file: url,
          fix: "something between the registry and this client altered the manifest or its headers",
        },
      );
    }
    if (reference.startsWith("sha256:") && reference !== actual) {
      throw new ReleaseError(
        "IMAGE_INVALID",
        `manifest body has digest ${actual}, not the requested ${reference}`,
        {
          file: url,
        },
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(body.toString("utf8"));
    } catch (error) {
      throw new ReleaseError("IMAGE_INVALID", "the manifest is not JSON", { file: url, cause: error });
    }
    const declared = (json as { mediaType?: unknown }).mediaType;
    const mediaType =
      typeof declared === "string"
        ? declared
        : (response.headers.get("content-type") ?? "").split(";")[0]?.trim();
    return { mediaType: mediaType ?? "", digest: actual, body, json };
  }

  /** GET a small blob (an image config), checked against its digest. */
  async getBlob(ref: ImageReference, digest: string): Promise<Buffer> {
    const url = `${ref.baseUrl}/v2/${ref.name}/blobs/${digest}`;
    const response = await this.request(ref, `blobs/${digest}`);
    if (!response.ok) throw failed(`GET blob ${digest}: HTTP ${response.status}`, url);
    const body = await bodyOf(response, url);
    if (body.length > MAX_CONFIG_BYTES) throw failed(`blob ${digest} is larger than a config can be`, url);
    const actual = sha256Digest(body);
    if (actual !== digest) {
      throw new ReleaseError("IMAGE_INVALID", `blob ${digest} has content with digest ${actual}`, {
        file: url,
      });
    }
    return body;
  }

  /** Every tag of the repository (following `Link` pagination); undefined when the repository is unknown. */
  async listTags(ref: ImageReference): Promise<string[] | undefined> {
    const tags: string[] = [];
    let path: string | undefined = "tags/list?n=1000";
    while (path !== undefined) {
      const response = await this.request(ref, path);
      if (response.status === 404) return tags.length === 0 ? undefined : tags;
      if (!response.ok)
        throw failed(`GET tags/list: HTTP ${response.status}`, `${ref.baseUrl}/v2/${ref.name}`);
      const body = (await jsonOf(response, `${ref.baseUrl}/v2/${ref.name}/${path}`)) as {
        tags?: string[] | null;
      };
      tags.push(...(body.tags ?? []));
      // Link: </v2/<name>/tags/list?last=x&n=1000>; rel="next"
      const next = /<([^>]+)>\s*;\s*rel="?next"?/.exec(response.headers.get("link") ?? "")?.[1];
      const prefix = `/v2/${ref.name}/`;
      path = next === undefined ? undefined : new URL(next, ref.baseUrl).href.split(prefix)[1];
    }
    return tags;
  }
}
