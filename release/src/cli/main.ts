#!/usr/bin/env node
/** Entry point of `kube9-release`: the only module that touches the real process. */
import { readFileSync } from "node:fs";
import { runCli } from "./run.js";

const packageJson = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
};

const exitCode = await runCli(
  {
    argv: process.argv.slice(2),
    env: process.env,
    cwd: process.cwd(),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    now: () => new Date(),
    untilInterrupted: () =>
      new Promise((resolve) => {
        process.once("SIGINT", () => resolve());
        process.once("SIGTERM", () => resolve());
      }),
  },
  packageJson.version,
);
process.exitCode = exitCode;
