/**
 * Builds the CDK app from a context and an environment. bin/app.ts passes the real ones; tests
 * pass their own, so the same code path is what they check.
 */
import { App } from "aws-cdk-lib";
import { addNagChecks } from "./nag.js";
import { STACK_NAME } from "./names.js";
import { type ChartRepositorySettings, readSettings } from "./settings.js";
import { ChartRepositoryStack } from "./stack.js";

export interface BuildAppOptions {
  /**
   * Extra context, as cdk.json's `context` block and `-c key=value` give it (feature flags are
   * booleans, strings and lists); the CLI's own context is always read.
   */
  readonly context?: Readonly<Record<string, unknown>>;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where synth writes the cloud assembly; the CLI sets it through CDK_OUTDIR. */
  readonly outdir?: string;
}

export interface ChartRepositoryApp {
  readonly app: App;
  readonly stack: ChartRepositoryStack;
  readonly settings: ChartRepositorySettings;
}

/** Throws SettingsError before any construct exists when a setting is wrong. */
export function buildApp(options: BuildAppOptions): ChartRepositoryApp {
  const app = new App({
    ...(options.context === undefined ? {} : { context: { ...options.context } }),
    ...(options.outdir === undefined ? {} : { outdir: options.outdir }),
  });
  const settings = readSettings({ context: (key) => app.node.tryGetContext(key), env: options.env });
  addNagChecks(app);
  const stack = new ChartRepositoryStack(app, STACK_NAME, { settings });
  return { app, stack, settings };
}
