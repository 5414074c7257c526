/**
 * Step 1 and 2 of the pipeline: turn what the user gave (a chart directory or a packaged .tgz)
 * into the exact archive bytes to publish, validated, with their digest.
 */
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import { basename } from "node:path";
import { loadChartDir } from "../chart/load-chart-dir.js";
import type { ChartMetadata } from "../chart/metadata.js";
import { packageChart } from "../chart/package-chart.js";
import { readChartArchive } from "../chart/read-chart-archive.js";
import { ReleaseError } from "../errors.js";

export interface PackagedChart {
  fileName: string;
  bytes: Uint8Array;
  /** Lowercase hex SHA-256 of `bytes`. */
  digest: string;
  metadata: ChartMetadata;
  /** Where the bytes came from, for messages. */
  source: string;
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
  if (stat.isDirectory()) {
    const chart = await loadChartDir(request.path);
    const packaged = packageChart(chart, {
      sourceDateEpoch: await request.sourceDateEpoch(),
      ...(request.version === undefined ? {} : { version: request.version }),
      ...(request.appVersion === undefined ? {} : { appVersion: request.appVersion }),
    });
    return { ...packaged, source: request.path };
  }
  if (request.version !== undefined || request.appVersion !== undefined) {
    throw new ReleaseError(
      "USAGE",
      "--version and --app-version apply to a chart directory, not to a packaged archive",
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
  const { metadata } = await readChartArchive(bytes, request.path);
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
