/**
 * The write half of the OCI distribution API, on top of the read client's token flow: blob
 * uploads (POST then PUT with the digest, which every registry accepts) and manifest PUTs. The
 * registry's own digest of what it stored is compared with ours after every write.
 */
import { readFile } from "node:fs/promises";
import { ReleaseError } from "../../errors.js";
import { formatReference, type ImageReference } from "../reference.js";
import { type RegistryClient, sha256Digest } from "../registry-client.js";
import type { LayoutBlob } from "./layout-contents.js";

function failed(message: string, url: string, fix?: string): ReleaseError {
  return new ReleaseError("REGISTRY_FAILED", message, { file: url, ...(fix === undefined ? {} : { fix }) });
}

async function statusText(response: Response): Promise<string> {
  const text = await response.text().catch(() => "");
  return `HTTP ${response.status}${text === "" ? "" : `: ${text.slice(0, 300)}`}`;
}

export class RegistryWriter {
  constructor(
    private readonly client: RegistryClient,
    private readonly repository: ImageReference,
  ) {}

  private get apiUrl(): string {
    return `${this.repository.baseUrl}/v2/${this.repository.name}`;
  }

  async blobExists(digest: string): Promise<boolean> {
    const response = await this.client.request(this.repository, `blobs/${digest}`, { method: "HEAD" });
    await response.body?.cancel();
    if (response.status === 404) return false;
    if (response.ok) return true;
    throw failed(`HEAD blob ${digest}: HTTP ${response.status}`, this.apiUrl);
  }

  /** Uploads a blob unless the registry has it; returns whether bytes were sent. */
  async uploadBlob(blob: LayoutBlob): Promise<boolean> {
    if (await this.blobExists(blob.digest)) return false;
    const body = await readFile(blob.path);
    const actual = sha256Digest(body);
    if (actual !== blob.digest || body.length !== blob.size) {
      throw new ReleaseError(
        "IMAGE_INVALID",
        `blob ${blob.digest} holds ${body.length} bytes with digest ${actual}`,
        {
          file: blob.path,
          fix: "the OCI layout changed after it was built; build it again",
        },
      );
    }
    const start = await this.client.request(this.repository, "blobs/uploads/", { method: "POST" });
    const location = start.headers.get("location");
    if (start.status !== 202 || location === null) {
      throw failed(`starting the upload of ${blob.digest}: ${await statusText(start)}`, this.apiUrl);
    }
    await start.body?.cancel();
    const target = new URL(location, `${this.repository.baseUrl}/`);
    target.searchParams.set("digest", blob.digest);
    const put = await this.client.requestAt(this.repository, target.href, {
      method: "PUT",
      headers: { "content-type": "application/octet-stream", "content-length": String(body.length) },
      body,
    });
    if (put.status !== 201) {
      throw failed(`uploading ${blob.digest}: ${await statusText(put)}`, this.apiUrl);
    }
    const stored = put.headers.get("docker-content-digest");
    await put.body?.cancel();
    if (stored !== null && stored !== blob.digest) {
      throw failed(`the registry stored ${blob.digest} as ${stored}`, this.apiUrl);
    }
    return true;
  }

  /** PUT a manifest under a digest or a tag; the registry's digest must be the body's. */
  async putManifest(reference: string, mediaType: string, body: Buffer): Promise<void> {
    const digest = sha256Digest(body);
    const response = await this.client.request(this.repository, `manifests/${reference}`, {
      method: "PUT",
      headers: { "content-type": mediaType },
      body,
    });
    if (response.status !== 201 && response.status !== 200) {
      throw failed(
        `PUT ${formatReference({ ...this.repository, reference })}: ${await statusText(response)}`,
        this.apiUrl,
      );
    }
    const stored = response.headers.get("docker-content-digest");
    await response.body?.cancel();
    if (stored !== null && stored !== digest) {
      throw failed(
        `${formatReference({ ...this.repository, reference })} was stored with digest ${stored}, not ${digest}`,
        this.apiUrl,
        "the registry re-encoded the manifest; report it with the registry's name",
      );
    }
  }
}
