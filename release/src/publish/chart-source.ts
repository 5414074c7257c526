/**
 * Steps 1 and 2 of the publish pipeline (docs/architecture.md): turn what the user gave (a chart
 * directory or a packaged .tgz) into the exact archive bytes to publish, validated, with their
 * digest.
 */
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import { basename } from "node:path";
import { assertArtifactHubChart } from "../artifacthub/chart-check.js";
import { type ArtifactHubRequest, artifactHubAnnotator } from "../artifacthub/release-annotations.js";
import { loadChartDir } from "../chart/load-chart-dir.js";
import { packageChart } from "../chart/package-chart.js";
import { readChartArchive } from "../chart/read-chart-archive.js";
import { ReleaseError } from "../errors.js";
import type { ChartMetadata } from "../helm-format/chart-metadata.js";

export interface PackagedChart {
  fileName: string;
  bytes: Uint8Array;
  /** Lowercase hex SHA-256 of `bytes`. */
  digest: string;
  metadata: ChartMetadata;
  /** Where the bytes came from, for messages. */
  source: string;
  /** The CHANGELOG.md section the Artifact Hub changes came from (chart directory with artifactHub). */
  changesSection?: string;
}

export interface PackageRequest {
  /** A chart directory or a `.tgz` archive. */
  path: string;
  version?: string;
  appVersion?: string;
  /**
   * The file time of the members of a chart directory's archive (see chart/source-date-epoch.ts).
   * Asked only when `path` is a directory: a packaged archive is published with its own bytes, and
   * finding the time (git with the chart as working directory) means nothing for a file.
   */
  sourceDateEpoch: () => Promise<number>;
  /** Add the release's Artifact Hub annotations (chart directory only; artifacthub/release-annotations.ts). */
  artifactHub?: ArtifactHubRequest;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export async function packagedChartFrom(request: PackageRequest): Promise<PackagedChart> {
  const stat = await fs.stat(request.path).catch((error: unknown) => {
    throw new ReleaseError("CHART_INVALID", "no chart directory or archive here", {
      file: request.path,
      fix: "give the path of a chart directory (with Chart.yaml) or of a packaged .tgz",
      cause: error,
    });
  });
  return stat.isDirectory() ? packageChartDir(request) : readPackagedArchive(request);
}

/** A chart directory packaged with the request's overrides and Artifact Hub annotations. */
async function packageChartDir(request: PackageRequest): Promise<PackagedChart> {
  const chart = await loadChartDir(request.path);
  const annotator =
    request.artifactHub === undefined ? undefined : artifactHubAnnotator(chart, request.artifactHub);
  const packaged = packageChart(chart, {
    sourceDateEpoch: await request.sourceDateEpoch(),
    ...(request.version === undefined ? {} : { version: request.version }),
    ...(request.appVersion === undefined ? {} : { appVersion: request.appVersion }),
    ...(annotator === undefined ? {} : { annotate: annotator.annotate }),
  });
  // A broken Artifact Hub annotation stops here, before anything is written or published.
  assertArtifactHubChart(packaged.metadata, chart.files, chart.chartYamlPath);
  const changesSection = annotator?.changesSection();
  return { ...packaged, source: request.path, ...(changesSection === undefined ? {} : { changesSection }) };
}

/** A packaged archive as it is, checked to be named for the chart it holds; it takes no overrides. */
async function readPackagedArchive(request: PackageRequest): Promise<PackagedChart> {
  if (
    request.version !== undefined ||
    request.appVersion !== undefined ||
    request.artifactHub !== undefined
  ) {
    throw new ReleaseError(
      "USAGE",
      "--version, --app-version and the Artifact Hub options apply to a chart directory, not to a packaged archive",
      {
        file: request.path,
        fix: "publish the chart directory with the overrides, or package it first with `kube9-release chart package`",
      },
    );
  }
  const bytes = new Uint8Array(
    await fs.readFile(request.path).catch((error: unknown) => {
      throw new ReleaseError("CHART_INVALID", `cannot read the archive: ${String(error)}`, {
        file: request.path,
        fix: "check that the file is readable by this user",
        cause: error,
      });
    }),
  );
  const { metadata, files } = await readChartArchive(bytes, request.path);
  assertArtifactHubChart(metadata, files, `${request.path} (${metadata.name}/Chart.yaml)`);
  const expected = `${metadata.name}-${metadata.version}.tgz`;
  if (basename(request.path) !== expected) {
    throw new ReleaseError(
      "ARCHIVE_INVALID",
      `the archive holds ${metadata.name} ${metadata.version} but is named ${basename(request.path)}`,
      {
        file: request.path,
        fix: `rename it to ${expected} (Helm and this repository name archives <name>-<version>.tgz)`,
      },
    );
  }
  return { fileName: expected, bytes, digest: sha256Hex(bytes), metadata, source: request.path };
}
