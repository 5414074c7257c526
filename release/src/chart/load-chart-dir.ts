/**
 * Loads a chart directory the way `helm package` does (pkg/chart/v2/loader directory.go): walk the
 * tree, skip what .helmignore (plus Helm's default `templates/.?*`) ignores, drop a UTF-8 byte
 * order mark at the start of each file, refuse irregular files and files over 5 MiB, then validate
 * Chart.yaml strictly and the rest as Helm's loader does (chart-files.ts).
 *
 * Symbolic links: Helm follows every link, even out of the chart (a chart can then quietly pick up
 * any file of the machine that packages it). Here a link is followed only when its target is inside
 * the chart directory; the target's content is stored under the link's path, as Helm does. A link
 * leading outside, a dangling link and a link back to one of its own parent directories (a loop)
 * are refused, unless .helmignore ignores the link.
 */
import type { Stats } from "node:fs";
import { lstat, readdir, readFile, realpath, stat } from "node:fs/promises";
import { join, sep } from "node:path";
import { ReleaseError } from "../errors.js";
import type { ChartMetadata } from "../helm-format/chart-metadata.js";
import { compareBytes } from "./archive-members.js";
import { type ChartFile, checkChartContent, decodeUtf8, refuseRequirementsFiles } from "./chart-files.js";
import { parseChartYamlDetailed } from "./chart-yaml.js";
import { HelmIgnore } from "./helmignore.js";
import { formatBytes, MAX_CHART_BYTES, MAX_FILE_BYTES } from "./limits.js";

export interface LoadedChart {
  /** The chart directory, as given. */
  dir: string;
  chartYamlPath: string;
  /** Validated Chart.yaml metadata (known fields only). */
  metadata: ChartMetadata;
  /** The chart's files after .helmignore, sorted by path (byte order). Chart.yaml as written on disk. */
  files: ChartFile[];
  /** Notes that do not stop packaging, e.g. unknown Chart.yaml keys that are dropped. */
  warnings: string[];
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];

function withoutBom(data: Uint8Array): Uint8Array {
  return UTF8_BOM.every((byte, index) => data[index] === byte) ? data.subarray(UTF8_BOM.length) : data;
}

function invalid(file: string, message: string, fix: string, cause?: unknown): ReleaseError {
  return new ReleaseError("CHART_INVALID", message, { file, fix, ...(cause === undefined ? {} : { cause }) });
}

/** A file or folder of the chart that this user may not read (permissions), as a chart error. */
function unreadable(path: string): (error: unknown) => never {
  return (error) => {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw invalid(
      path,
      `cannot read it (${code})`,
      "make it readable by the user running kube9-release, or ignore it in .helmignore",
      error,
    );
  };
}

class Walker {
  readonly files: ChartFile[] = [];
  total = 0;

  constructor(
    readonly dir: string,
    readonly rootReal: string,
    readonly rules: HelmIgnore,
  ) {}

  private inside(real: string): boolean {
    return real === this.rootReal || real.startsWith(this.rootReal + sep);
  }

  async walk(relDir: string, ancestors: ReadonlySet<string>): Promise<void> {
    const path = relDir === "" ? this.dir : join(this.dir, relDir);
    const names = await readdir(path).catch(unreadable(path));
    for (const name of names.sort(compareBytes)) {
      const rel = relDir === "" ? name : `${relDir}/${name}`;
      const abs = join(this.dir, rel);
      const link = await lstat(abs).catch(unreadable(abs));
      let target: Stats = link;
      if (link.isSymbolicLink()) {
        try {
          target = await stat(abs);
        } catch (error) {
          if (this.rules.ignores(rel, false)) continue;
          throw invalid(
            abs,
            "this symbolic link points to nothing",
            "fix or remove the link, or ignore it in .helmignore",
            error,
          );
        }
      }
      const isDirectory = target.isDirectory();
      if (this.rules.ignores(rel, isDirectory)) continue;
      let real: string | undefined;
      if (link.isSymbolicLink()) {
        real = await realpath(abs);
        if (!this.inside(real)) {
          throw invalid(
            abs,
            `this symbolic link leads outside the chart directory (to ${real})`,
            "copy the file into the chart instead of linking to it, or ignore the link in .helmignore",
          );
        }
      }
      if (isDirectory) {
        const dirReal = real ?? (await realpath(abs));
        if (ancestors.has(dirReal)) {
          throw invalid(
            abs,
            "this symbolic link leads back to a directory that contains it (a loop)",
            "remove the link",
          );
        }
        await this.walk(rel, new Set([...ancestors, dirReal]));
        continue;
      }
      await this.addFile(rel, abs, target);
    }
  }

