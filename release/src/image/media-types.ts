/** The manifest media types a multi-platform image may be served with (OCI image-spec and Docker v2.2). */
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
export const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";

/** Sent on every manifest request: without it a registry may down-convert or refuse. */
export const MANIFEST_ACCEPT = [OCI_INDEX, OCI_MANIFEST, DOCKER_MANIFEST_LIST, DOCKER_MANIFEST].join(", ");

export function isIndexType(mediaType: string): boolean {
  return mediaType === OCI_INDEX || mediaType === DOCKER_MANIFEST_LIST;
}

export function isManifestType(mediaType: string): boolean {
  return mediaType === OCI_MANIFEST || mediaType === DOCKER_MANIFEST;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os: string; architecture: string; variant?: string };
  annotations?: Record<string, string>;
}

export interface ImageIndex {
  schemaVersion: number;
  mediaType?: string;
  manifests: Descriptor[];
}

export interface ImageManifest {
  schemaVersion: number;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
}

export interface ImageConfig {
  architecture?: string;
  os?: string;
  config?: { Labels?: Record<string, string> | null };
}

export function platformName(platform: Descriptor["platform"]): string {
  if (platform === undefined) return "unknown/unknown";
  return [platform.os, platform.architecture, platform.variant]
    .filter((p) => p !== undefined && p !== "")
    .join("/");
}
