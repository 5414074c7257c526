/**
 * Runs the cosign binary (the version scripts/tools.json pins; the release workflow installs the
 * same one) and hands back its exit status and output: what a failure means is judged by the
 * callers (verify-signature.ts), which know what was asked.
 */
import { spawn } from "node:child_process";
import { ReleaseError } from "../../errors.js";

export interface CosignRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CosignOptions {
  /** The cosign binary (default `cosign` on PATH). */
  binary: string;
  /** The environment cosign runs with (the caller decides what passes: keys, OIDC, DOCKER_CONFIG). */
  env: NodeJS.ProcessEnv;
}

export const COSIGN_INSTALL_FIX =
  "install cosign (the version this project pins: npm run tools -- cosign, then pass --cosign <path>), or pass --cosign <path>";

export function runCosign(options: CosignOptions, args: string[]): Promise<CosignRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(options.binary, args, { env: options.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (text: string) => {
      stdout += text;
    });
    child.stderr.setEncoding("utf8").on("data", (text: string) => {
      stderr += text;
    });
    child.on("error", (error: NodeJS.ErrnoException) => {
      reject(
        new ReleaseError("TOOL_FAILED", `cannot run ${options.binary}: ${error.message}`, {
          file: options.binary,
          field: "--cosign",
          fix: error.code === "ENOENT" ? COSIGN_INSTALL_FIX : "check that the cosign binary is executable",
          cause: error,
        }),
      );
    });
    child.on("close", (code, signal) => {
      resolve({ code: code ?? (signal === null ? 1 : 128), stdout, stderr });
    });
  });
}

/** cosign's own error line (`Error: ...`), else the last lines it printed. */
export function cosignMessage(run: CosignRun): string {
  const lines = run.stderr.split("\n").filter((line) => line.trim() !== "" && !line.startsWith("WARNING"));
  const error = lines.find((line) => line.startsWith("Error: "));
  return error?.slice("Error: ".length) ?? lines.slice(-5).join("\n");
}
