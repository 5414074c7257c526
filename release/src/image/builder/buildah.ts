/**
 * Runs buildah, the daemonless builder: every call gets the same private storage (vfs, so it
 * needs no overlay mounts or fuse) and chroot isolation (no user namespaces or runc), which is
 * what a CI container without a Docker engine allows. Output is streamed as progress and kept,
 * so that a failure reports the builder's own message.
 */
import { spawn } from "node:child_process";
import { ReleaseError } from "../../errors.js";

export interface BuildahOptions {
  /** The buildah binary (default `buildah` on PATH). */
  binary: string;
  /** containers/storage graph root and run root, private to this build. */
  root: string;
  runRoot: string;
  /** Each line of the builder's output, as it comes. */
  onLine?: (line: string) => void;
  env?: Record<string, string | undefined>;
  /**
   * A containers-registries.conf(5) file for every command of this builder (buildah's global
   * --registries-conf): how `image build` names the loopback registries it may use without TLS.
   * buildah 1.28 ignores CONTAINERS_REGISTRIES_CONF in `manifest push`, so the flag it is.
   */
  registriesConf?: string;
}

export interface BuildahResult {
  /** stdout and stderr interleaved as they arrived. */
  log: string;
}

/** The last lines of a log: where a builder states why it stopped. */
export function logTail(log: string, lines = 25): string {
  return log.trimEnd().split("\n").slice(-lines).join("\n");
}

export class Buildah {
  constructor(private readonly options: BuildahOptions) {}

  globalArgs(): string[] {
    return [
      "--root",
      this.options.root,
      "--runroot",
      this.options.runRoot,
      "--storage-driver",
      "vfs",
      ...(this.options.registriesConf === undefined
        ? []
        : ["--registries-conf", this.options.registriesConf]),
    ];
  }

  run(args: string[], what: string): Promise<BuildahResult> {
    const argv = [...this.globalArgs(), ...args];
    return new Promise((resolve, reject) => {
      const child = spawn(this.options.binary, argv, {
        env: { ...process.env, ...this.options.env, BUILDAH_ISOLATION: "chroot" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let log = "";
      // One unfinished line per stream: a partial stdout line must not absorb a stderr line.
      const partial = { stdout: "", stderr: "" };
      const take = (stream: keyof typeof partial) => (text: string) => {
        log += text;
        const lines = (partial[stream] + text).split("\n");
        partial[stream] = lines.pop() ?? "";
        for (const line of lines) this.options.onLine?.(line);
      };
      // Decoded per stream, so that a character split across two reads stays whole.
      child.stdout.setEncoding("utf8").on("data", take("stdout"));
      child.stderr.setEncoding("utf8").on("data", take("stderr"));
      child.on("error", (error: NodeJS.ErrnoException) => {
        reject(
          new ReleaseError("TOOL_FAILED", `cannot run ${this.options.binary}: ${error.message}`, {
            file: this.options.binary,
            fix:
              error.code === "ENOENT"
                ? "install buildah (Debian: apt-get install buildah; or `npm run tools`), or pass --buildah <path>"
                : "check that buildah is executable",
            cause: error,
          }),
        );
      });
      child.on("close", (code, signal) => {
        for (const rest of [partial.stdout, partial.stderr]) if (rest !== "") this.options.onLine?.(rest);
        if (code === 0) {
          resolve({ log });
          return;
        }
        const how = signal === null ? `exit status ${String(code)}` : `signal ${signal}`;
        reject(
          new ReleaseError("IMAGE_BUILD_FAILED", `${what} failed (buildah ${how}):\n${logTail(log)}`, {
            fix: "read the builder's message above; nothing was pushed",
          }),
        );
      });
    });
  }
}
