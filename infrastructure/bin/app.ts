#!/usr/bin/env node
/**
 * Entry point `cdk` runs (cdk.json: node dist/bin/app.js). The one place that reads the real
 * context and environment; a wrong setting ends the process with the list of problems instead
 * of a stack trace.
 */
import { buildApp } from "../lib/app.js";
import { SettingsError } from "../lib/settings.js";

try {
  const { app } = buildApp({ env: process.env });
  app.synth();
} catch (error) {
  if (!(error instanceof SettingsError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
}
