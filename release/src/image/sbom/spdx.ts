/**
 * An SPDX 2.3 JSON document for one platform of the image: the image itself (by its manifest
 * digest), the Node.js binaries and every npm package found in its files. The same image gives
 * the same bytes: packages are sorted, identifiers derive from paths, and the creation time is
 * the image's own (its `created` label: the release commit's time), never the clock.
 */
import { createHash } from "node:crypto";
import type { NodeBinary } from "./node-binary.js";
import type { NpmPackage } from "./npm-packages.js";

export const SPDX_VERSION = "SPDX-2.3";
/** The predicate type of an SPDX attestation (`cosign attest --type spdxjson`). */
export const SPDX_PREDICATE_TYPE = "https://spdx.dev/Document";

export interface SpdxExternalRef {
  referenceCategory: "PACKAGE-MANAGER";
  referenceType: "purl";
  referenceLocator: string;
}

export interface SpdxPackage {
  SPDXID: string;
  name: string;
  versionInfo: string;
  downloadLocation: "NOASSERTION";
  filesAnalyzed: false;
  licenseConcluded: "NOASSERTION";
  licenseDeclared: string;
  copyrightText: "NOASSERTION";
  primaryPackagePurpose?: string;
  sourceInfo?: string;
  checksums?: Array<{ algorithm: "SHA256"; checksumValue: string }>;
  externalRefs?: SpdxExternalRef[];
}

export interface SpdxDocument {
  spdxVersion: typeof SPDX_VERSION;
  dataLicense: "CC0-1.0";
  SPDXID: "SPDXRef-DOCUMENT";
  name: string;
  documentNamespace: string;
  creationInfo: { created: string; creators: string[] };
  packages: SpdxPackage[];
  relationships: Array<{ spdxElementId: string; relationshipType: string; relatedSpdxElement: string }>;
}

export interface PlatformSbomInput {
  /** The image repository, e.g. ghcr.io/alto9/kube9-operator (the name of the image package). */
  repository: string;
  platform: string;
  /** The platform's manifest digest (what a registry serves for the platform). */
  digest: string;
  /** The image's version (its version label), when it has one. */
  version: string | undefined;
  /** RFC 3339, second precision, UTC. */
  created: string;
  node: NodeBinary[];
  npm: NpmPackage[];
}

/** The prefix of the `sourceInfo` of packages read from a file: the path follows. */
export const SOURCE_INFO_PREFIX = "read from the image file ";

function id(kind: string, path: string): string {
  return `SPDXRef-${kind}-${createHash("sha256").update(path).digest("hex").slice(0, 16)}`;
}

const byPath = <T extends { path: string }>(a: T, b: T) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/** The image itself: the platform manifest, named by an OCI package URL. */
function imagePackage(input: PlatformSbomInput, imageId: string): SpdxPackage {
  const hex = input.digest.replace(/^sha256:/, "");
  const [os = "", architecture = "", variant] = input.platform.split("/");
  const qualifiers = new URLSearchParams({ arch: architecture, os, repository_url: input.repository });
  if (variant !== undefined) qualifiers.set("variant", variant);
  const name = input.repository.slice(input.repository.lastIndexOf("/") + 1);
  return {
    SPDXID: imageId,
    name: input.repository,
    versionInfo: input.digest,
    downloadLocation: "NOASSERTION",
    filesAnalyzed: false,
    licenseConcluded: "NOASSERTION",
    licenseDeclared: "NOASSERTION",
    copyrightText: "NOASSERTION",
    primaryPackagePurpose: "CONTAINER",
    checksums: [{ algorithm: "SHA256", checksumValue: hex }],
    externalRefs: [
      {
        referenceCategory: "PACKAGE-MANAGER",
        referenceType: "purl",
        referenceLocator: `pkg:oci/${encodeURIComponent(name)}@${encodeURIComponent(input.digest)}?${qualifiers.toString()}`,
      },
    ],
  };
}

function nodePackage(binary: PlatformSbomInput["node"][number]): SpdxPackage {
  return {
    SPDXID: id("node", binary.path),
    name: "node",
    versionInfo: binary.version,
    downloadLocation: "NOASSERTION",
    filesAnalyzed: false,
    licenseConcluded: "NOASSERTION",
    licenseDeclared: "MIT",
    copyrightText: "NOASSERTION",
    primaryPackagePurpose: "APPLICATION",
    sourceInfo: `${SOURCE_INFO_PREFIX}${binary.path}`,
    externalRefs: [
      {
        referenceCategory: "PACKAGE-MANAGER",
        referenceType: "purl",
        referenceLocator: `pkg:generic/node@${binary.version}?download_url=${encodeURIComponent(`https://nodejs.org/dist/v${binary.version}/`)}`,
      },
    ],
  };
}

function npmPackage(pkg: PlatformSbomInput["npm"][number]): SpdxPackage {
  return {
    SPDXID: id("npm", pkg.path),
    name: pkg.name,
    versionInfo: pkg.version,
    downloadLocation: "NOASSERTION",
    filesAnalyzed: false,
    licenseConcluded: "NOASSERTION",
    licenseDeclared: pkg.license ?? "NOASSERTION",
    copyrightText: "NOASSERTION",
    primaryPackagePurpose: "LIBRARY",
    sourceInfo: `${SOURCE_INFO_PREFIX}${pkg.path}`,
    externalRefs: [
      { referenceCategory: "PACKAGE-MANAGER", referenceType: "purl", referenceLocator: pkg.purl },
    ],
  };
}

export function platformSbom(input: PlatformSbomInput): SpdxDocument {
  const hex = input.digest.replace(/^sha256:/, "");
  const imageId = "SPDXRef-Image";
  const name = input.repository.slice(input.repository.lastIndexOf("/") + 1);
  const image = imagePackage(input, imageId);
  const node = [...input.node].sort(byPath).map(nodePackage);
  const npm = [...input.npm].sort(byPath).map(npmPackage);
  const contained = [...node, ...npm];
  return {
    spdxVersion: SPDX_VERSION,
    dataLicense: "CC0-1.0",
    SPDXID: "SPDXRef-DOCUMENT",
    name: `${input.repository}${input.version === undefined ? "" : `:${input.version}`}@${input.digest} ${input.platform}`,
    documentNamespace: `https://spdx.org/spdxdocs/${name}-${hex}`,
    creationInfo: { created: input.created, creators: ["Tool: kube9-release"] },
    packages: [image, ...contained],
    relationships: [
      { spdxElementId: "SPDXRef-DOCUMENT", relationshipType: "DESCRIBES", relatedSpdxElement: imageId },
      ...contained.map((pkg) => ({
        spdxElementId: imageId,
        relationshipType: "CONTAINS",
        relatedSpdxElement: pkg.SPDXID,
      })),
    ],
  };
}

/** The platform manifest digest a document describes (the image package's version). */
export function describedDigest(document: SpdxDocument): string | undefined {
  const described = document.relationships?.find(
    (r) => r.spdxElementId === "SPDXRef-DOCUMENT" && r.relationshipType === "DESCRIBES",
  )?.relatedSpdxElement;
  const image = document.packages?.find((p) => p.SPDXID === described);
  return image?.versionInfo;
}
