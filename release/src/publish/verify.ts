/**
 * Step 8 of the publish pipeline (docs/architecture.md), and `repo verify`: check what a user gets.
 * The index lists the version, and the archive it points to has exactly the digest the index claims
 * and holds that chart version.
 */
import { readChartArchive } from "../chart/read-chart-archive.js";
import { ReleaseError } from "../errors.js";
import { type ChartVersion, findEntry, type IndexFile } from "../repo/model/index-file.js";
import { parseIndex } from "../repo/parse/parse-index.js";
import { sha256Hex } from "./chart-source.js";
import type { RepositoryReader } from "./repository-reader.js";

export interface VerifyRequest {
  chart: string;
  version: string;
  /** When given (right after a publish), the index must also claim this digest. */
  expectedDigest?: string;
}

export interface VerifyResult {
  chart: string;
  version: string;
  appVersion: string | undefined;
  index: string;
  archive: string;
  digest: string;
  size: number;
  /** Versions of this chart listed in the index, newest first. */
  versions: string[];
}

export type IndexParser = (bytes: Uint8Array, file: string) => IndexFile;

/** The index's entry of the requested version, with the digest asked for and a URL to download. */
function listedEntry(
  index: IndexFile,
  listed: string[],
  reader: RepositoryReader,
  request: VerifyRequest,
): { entry: ChartVersion; url: string } {
  const entry = findEntry(index, request.chart, request.version);
  if (entry === undefined) {
    throw new ReleaseError("VERIFY_FAILED", `${request.chart} ${request.version} is not listed`, {
      file: reader.indexLocation,
      field: `entries.${request.chart}`,
      fix:
        listed.length === 0
          ? `no version of ${request.chart} is published here`
          : `listed versions: ${listed.join(", ")}`,
    });
  }
  if (request.expectedDigest !== undefined && entry.digest !== request.expectedDigest) {
    throw new ReleaseError(
      "VERIFY_FAILED",
      `the index claims digest ${entry.digest}, the published archive is ${request.expectedDigest}`,
      {
        file: reader.indexLocation,
        field: `entries.${request.chart}[${request.version}].digest`,
      },
    );
  }
  const url = entry.urls[0];
  if (url === undefined) {
    throw new ReleaseError("VERIFY_FAILED", "the entry has no URL", {
      file: reader.indexLocation,
      field: `entries.${request.chart}[${request.version}].urls`,
    });
  }
  return { entry, url };
}

export async function verifyPublished(
  reader: RepositoryReader,
  request: VerifyRequest,
  parse: IndexParser = parseIndex,
): Promise<VerifyResult> {
  const index = parse(await reader.readIndex(), reader.indexLocation);
  const listed = (index.entries[request.chart] ?? []).map((candidate) => candidate.version);
  const { entry, url } = listedEntry(index, listed, reader, request);
  const archive = await reader.readArchive(url);
  const digest = sha256Hex(archive.bytes);
  if (digest !== entry.digest) {
    throw new ReleaseError(
      "VERIFY_FAILED",
      `downloaded archive has sha256 ${digest} but the index claims ${entry.digest}`,
      {
        file: archive.location,
        fix: "the archive bytes changed after publishing; restore the published archive (a published version is never rebuilt)",
      },
    );
  }
  const { metadata } = await readChartArchive(archive.bytes, archive.location);
  if (metadata.name !== request.chart || metadata.version !== entry.version) {
    throw new ReleaseError(
      "VERIFY_FAILED",
      `the archive holds ${metadata.name} ${metadata.version}, not ${request.chart} ${entry.version}`,
      {
        file: archive.location,
      },
    );
  }
  return {
    chart: request.chart,
    version: entry.version,
    appVersion: entry.appVersion,
    index: reader.indexLocation,
    archive: archive.location,
    digest,
    size: archive.bytes.byteLength,
    versions: listed,
  };
}
