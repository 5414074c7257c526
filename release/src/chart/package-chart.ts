/**
 * Deterministic `helm package`: the same chart files, metadata and SOURCE_DATE_EPOCH give the same
 * bytes on every machine, whatever the files' mtimes, modes, owners or directory order.
 *
 * - Chart.yaml is re-emitted from the validated metadata (emit-chart-yaml.ts), so --version and
 *   --app-version land inside the archive, as with `helm package`, which also writes its loaded
 *   metadata rather than the original text.
 * - Members `<name>/<path>` in Helm's order (pkg/chart/v2/util/save.go): Chart.yaml, Chart.lock,
 *   values.yaml, values.schema.json, templates/, other files, then charts/; by byte order within
 *   each group. Regular files only, no directory entries (Helm writes none), mode 0644, uid/gid 0,
 *   empty user and group names, mtime = sourceDateEpoch, plain ustar without PAX headers.
 * - gzip (pako, level 9) with a fixed header: mtime 0, no extra field, no name, no comment, OS byte
 *   255 ("unknown", what Go's compress/gzip and so Helm write).
 */
import { createHash } from "node:crypto";
import pako from "pako";
import { ReleaseError } from "../errors.js";
import type { ChartMetadata } from "../helm-format/chart-metadata.js";
import { compareBytes } from "./archive-members.js";
import { checkChartVersion } from "./chart-yaml.js";
import { emitChartYaml } from "./emit-chart-yaml.js";
import { formatBytes, MAX_CHART_BYTES } from "./limits.js";
import type { LoadedChart } from "./load-chart-dir.js";
import { type TarFile, ustarName, writeTar } from "./tar-writer.js";
import { sanitizeString } from "./yaml-fields.js";

export interface PackageOptions {
  /** Replaces Chart.yaml's version (strict SemVer 2, as in Chart.yaml). Default: Chart.yaml's. */
  version?: string;
  /** Replaces Chart.yaml's appVersion. Default: Chart.yaml's. */
  appVersion?: string;
  /** Seconds since 1970-01-01 UTC, the mtime of every member (see source-date-epoch.ts). */
  sourceDateEpoch: number;
  /**
   * Annotations to add, computed from the metadata the archive gets (overrides applied), e.g. the
   * Artifact Hub annotations of a release. Default: none (the archive is what `helm package` makes).
   */
  annotate?: (metadata: ChartMetadata) => Readonly<Record<string, string>>;
}

export interface PackagedArchive {
  /** `<name>-<version>.tgz` */
  fileName: string;
  bytes: Uint8Array;
  /** Lowercase hex SHA-256 of `bytes`. */
  digest: string;
  /** The metadata written into the archive (overrides applied). */
  metadata: ChartMetadata;
}

/** Largest mtime a 12-byte ustar field holds (11 octal digits). */
const MAX_EPOCH = 8 ** 11 - 1;
const GZIP_OS_UNKNOWN = 255;

const FIRST = ["Chart.yaml", "Chart.lock", "values.yaml", "values.schema.json"];

function rank(path: string): number {
  const first = FIRST.indexOf(path);
  if (first >= 0) return first;
  if (path.startsWith("templates/")) return FIRST.length;
  if (path.startsWith("charts/")) return FIRST.length + 2;
  return FIRST.length + 1;
}

/** Member order: Helm's groups, byte order inside each group. */
export function memberOrder(a: string, b: string): number {
  return rank(a) - rank(b) || compareBytes(a, b);
}

function usage(field: string, message: string, fix: string): ReleaseError {
  return new ReleaseError("USAGE", message, { field, fix });
}

function applyOverrides(chart: LoadedChart, options: PackageOptions): ChartMetadata {
  const metadata: ChartMetadata = { ...chart.metadata };
  if (options.version !== undefined) {
    try {
      metadata.version = checkChartVersion(chart.chartYamlPath, "--version", options.version);
    } catch (error) {
      if (!(error instanceof ReleaseError)) throw error;
      throw usage("--version", error.message, error.fix ?? "give a SemVer 2 version such as 1.2.3");
    }
  }
  if (options.appVersion !== undefined) {
    const appVersion = sanitizeString(options.appVersion);
    if (appVersion.trim() === "")
      throw usage(
        "--app-version",
        "--app-version must not be empty",
        "give the application version, e.g. 1.2.3, or leave the option out",
      );
    metadata.appVersion = appVersion;
  }
  return metadata;
}

export function packageChart(chart: LoadedChart, options: PackageOptions): PackagedArchive {
  const epoch = options.sourceDateEpoch;
  if (!Number.isSafeInteger(epoch) || epoch < 0 || epoch > MAX_EPOCH) {
    throw usage(
      "sourceDateEpoch",
      `${epoch} is not a timestamp a tar header can hold`,
      `give whole seconds from 0 to ${MAX_EPOCH}`,
    );
  }
  const metadata = applyOverrides(chart, options);
  const added = options.annotate?.(metadata) ?? {};
  if (Object.keys(added).length > 0) metadata.annotations = { ...metadata.annotations, ...added };
  const chartYaml = new TextEncoder().encode(emitChartYaml(metadata));
  const files = chart.files.map((file) =>
    file.path === "Chart.yaml" ? { path: file.path, data: chartYaml } : file,
  );
  const total = files.reduce((sum, file) => sum + file.data.length, 0);
  if (total >= MAX_CHART_BYTES) {
    throw new ReleaseError(
      "CHART_INVALID",
      `the chart's files reach ${formatBytes(MAX_CHART_BYTES)}; Helm refuses charts that large`,
      {
        file: chart.dir,
        fix: "keep large data out of the chart, or ignore it in .helmignore",
      },
    );
  }
  const members: TarFile[] = files
    .slice()
    .sort((a, b) => memberOrder(a.path, b.path))
    .map((file) => {
      const name = `${metadata.name}/${file.path}`;
      if (ustarName(name) === undefined) {
        throw new ReleaseError(
          "CHART_INVALID",
          `the archive path ${name} is too long for a plain tar header (at most 100 bytes after the last "/" and 155 before it)`,
          {
            file: `${chart.dir}/${file.path}`,
            fix: "shorten the file or directory names",
          },
        );
      }
      return { name, data: file.data };
    });
  const tar = writeTar(members, { mtime: epoch });
  const deflate = new pako.Deflate({ level: 9, gzip: true, header: { time: 0, os: GZIP_OS_UNKNOWN } });
  deflate.push(tar, true);
  if (deflate.err !== 0) throw new Error(`gzip failed: ${deflate.msg}`);
  const bytes = deflate.result as Uint8Array;
  return {
    fileName: `${metadata.name}-${metadata.version}.tgz`,
    bytes,
    digest: createHash("sha256").update(bytes).digest("hex"),
    metadata,
  };
}
