#!/usr/bin/env node
/**
 * Entry point of the image: `node dist/main.js [--version | --help]`. Everything process-wide
 * (argv, env, files, signals, exit) is wired here and nowhere else.
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { loadClusterConfig } from "./cluster-config.js";
import { createLogger } from "./log.js";
import { startOperator } from "./operator.js";
import { readSettings } from "./settings.js";
import { describe } from "./status.js";
import { readOperatorVersion } from "./version.js";

const USAGE = `usage: kube9-operator [--version | --help]

Writes the ConfigMap kube9-operator-status every STATUS_INTERVAL_SECONDS (default 60) in
POD_NAMESPACE and serves /healthz, /readyz and /metrics on PORT (default 8080), on every
interface unless LISTEN_ADDRESS names one.
`;
/** Kubernetes waits 30 s by default after SIGTERM; finish well before that. */
const SHUTDOWN_DEADLINE_MS = 5_000;

function readOptional(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

async function main(argv: string[]): Promise<void> {
  const version = readOperatorVersion();
  if (argv.includes("--version")) {
    process.stdout.write(`${version}\n`);
    return;
  }
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(USAGE);
    return;
  }
  if (argv.length > 0) {
    process.stderr.write(`unknown argument ${argv[0]}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const log = createLogger((line) => process.stdout.write(line), Date.now);
  let operator: Awaited<ReturnType<typeof startOperator>>;
  try {
    const settings = readSettings(process.env);
    const cluster = loadClusterConfig({ env: process.env, readFile: readOptional, homeDir: homedir() });
    operator = await startOperator({
      cluster,
      namespace: settings.namespace ?? cluster.namespace ?? "default",
      intervalMs: settings.intervalMs,
      port: settings.port,
      ...(settings.host === undefined ? {} : { host: settings.host }),
      version,
      now: Date.now,
      log,
    });
  } catch (error) {
    log("error", "cannot start", { error: describe(error) });
    process.exitCode = 1;
    return;
  }
  const shutdown = (signal: string) => {
    log("info", "stopping", { signal });
    setTimeout(() => {
      log("error", "shutdown deadline exceeded", { deadlineMs: SHUTDOWN_DEADLINE_MS });
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    operator.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log("error", "shutdown failed", { error: describe(error) });
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
}

await main(process.argv.slice(2));
