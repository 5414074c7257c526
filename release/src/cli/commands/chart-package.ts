import { promises as fs } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { ANNOTATION_PREFIX } from "../../artifacthub/annotations.js";
import { resolveSourceDateEpoch } from "../../chart/source-date-epoch.js";
import { ReleaseError } from "../../errors.js";
import type { SigningKey } from "../../provenance/keys.js";
import { type PackagedChart, packagedChartFrom } from "../../publish/chart-source.js";
import { type ArtifactHubFlags, addArtifactHubOptions, artifactHubRequest } from "../artifacthub-options.js";
import type { CliContext } from "../context.js";
import { runGit } from "../git.js";
import { commandOutput, type Rendering } from "../output.js";
import { addSigningOptions, type SigningFlags, signChart, signingKeyFrom } from "../signing.js";

interface PackageFlags extends ArtifactHubFlags, SigningFlags {
  version?: string;
  appVersion?: string;
  out: string;
  json?: boolean;
}

export function registerChartPackage(chart: Command, context: CliContext): void {
  const command = chart
    .command("package")
    .description("validate a chart directory and package it reproducibly as <name>-<version>.tgz")
    .argument("<dir>", "chart directory (with Chart.yaml)")
    .option("--version <version>", "set the chart version (written into the archive's Chart.yaml)")
    .option("--app-version <version>", "set appVersion (written into the archive's Chart.yaml)")
    .option("--out <dir>", "directory to write the archive to", ".");
  addSigningOptions(command);
  addArtifactHubOptions(command)
    .option("--json", "print the result as JSON")
    .addHelpText(
      "after",
      "\nThe archive is byte-identical for the same chart content: file times are set to SOURCE_DATE_EPOCH,\nor to the time of the last commit that touched the chart directory, or to 1970-01-01 outside git.\nWith --sign-key, <archive>.prov (Helm's provenance file, read by `helm verify`) is written next to it.",
    )
    .action(async (dir: string, flags: PackageFlags) => {
      const output = commandOutput(context, flags);
      const outcome = await chartPackage(await packageRequest(dir, flags, context), context);
      output.render(renderChartPackage(outcome));
    });
}

interface PackageRequest {
  chartDir: string;
  outDir: string;
  artifactHub?: NonNullable<Awaited<ReturnType<typeof artifactHubRequest>>>;
  signingKey?: SigningKey;
  version?: string;
  appVersion?: string;
}

/** The flags as a typed request: the chart folder, Artifact Hub's inputs and the key, read before anything is written. */
async function packageRequest(
  dir: string,
  flags: PackageFlags,
  context: CliContext,
): Promise<PackageRequest> {
  const chartDir = resolve(context.cwd, dir);
  await requireDirectory(chartDir);
  const artifactHub = await artifactHubRequest(flags, context.cwd);
  // Read and unlocked before anything is written: a bad key leaves no archive behind.
  const signingKey = await signingKeyFrom(flags, context);
  return {
    chartDir,
    outDir: resolve(context.cwd, flags.out),
    ...(artifactHub === undefined ? {} : { artifactHub }),
    ...(signingKey === undefined ? {} : { signingKey }),
    ...(flags.version === undefined ? {} : { version: flags.version }),
    ...(flags.appVersion === undefined ? {} : { appVersion: flags.appVersion }),
  };
}

interface PackageOutcome {
  request: PackageRequest;
  packaged: PackagedChart;
  epoch: Awaited<ReturnType<typeof resolveSourceDateEpoch>>;
  path: string;
  provenancePath: string | undefined;
}

/** `chart package` as a plain function: the archive (and its .prov) written, what was written returned. */
async function chartPackage(request: PackageRequest, context: CliContext): Promise<PackageOutcome> {
  const { chartDir, artifactHub, signingKey } = request;
  const epoch = await resolveSourceDateEpoch({ env: context.env, chartDir, runGit });
  const packaged = await packagedChartFrom({
    path: chartDir,
    sourceDateEpoch: async () => epoch.epoch,
    ...(artifactHub === undefined ? {} : { artifactHub }),
    ...(request.version === undefined ? {} : { version: request.version }),
    ...(request.appVersion === undefined ? {} : { appVersion: request.appVersion }),
  });
  const path = join(request.outDir, packaged.fileName);
  const provenance = signingKey === undefined ? undefined : await signChart(packaged, signingKey);
  const provenancePath = `${path}.prov`;
  try {
    await fs.mkdir(request.outDir, { recursive: true });
    await fs.writeFile(path, packaged.bytes);
    if (provenance !== undefined) await fs.writeFile(provenancePath, provenance);
  } catch (error) {
    throw new ReleaseError("STORAGE_FAILED", `cannot write the archive: ${String(error)}`, {
      file: path,
      fix: "choose another --out",
      cause: error,
    });
  }
  return {
    request,
    packaged,
    epoch,
    path,
    provenancePath: provenance === undefined ? undefined : provenancePath,
  };
}

function renderChartPackage({ request, packaged, epoch, path, provenancePath }: PackageOutcome): Rendering {
  const { signingKey } = request;
  return {
    data: {
      chart: packaged.metadata.name,
      version: packaged.metadata.version,
      appVersion: packaged.metadata.appVersion ?? null,
      path,
      digest: packaged.digest,
      size: packaged.bytes.byteLength,
      sourceDateEpoch: epoch.epoch,
      sourceDateEpochFrom: epoch.source,
      annotations: packaged.metadata.annotations ?? {},
      changesSection: packaged.changesSection ?? null,
      provenance: provenancePath ?? null,
      signedBy: signingKey?.fingerprint ?? null,
    },
    human: [
      path,
      `  sha256 ${packaged.digest}`,
      `  ${packaged.bytes.byteLength} bytes, file times ${new Date(epoch.epoch * 1000).toISOString()} (from ${epoch.source})`,
      ...(request.artifactHub === undefined ? [] : [`  Artifact Hub: ${describeArtifactHub(packaged)}`]),
      ...(signingKey === undefined ? [] : [`  signed ${provenancePath} with key ${signingKey.fingerprint}`]),
    ].join("\n"),
  };
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

/** One line: which release annotations the archive got. */
function describeArtifactHub(packaged: PackagedChart): string {
  const annotations = packaged.metadata.annotations ?? {};
  const has = (name: string) => annotations[`${ANNOTATION_PREFIX}${name}`] !== undefined;
  return [
    "images",
    ...(has("prerelease") ? ["prerelease"] : []),
    ...(packaged.changesSection === undefined ? [] : [`changes of ${packaged.changesSection}`]),
    ...(has("containsSecurityUpdates")
      ? [`containsSecurityUpdates ${annotations[`${ANNOTATION_PREFIX}containsSecurityUpdates`]}`]
      : []),
    ...(has("signKey") ? ["signKey"] : []),
  ].join(", ");
}
