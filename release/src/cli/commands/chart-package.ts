import { promises as fs } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { resolveSourceDateEpoch } from "../../chart/source-date-epoch.js";
import { ReleaseError } from "../../errors.js";
import { packagedChartFrom } from "../../publish/chart-source.js";
import type { CliContext } from "../context.js";
import { runGit } from "../git.js";
import { commandOutput } from "../output.js";

interface PackageFlags {
  version?: string;
  appVersion?: string;
  out: string;
  json?: boolean;
}

export function registerChartPackage(chart: Command, context: CliContext): void {
  chart
    .command("package")
    .description("validate a chart directory and package it reproducibly as <name>-<version>.tgz")
    .argument("<dir>", "chart directory (with Chart.yaml)")
    .option("--version <version>", "set the chart version (written into the archive's Chart.yaml)")
    .option("--app-version <version>", "set appVersion (written into the archive's Chart.yaml)")
    .option("--out <dir>", "directory to write the archive to", ".")
    .option("--json", "print the result as JSON")
    .addHelpText(
      "after",
      "\nThe archive is byte-identical for the same chart content: file times are set to SOURCE_DATE_EPOCH,\nor to the time of the last commit that touched the chart directory, or to 1970-01-01 outside git.",
    )
    .action(async (dir: string, flags: PackageFlags) => {
      const output = commandOutput(context, flags);
      const chartDir = resolve(context.cwd, dir);
      await requireDirectory(chartDir);
      const epoch = await resolveSourceDateEpoch({ env: context.env, chartDir, runGit });
      const packaged = await packagedChartFrom({
        path: chartDir,
        sourceDateEpoch: async () => epoch.epoch,
        ...(flags.version === undefined ? {} : { version: flags.version }),
        ...(flags.appVersion === undefined ? {} : { appVersion: flags.appVersion }),
      });
      const outDir = resolve(context.cwd, flags.out);
      const path = join(outDir, packaged.fileName);
      try {
        await fs.mkdir(outDir, { recursive: true });
        await fs.writeFile(path, packaged.bytes);
      } catch (error) {
        throw new ReleaseError("STORAGE_FAILED", `cannot write the archive: ${String(error)}`, {
          file: path,
          fix: "choose another --out",
          cause: error,
        });
      }
      output.result(
        {
          chart: packaged.metadata.name,
          version: packaged.metadata.version,
          appVersion: packaged.metadata.appVersion ?? null,
          path,
          digest: packaged.digest,
          size: packaged.bytes.byteLength,
          sourceDateEpoch: epoch.epoch,
          sourceDateEpochFrom: epoch.source,
        },
        `${path}\n  sha256 ${packaged.digest}\n  ${packaged.bytes.byteLength} bytes, file times ${new Date(epoch.epoch * 1000).toISOString()} (from ${epoch.source})`,
      );
    });
}

/** `chart package` makes an archive from a chart directory; an archive or other file is refused. */
async function requireDirectory(chartDir: string): Promise<void> {
  const stat = await fs.stat(chartDir).catch(() => undefined);
  if (stat === undefined) {
    throw new ReleaseError("CHART_INVALID", "no chart directory here", {
      file: chartDir,
      fix: "give the path of a chart directory (the folder with Chart.yaml)",
    });
  }
  if (!stat.isDirectory()) {
    throw new ReleaseError("USAGE", "this is a file, not a chart directory", {
      file: chartDir,
      fix: chartDir.endsWith(".tgz")
        ? "a packaged chart is already an archive: publish it with `kube9-release chart publish <file>.tgz`"
        : "give the path of a chart directory (the folder with Chart.yaml)",
    });
  }
}
