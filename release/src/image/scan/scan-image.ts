/**
 * Scans every platform of a multi-platform OCI layout with Trivy, each from its own
 * single-platform layout, and applies the severity gate. The result records the index digest and
 * each platform's manifest digest, checked against the image Trivy reports it scanned, so that a
 * release can compare them with what it pushes.
 */
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ReleaseError } from "../../errors.js";
import { type LayoutIndex, type PlatformImage, readLayoutIndex } from "../oci-layout-reader.js";
import { writePlatformLayout } from "./platform-layouts.js";
import { categorizeSarif, sarifFileName } from "./sarif.js";
import {
  countBySeverity,
  type FailOn,
  failsGate,
  SEVERITIES,
  type Severity,
  type SeverityCounts,
} from "./severity.js";
import type { Trivy, TrivyVersion } from "./trivy.js";
import { type Finding, parseTrivyReport } from "./trivy-report.js";

export interface ScanOptions {
  layoutDir: string;
  /** The image of the layout to scan (default: the only one). */
  tag?: string;
  /** Scan only these platforms (default: every platform of the index). */
  platforms?: string[];
  failOn: FailOn;
  scanners: string[];
  /** Where each platform's SARIF is written (created if missing). */
  sarifDir?: string;
  trivy: Trivy;
  /** A private temporary folder for the single-platform layouts and reports. */
  workDir: string;
  progress: (line: string) => void;
}

export interface PlatformScan {
  platform: string;
  /** The platform's manifest digest, as listed in the index. */
  digest: string;
  /** Its config digest: the image id Trivy reported. */
  configDigest: string;
  /** How long Trivy took for this platform. */
  seconds: number;
  counts: SeverityCounts;
  findings: Finding[];
  sarif?: string;
}

/** A finding at or above the gate, with every platform it was found on. */
export interface BlockingFinding {
  kind: Finding["kind"];
  id: string;
  severity: Severity;
  package: string;
  installedVersion?: string;
  fixedVersion?: string;
  platforms: string[];
}

export interface ImageScan {
  layout: string;
  tag: string;
  /** The image index digest: what the release tags point to once pushed. */
  digest: string;
  mediaType: string;
  failOn: FailOn;
  scanners: string[];
  trivy: TrivyVersion;
  platforms: PlatformScan[];
  blocking: BlockingFinding[];
  passed: boolean;
}

function choosePlatforms(available: string[], wanted: string[] | undefined): string[] {
  if (wanted === undefined) return available;
  const missing = wanted.filter((p) => !available.includes(p));
  if (missing.length > 0) {
    throw new ReleaseError(
      "USAGE",
      `the layout has no ${missing.join(", ")} (it holds ${available.join(", ")})`,
      {
        field: "--platform",
        fix: `give platforms of the layout: ${available.join(",")}`,
      },
    );
  }
  return available.filter((p) => wanted.includes(p));
}

export function blockingFindings(platforms: PlatformScan[], failOn: FailOn): BlockingFinding[] {
  const byKey = new Map<string, BlockingFinding>();
  for (const scan of platforms) {
    for (const f of scan.findings) {
      if (!failsGate(f.severity, failOn)) continue;
      const key = [f.kind, f.id, f.package, f.installedVersion ?? ""].join("\0");
      const known = byKey.get(key);
      if (known !== undefined) {
        if (!known.platforms.includes(scan.platform)) known.platforms.push(scan.platform);
        continue;
      }
      byKey.set(key, {
        kind: f.kind,
        id: f.id,
        severity: f.severity,
        package: f.package,
        ...(f.installedVersion === undefined ? {} : { installedVersion: f.installedVersion }),
        ...(f.fixedVersion === undefined ? {} : { fixedVersion: f.fixedVersion }),
        platforms: [scan.platform],
      });
    }
  }
  const rank = (s: Severity) => SEVERITIES.indexOf(s);
  return [...byKey.values()].sort(
    (a, b) =>
      rank(b.severity) - rank(a.severity) || a.id.localeCompare(b.id) || a.package.localeCompare(b.package),
  );
}

/** One line per blocking finding: id, severity, package and version, fix, platforms. */
export function describeFinding(f: BlockingFinding): string {
  const what =
    f.kind === "secret"
      ? `secret (${f.id}) in ${f.package}`
      : `${f.id} in ${f.package}${f.installedVersion === undefined ? "" : ` ${f.installedVersion}`}${f.fixedVersion === undefined ? " (no fix yet)" : ` (fixed in ${f.fixedVersion})`}`;
  return `${f.severity} ${what} on ${f.platforms.join(", ")}`;
}

