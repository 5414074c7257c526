import { existsSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { ReleaseError } from "../../errors.js";
import { writeGithubOutputs } from "../../image/github-output.js";
import { describeFinding, gateError, type ImageScan, scanImageLayout } from "../../image/scan/scan-image.js";
import { parseFailOn, SEVERITIES } from "../../image/scan/severity.js";
import { Trivy } from "../../image/scan/trivy.js";
import type { CliContext } from "../context.js";
import { commandOutput } from "../output.js";

interface ScanFlags {
  tag?: string;
  platform?: string;
  failOn: string;
  scanners: string;
  sarifDir?: string;
  trivy: string;
  cacheDir?: string;
  offline?: boolean;
  digest?: string;
  json?: boolean;
  githubOutput?: boolean;
}

/** The scanners whose findings the gate reads; others would be scanned and silently ignored. */
const SCANNERS = ["vuln", "secret"];

function parseList(text: string, field: string, allowed: (item: string) => boolean, fix: string): string[] {
  const items = text
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
  const bad = items.find((item) => !allowed(item));
  if (items.length === 0 || bad !== undefined) {
    throw new ReleaseError("USAGE", `${JSON.stringify(bad ?? text)} is not allowed here`, { field, fix });
  }
  return [...new Set(items)];
}

function countsText(counts: ImageScan["platforms"][number]["counts"]): string {
  return [...SEVERITIES]
    .reverse()
    .map((s) => `${s} ${counts[s]}`)
    .join(", ");
}

function humanReport(scan: ImageScan): string {
  const verdict = scan.passed
    ? scan.failOn === "NONE"
      ? "reported (no gate: --fail-on NONE)"
      : `passed: no finding at or above ${scan.failOn}`
    : `FAILED: ${scan.blocking.length} finding(s) at or above ${scan.failOn}`;
  return [
    `image ${scan.tag === "" ? "(untagged)" : scan.tag} ${scan.digest} in ${scan.layout}: ${verdict}`,
    ...scan.platforms.map(
      (p) =>
        `  ${p.platform.padEnd(13)} ${p.digest}  ${countsText(p.counts)}  (trivy ${p.seconds.toFixed(1)} s)${p.sarif === undefined ? "" : `  SARIF ${p.sarif}`}`,
    ),
    ...scan.blocking.map((f) => `  ${describeFinding(f)}`),
  ].join("\n");
}

function summary(scan: ImageScan): string {
  const header = [...SEVERITIES].reverse();
  return [
    `### Image scan ${scan.tag} (${scan.passed ? "passed" : "failed"}, gate ${scan.failOn})`,
    "",
    `Index digest \`${scan.digest}\`, trivy ${scan.trivy.version}, database ${scan.trivy.databaseUpdatedAt ?? "unknown"}.`,
    "",
    `| platform | digest | ${header.join(" | ")} |`,
    `|---|---|${header.map(() => "---|").join("")}`,
    ...scan.platforms.map(
      (p) => `| ${p.platform} | \`${p.digest}\` | ${header.map((s) => String(p.counts[s])).join(" | ")} |`,
    ),
    ...(scan.blocking.length === 0
      ? []
      : ["", "Findings at or above the gate:", "", ...scan.blocking.map((f) => `- ${describeFinding(f)}`)]),
  ].join("\n");
}

export function registerImageScan(image: Command, context: CliContext): void {
  image
    .command("scan")
    .description(
      "scan each platform of an OCI image layout with Trivy: SARIF per platform (every severity), and a failure on findings at or above --fail-on",
    )
    .argument("<oci-layout>", "the folder written by `image build <version> --oci-layout DIR`")
    .option("--tag <tag>", "the image of the layout to scan (default: the only one)")
    .option("--platform <list>", "scan only these platforms, comma-separated (default: every platform)")
    .option(
      "--fail-on <severity>",
      `fail on findings at or above: ${SEVERITIES.join(", ")}, or NONE`,
      "CRITICAL",
    )
    .option("--scanners <list>", `Trivy scanners: ${SCANNERS.join(", ")}`, "vuln,secret")
    .option(
      "--sarif-dir <dir>",
      "write <platform>.sarif here (e.g. linux-amd64.sarif), one code-scanning category each",
    )
    .option("--trivy <path>", "the trivy binary", "trivy")
    .option(
      "--cache-dir <dir>",
      "Trivy's cache folder: vulnerability database and layer cache (default: Trivy's own)",
    )
    .option(
      "--offline",
      "use the database in the cache as it is and reach no network (--skip-db-update --skip-java-db-update --offline-scan)",
    )
    .option(
      "--digest <sha256:...>",
      "the digest the build reported: refuse to scan a layout that holds another",
    )
    .option("--json", "print the result as JSON")
    .option("--github-output", "also write digest= (the index digest scanned) to $GITHUB_OUTPUT")
    .action(async (layoutText: string, flags: ScanFlags) => {
      const output = commandOutput(context, flags);
      const request = scanRequest(layoutText, flags, context);
      const scan = await imageScan(request, output.progress);
      output.summary(summary(scan));
      // The digest that was scanned, whatever the verdict: the push refuses any other.
      if (flags.githubOutput === true) writeGithubOutputs(context.env, { digest: scan.digest });
      // With --json, a failure prints only the error document: stdout holds one JSON document.
      if (scan.passed || flags.json !== true) output.result(scan, humanReport(scan));
      if (!scan.passed) throw gateError(scan, request.sarifDir);
    });
}

interface ScanRequest {
  layoutDir: string;
  tag?: string;
  platforms?: string[];
  failOn: ReturnType<typeof parseFailOn>;
  scanners: string[];
  sarifDir?: string;
  trivy: Trivy;
  /** The digest the build reported: a layout holding another is refused. */
  digest?: string;
}

/** The flags as a typed request, each checked before the scan (minutes) rather than after it. */
function scanRequest(layoutText: string, flags: ScanFlags, context: CliContext): ScanRequest {
  if (flags.digest !== undefined && !/^sha256:[0-9a-f]{64}$/.test(flags.digest)) {
    throw new ReleaseError("USAGE", `${JSON.stringify(flags.digest)} is not a digest`, {
      field: "--digest",
      fix: "give sha256:<64 hex>, e.g. the digest `image build --github-output` wrote",
    });
  }
  const failOn = parseFailOn(flags.failOn);
  const scanners = parseList(
    flags.scanners,
    "--scanners",
    (s) => SCANNERS.includes(s),
    `give ${SCANNERS.join(", ")} or both, comma-separated`,
  );
  const platforms =
    flags.platform === undefined
      ? undefined
      : parseList(
          flags.platform,
          "--platform",
          (p) => /^[a-z0-9]+\/[a-z0-9]+(\/[a-z0-9]+)?$/.test(p),
          "write e.g. linux/amd64,linux/arm64",
        );
  const trivy = new Trivy({
    binary: flags.trivy,
    ...(flags.cacheDir === undefined ? {} : { cacheDir: resolve(context.cwd, flags.cacheDir) }),
    offline: flags.offline === true,
    onLine: flags.json === true ? undefined : (line) => context.stderr(`  ${line}\n`),
    env: context.env,
  });
  const sarifDir = flags.sarifDir === undefined ? undefined : resolve(context.cwd, flags.sarifDir);
  if (sarifDir !== undefined && existsSync(sarifDir) && !statSync(sarifDir).isDirectory()) {
    throw new ReleaseError("USAGE", `${sarifDir} is a file`, {
      file: sarifDir,
      field: "--sarif-dir",
      fix: "give a folder for the SARIF reports (it is created when missing)",
    });
  }
  return {
    layoutDir: resolve(context.cwd, layoutText),
    ...(flags.tag === undefined ? {} : { tag: flags.tag }),
    ...(platforms === undefined ? {} : { platforms }),
    failOn,
    scanners,
    ...(sarifDir === undefined ? {} : { sarifDir }),
    trivy,
    ...(flags.digest === undefined ? {} : { digest: flags.digest }),
  };
}

/** `image scan` as a plain function: the layout scanned per platform, the gate's verdict in the result. */
async function imageScan(request: ScanRequest, progress: (line: string) => void): Promise<ImageScan> {
  const workDir = await mkdtemp(join(tmpdir(), "kube9-image-scan-"));
  try {
    const { digest, ...options } = request;
    const scan = await scanImageLayout({ ...options, workDir, progress });
    if (digest !== undefined && scan.digest !== digest) {
      throw new ReleaseError(
        "IMAGE_INVALID",
        `the layout holds ${scan.digest}, not the ${digest} that was built`,
        {
          file: request.layoutDir,
          field: "--digest",
          fix: "scan the layout of this build; its artifact was replaced or rebuilt",
        },
      );
    }
    return scan;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
