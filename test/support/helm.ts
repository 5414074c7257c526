/**
 * Runs a pinned Helm client as users do, with its own configuration, cache and data folders (no
 * state shared between clients or with the machine's Helm) and a given kubeconfig.
 */
import { execFile } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

export interface HelmRun {
  /** The exit code; -1 when a signal ended Helm. */
  status: number;
  stdout: string;
  stderr: string;
}

export type Helm = (...args: string[]) => Promise<HelmRun>;

/** Asynchronous, so that servers running in the test's own process keep answering. */
export function helmRunner(helmPath: string, home: string, kubeconfig: string): Helm {
  mkdirSync(home, { recursive: true });
  return (...args) =>
    new Promise((resolve) => {
      execFile(
        helmPath,
        args,
        {
          cwd: home,
          encoding: "utf8",
          env: {
            ...process.env,
            HELM_CACHE_HOME: join(home, "cache"),
            HELM_CONFIG_HOME: join(home, "config"),
            HELM_DATA_HOME: join(home, "data"),
            KUBECONFIG: kubeconfig,
          },
        },
        (error, stdout, stderr) => {
          const code = (error as { code?: unknown } | null)?.code;
          resolve({ status: error === null ? 0 : typeof code === "number" ? code : -1, stdout, stderr });
        },
      );
    });
}
