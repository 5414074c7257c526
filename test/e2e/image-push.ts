/**
 * Pushes small synthetic images into the test registry through the distribution HTTP API with the
 * push credential (token flow with Basic auth), as a builder would: blobs by POST + PUT, then
 * platform manifests, then the index that lists them.
 */
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import type { TestRegistry } from "../support/registry.js";

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os: string; architecture: string };
  annotations?: Record<string, string>;
}

export interface PlatformSpec {
  os: string;
  architecture: string;
  labels: Record<string, string>;
  /** Layer contents (stored as given: pass gzip data, or random bytes for an incompressible size). */
  layers: Buffer[];
}

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
const OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";

export const digestOf = (data: Buffer) => `sha256:${createHash("sha256").update(data).digest("hex")}`;

/** A small gzip layer whose content differs by `seed`. */
export function layer(seed: string): Buffer {
  return gzipSync(Buffer.from(`synthetic layer ${seed}\n`.repeat(64)));
}

export class Pusher {
  private tokenValue: string | undefined;

  constructor(
    private readonly registry: TestRegistry,
    readonly name: string,
  ) {}

  private async token(): Promise<string> {
    if (this.tokenValue !== undefined) return this.tokenValue;
    const { username, password } = this.registry.pusher;
    const url = `${this.registry.tokenUrl}?service=kube9-test-registry&scope=repository:${this.name}:pull,push`;
    const response = await fetch(url, {
      headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}` },
    });
    if (!response.ok) throw new Error(`push token: HTTP ${response.status}`);
    this.tokenValue = ((await response.json()) as { token: string }).token;
    return this.tokenValue;
  }

  private async call(method: string, url: string, body?: Buffer, contentType?: string): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${await this.token()}` };
    if (contentType !== undefined) headers["content-type"] = contentType;
    return fetch(url, { method, headers, ...(body === undefined ? {} : { body }) });
  }

  async blob(data: Buffer): Promise<string> {
    const digest = digestOf(data);
    const start = await this.call("POST", `${this.registry.url}/v2/${this.name}/blobs/uploads/`);
    if (start.status !== 202) throw new Error(`start upload: HTTP ${start.status} ${await start.text()}`);
    const location = new URL(start.headers.get("location") ?? "", this.registry.url);
    location.searchParams.set("digest", digest);
    const put = await this.call("PUT", location.href, data, "application/octet-stream");
    if (put.status !== 201) throw new Error(`finish upload: HTTP ${put.status} ${await put.text()}`);
    return digest;
  }

  async manifest(reference: string, json: unknown, mediaType: string): Promise<Descriptor> {
    const body = Buffer.from(JSON.stringify(json));
    const response = await this.call(
      "PUT",
      `${this.registry.url}/v2/${this.name}/manifests/${reference}`,
      body,
      mediaType,
    );
    if (response.status !== 201)
      throw new Error(`put manifest ${reference}: HTTP ${response.status} ${await response.text()}`);
    return { mediaType, digest: digestOf(body), size: body.length };
  }

  /** One platform image: config with labels, layers, manifest pushed by digest. */
  async image(spec: PlatformSpec): Promise<Descriptor> {
    const config = Buffer.from(
      JSON.stringify({
        architecture: spec.architecture,
        os: spec.os,
        config: { Labels: spec.labels },
        rootfs: { type: "layers", diff_ids: spec.layers.map((l) => digestOf(l)) },
      }),
    );
    const configDigest = await this.blob(config);
    const layers: Descriptor[] = [];
    for (const data of spec.layers)
      layers.push({ mediaType: OCI_LAYER, digest: await this.blob(data), size: data.length });
    const manifest = {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: configDigest, size: config.length },
      layers,
    };
    const body = Buffer.from(JSON.stringify(manifest));
    const pushed = await this.manifest(digestOf(body), manifest, OCI_MANIFEST);
    return { ...pushed, platform: { os: spec.os, architecture: spec.architecture } };
  }

  /** An attestation manifest as BuildKit adds it with provenance on: unknown/unknown in the index. */
  async attestation(subject: Descriptor): Promise<Descriptor> {
    const statement = Buffer.from(
      JSON.stringify({ _type: "https://in-toto.io/Statement/v0.1", subject: [] }),
    );
    const config = Buffer.from("{}");
    const manifest = {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: await this.blob(config), size: config.length },
      layers: [
        {
          mediaType: "application/vnd.in-toto+json",
          digest: await this.blob(statement),
          size: statement.length,
        },
      ],
    };
    const pushed = await this.manifest(
      digestOf(Buffer.from(JSON.stringify(manifest))),
      manifest,
      OCI_MANIFEST,
    );
    return {
      ...pushed,
      platform: { os: "unknown", architecture: "unknown" },
      annotations: {
        "vnd.docker.reference.digest": subject.digest,
        "vnd.docker.reference.type": "attestation-manifest",
      },
    };
  }

  async index(tag: string, manifests: Descriptor[]): Promise<Descriptor> {
    return this.manifest(tag, { schemaVersion: 2, mediaType: OCI_INDEX, manifests }, OCI_INDEX);
  }
}
