/**
 * SBOMs of a multi-platform OCI layout (the one `image scan` scanned and `image push` pushed):
 * one SPDX document per platform, listing what that platform's files hold.
 */
import { ReleaseError } from "../../errors.js";
import type { ImageConfig } from "../media-types.js";
import { readJsonBlob, readLayoutIndex } from "../oci-layout-reader.js";
import { readImageFiles } from "./image-files.js";
import { nodeBinaries } from "./node-binary.js";
import { npmPackages } from "./npm-packages.js";
import { platformSbom, type SpdxDocument } from "./spdx.js";

export interface PlatformSbom {
  platform: string;
  digest: string;
  document: SpdxDocument;
}

export interface LayoutSboms {
  /** The image index digest. */
  digest: string;
  platforms: PlatformSbom[];
}

export interface SbomOptions {
  /** Repository the image is published to, e.g. ghcr.io/alto9/kube9-operator. */
  repository: string;
  tag?: string;
  /** RFC 3339; default: the image's `org.opencontainers.image.created` label, else its config's `created`. */
  created?: string;
}

const CREATED_LABEL = "org.opencontainers.image.created";
const VERSION_LABEL = "org.opencontainers.image.version";

/** An RFC 3339 time as UTC with second precision, or undefined when it is not one. */
export function normalizeTime(value: string | undefined): string | undefined {
  if (value === undefined || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i.test(value))
    return undefined;
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? undefined : `${time.toISOString().slice(0, 19)}Z`;
}

export async function layoutSboms(dir: string, options: SbomOptions): Promise<LayoutSboms> {
  const given = options.created === undefined ? undefined : normalizeTime(options.created);
  if (options.created !== undefined && given === undefined) {
    throw new ReleaseError("USAGE", `${JSON.stringify(options.created)} is not an RFC 3339 time`, {
      field: "--created",
      fix: "e.g. --created 2026-01-02T03:04:05Z (the release commit's time: git log -1 --format=%cI)",
    });
  }
  const layout = await readLayoutIndex(dir, options.tag);
  const platforms: PlatformSbom[] = [];
  for (const image of layout.platforms) {
    const config = await readJsonBlob<ImageConfig & { created?: string }>(dir, image.manifest.config);
    const labels = config.config?.Labels ?? {};
    const created = given ?? normalizeTime(labels[CREATED_LABEL]) ?? normalizeTime(config.created);
    if (created === undefined) {
      throw new ReleaseError(
        "USAGE",
        `${image.platform} has no creation time (no ${CREATED_LABEL} label, no created in its config)`,
        { file: dir, field: "--created", fix: "give the release commit's time with --created" },
      );
    }
    const files = await readImageFiles(dir, image.manifest.layers);
    const document = platformSbom({
      repository: options.repository,
      platform: image.platform,
      digest: image.descriptor.digest,
      version: labels[VERSION_LABEL],
      created,
      node: nodeBinaries(files),
      npm: npmPackages(files),
    });
    platforms.push({ platform: image.platform, digest: image.descriptor.digest, document });
  }
  return { digest: layout.digest, platforms };
}

/** The file name of a platform's SBOM, e.g. sbom-linux-arm64.spdx.json. */
export function sbomFileName(platform: string): string {
  return `sbom-${platform.replaceAll("/", "-")}.spdx.json`;
}