  private async addFile(rel: string, abs: string, info: Stats): Promise<void> {
    if (!info.isFile()) {
      throw invalid(
        abs,
        "this is not a regular file (a fifo, socket or device); Helm refuses to load it",
        "remove it from the chart or ignore it in .helmignore",
      );
    }
    if (rel.includes("\\")) {
      throw invalid(
        abs,
        "the file name contains a backslash, which Helm reads as a path separator in archives",
        "rename the file",
      );
    }
    if (info.size > MAX_FILE_BYTES) {
      throw invalid(
        abs,
        `the file is ${formatBytes(info.size)}; Helm refuses files over ${formatBytes(MAX_FILE_BYTES)}`,
        "keep large data out of the chart, or ignore the file in .helmignore",
      );
    }
    const data = withoutBom(new Uint8Array(await readFile(abs).catch(unreadable(abs))));
    this.total += data.length;
    if (this.total >= MAX_CHART_BYTES) {
      throw invalid(
        this.dir,
        `the chart's files reach ${formatBytes(MAX_CHART_BYTES)}; Helm refuses charts that large`,
        "keep large data out of the chart, or ignore it in .helmignore",
      );
    }
    this.files.push({ path: rel, data });
  }
}

async function readRules(dir: string): Promise<HelmIgnore> {
  const file = join(dir, ".helmignore");
  const info = await stat(file).catch(() => undefined);
  if (info === undefined || !info.isFile()) return HelmIgnore.empty().withDefaults();
  return HelmIgnore.parse(
    decodeUtf8(await readFile(file).catch(unreadable(file)), file),
    file,
  ).withDefaults();
}

/** Why the chart's files hold no Chart.yaml: ignored, a directory, or missing. */
async function whyNoChartYaml(chartYamlPath: string): Promise<ReleaseError> {
  const onDisk = await stat(chartYamlPath).catch(() => undefined);
  if (onDisk?.isFile() === true) {
    return invalid(
      chartYamlPath,
      "Chart.yaml is ignored by .helmignore",
      "remove the .helmignore rule that matches Chart.yaml",
    );
  }
  if (onDisk !== undefined) {
    return invalid(
      chartYamlPath,
      "Chart.yaml is a directory, not a file",
      "replace it with the chart's Chart.yaml file",
    );
  }
  return invalid(
    chartYamlPath,
    "Chart.yaml is missing",
    "give the chart's own directory, which holds Chart.yaml",
  );
}

export async function loadChartDir(dir: string): Promise<LoadedChart> {
  const chartYamlPath = join(dir, "Chart.yaml");
  const info = await stat(dir).catch((error: unknown) => {
    throw invalid(
      dir,
      "no chart directory here",
      "give the path of a chart directory (the one with Chart.yaml)",
      error,
    );
  });
  if (!info.isDirectory())
    throw invalid(
      dir,
      "this is not a directory",
      "give the path of a chart directory (the one with Chart.yaml)",
    );
  const rootReal = await realpath(dir);
  const rules = await readRules(dir);
  const walker = new Walker(dir, rootReal, rules);
  await walker.walk("", new Set([rootReal]));
  const files = walker.files.sort((a, b) => compareBytes(a.path, b.path));

  const chartYaml = files.find((file) => file.path === "Chart.yaml");
  if (chartYaml === undefined) throw await whyNoChartYaml(chartYamlPath);
  const { metadata, unknownKeys } = parseChartYamlDetailed(
    decodeUtf8(chartYaml.data, chartYamlPath),
    chartYamlPath,
  );
  const locate = (path: string) => join(dir, path);
  refuseRequirementsFiles(files, locate);
  await checkChartContent(files, locate, {
    strict: true,
    chartYamlFile: chartYamlPath,
    ...(metadata.dependencies === undefined ? {} : { dependencies: metadata.dependencies }),
  });
  const warnings = unknownKeys.map(
    (key) =>
      `${chartYamlPath}: ${key} is not a Chart.yaml field Helm knows; it is left out of the packaged Chart.yaml and the index`,
  );
  return { dir, chartYamlPath, metadata, files, warnings };
}