export function gateError(scan: ImageScan, sarifDir: string | undefined): ReleaseError {
  const lines = scan.blocking.map((f) => `  ${describeFinding(f)}`);
  return new ReleaseError(
    "IMAGE_VULNERABLE",
    `${scan.blocking.length} finding(s) at or above ${scan.failOn} in image ${scan.digest}:\n${lines.join("\n")}`,
    {
      file: scan.layout,
      fix: `update the base image or the packages named${sarifDir === undefined ? "" : ` (details: the SARIF in ${sarifDir})`}, rebuild and scan again; nothing may be pushed until it passes`,
    },
  );
}

/** One platform's image, written as a layout of its own and scanned; its SARIF, if asked, in `sarifWork`. */
async function scanPlatform(
  options: ScanOptions,
  layout: LayoutIndex,
  image: PlatformImage,
  sarifWork: string,
): Promise<PlatformScan> {
  const slug = image.platform.replaceAll("/", "-");
  const platformLayout = join(options.workDir, "layouts", slug);
  const report = join(options.workDir, `${slug}.trivy.json`);
  options.progress(`scanning ${image.platform} ${image.descriptor.digest}`);
  await writePlatformLayout(layout, image, platformLayout);
  const started = performance.now();
  await options.trivy.scanLayout(platformLayout, report, options.scanners, `trivy scan of ${image.platform}`);
  const seconds = (performance.now() - started) / 1000;
  const parsed = parseTrivyReport(await readFile(report, "utf8"), report);
  if (parsed.imageId !== image.manifest.config.digest) {
    throw new ReleaseError(
      "TOOL_FAILED",
      `trivy reports image ${parsed.imageId} for ${image.platform}, whose config is ${image.manifest.config.digest}`,
      { file: report, fix: "trivy did not scan the layout it was given; check the --trivy binary" },
    );
  }
  let sarif: string | undefined;
  if (options.sarifDir !== undefined) {
    const raw = join(options.workDir, `${slug}.trivy.sarif`);
    await options.trivy.toSarif(report, raw);
    sarif = sarifFileName(image.platform);
    await writeFile(
      join(sarifWork, sarif),
      categorizeSarif(await readFile(raw, "utf8"), image.platform, raw),
    );
  }
  return {
    platform: image.platform,
    digest: image.descriptor.digest,
    configDigest: image.manifest.config.digest,
    seconds: Number(seconds.toFixed(2)),
    counts: countBySeverity(parsed.findings.map((f) => f.severity)),
    findings: parsed.findings,
    ...(sarif === undefined ? {} : { sarif }),
  };
}

export async function scanImageLayout(options: ScanOptions): Promise<ImageScan> {
  const layout = await readLayoutIndex(options.layoutDir, options.tag);
  const names = choosePlatforms(
    layout.platforms.map((p) => p.platform),
    options.platforms,
  );
  const trivy = await options.trivy.version();
  options.progress(
    `trivy ${trivy.version}, vulnerability database ${trivy.databaseUpdatedAt ?? "(none yet: trivy downloads it)"}`,
  );
  const scans: PlatformScan[] = [];
  const sarifWork = join(options.workDir, "sarif");
  await mkdir(sarifWork, { recursive: true });
  for (const image of layout.platforms.filter((p) => names.includes(p.platform))) {
    scans.push(await scanPlatform(options, layout, image, sarifWork));
  }
  // SARIF leaves the work folder only once every platform was scanned: a failed run writes none.
  if (options.sarifDir !== undefined) {
    await mkdir(options.sarifDir, { recursive: true });
    for (const scan of scans) {
      if (scan.sarif === undefined) continue;
      const target = join(options.sarifDir, scan.sarif);
      await copyFile(join(sarifWork, scan.sarif), target);
      scan.sarif = target;
    }
  }
  const blocking = blockingFindings(scans, options.failOn);
  return {
    layout: layout.dir,
    tag: layout.tag,
    digest: layout.digest,
    mediaType: layout.mediaType,
    failOn: options.failOn,
    scanners: options.scanners,
    trivy,
    platforms: scans,
    blocking,
    passed: blocking.length === 0,
  };
}
