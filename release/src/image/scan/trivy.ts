/**
 * Runs Trivy: its version and database, a scan of a single-platform OCI layout into a JSON
 * report, and the conversion of that report to SARIF. Trivy's log is streamed as progress and
 * kept, so that a failure reports Trivy's own message.
 */
import { spawn } from "node:child_process";
import { basename, dirname } from "node:path";
import { ReleaseError } from "../../errors.js";
import { logTail } from "../builder/buildah.js";

export interface TrivyOptions {
  /** The trivy binary (default `trivy` on PATH). */
  binary: string;
  /** Trivy's cache folder (vulnerability database and layer cache); default: Trivy's own. */
  cacheDir?: string;
  /** Use the database in the cache as it is and reach no network (air-gapped use, tests). */
  offline: boolean;
  /** Each line of Trivy's log, as it comes. */
  onLine?: (line: string) => void;
  env?: Record<string, string | undefined>;
}

export interface TrivyVersion {
  version: string;
  /** When the vulnerability database in the cache was built, if there is one. */
  databaseUpdatedAt?: string;
}

const INSTALL_FIX =
  "install Trivy (the version this project pins: npm run tools -- trivy, then pass --trivy <path>), or pass --trivy <path>";

export class Trivy {
  constructor(private readonly options: TrivyOptions) {}

  private cacheArgs(): string[] {
    return this.options.cacheDir === undefined ? [] : ["--cache-dir", this.options.cacheDir];
  }

  private run(args: string[], what: string, stream = true, cwd?: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.options.binary, args, {
        ...(cwd === undefined ? {} : { cwd }),
        env: { ...process.env, ...this.options.env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let log = "";
      let partial = "";
      child.stdout.setEncoding("utf8").on("data", (text: string) => {
        stdout += text;
      });
      child.stderr.setEncoding("utf8").on("data", (text: string) => {
        log += text;
        const lines = (partial + text).split("\n");
        partial = lines.pop() ?? "";
        if (stream) for (const line of lines) this.options.onLine?.(line);
      });
      child.on("error", (error: NodeJS.ErrnoException) => {
        reject(
          new ReleaseError("TOOL_FAILED", `cannot run ${this.options.binary}: ${error.message}`, {
            file: this.options.binary,
            field: "--trivy",
            fix: error.code === "ENOENT" ? INSTALL_FIX : "check that the trivy binary is executable",
            cause: error,
          }),
        );
      });
      child.on("close", (code, signal) => {
        if (stream && partial !== "") this.options.onLine?.(partial);
        if (code === 0) {
          resolve(stdout);
          return;
        }
        const how = signal === null ? `exit status ${String(code)}` : `signal ${signal}`;
        reject(
          new ReleaseError("TOOL_FAILED", `${what} failed (trivy ${how}):\n${logTail(log)}`, {
            file: this.options.binary,
            fix: this.options.offline
              ? "read Trivy's message above; with --offline the --cache-dir must hold a vulnerability database (db/trivy.db, db/metadata.json)"
              : "read Trivy's message above",
          }),
        );
      });
    });
  }

  async version(): Promise<TrivyVersion> {
    const text = await this.run(["version", "--format", "json", ...this.cacheArgs()], "trivy version", false);
    let parsed: { Version?: unknown; VulnerabilityDB?: { UpdatedAt?: unknown } };
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      parsed = {};
    }
    if (typeof parsed.Version !== "string") {
      throw new ReleaseError(
        "TOOL_FAILED",
        `${this.options.binary} is not Trivy: \`version --format json\` printed ${JSON.stringify(text.slice(0, 200))}`,
        {
          file: this.options.binary,
          field: "--trivy",
          fix: INSTALL_FIX,
        },
      );
    }
    const updatedAt = parsed.VulnerabilityDB?.UpdatedAt;
    return {
      version: parsed.Version,
      ...(typeof updatedAt === "string" ? { databaseUpdatedAt: updatedAt } : {}),
    };
  }

  /**
   * Scans the image of a single-platform OCI layout; every severity, exit status 0 with findings.
   * Trivy is given the layout's folder name from inside its parent: the name is the artifact and
   * SARIF location it reports, which then stays the same from run to run (GitHub tracks alerts by
   * location), where a temporary folder's path would not.
   */
  async scanLayout(layoutDir: string, reportPath: string, scanners: string[], what: string): Promise<void> {
    const offline = this.options.offline
      ? ["--skip-db-update", "--skip-java-db-update", "--offline-scan"]
      : [];
    await this.run(
      [
        "image",
        "--input",
        basename(layoutDir),
        "--format",
        "json",
        "--output",
        reportPath,
        "--scanners",
        scanners.join(","),
        "--severity",
        "UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL",
        "--exit-code",
        "0",
        "--no-progress",
        // Trivy's default (5 minutes) is short for a full image on a busy 2-core runner.
        "--timeout",
        "15m",
        ...this.cacheArgs(),
        ...offline,
      ],
      what,
      true,
      dirname(layoutDir),
    );
  }

  /** SARIF of a JSON report, every severity (what GitHub's Security tab takes). */
  async toSarif(reportPath: string, sarifPath: string): Promise<void> {
    await this.run(
      ["convert", "--format", "sarif", "--output", sarifPath, reportPath],
      `trivy convert of ${reportPath}`,
    );
  }
}
