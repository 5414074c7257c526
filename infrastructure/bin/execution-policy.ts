#!/usr/bin/env node
/**
 * Prints the CloudFormation execution policy for `cdk bootstrap --cloudformation-execution-policies`
 * (docs/infrastructure.md): synthesizes the stack with the same settings as `cdk synth` (context
 * from cdk.json is not read here: the settings come from the environment) and derives the
 * actions from the resource types of that template.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp } from "../lib/app.js";
import { executionPolicy, resourceTypesOf, UnknownResourceTypeError } from "../lib/execution-policy.js";
import { SettingsError } from "../lib/settings.js";

const outdir = mkdtempSync(join(tmpdir(), "kube9-execution-policy-"));
try {
  const { app, stack, settings } = buildApp({ env: process.env, outdir });
  const assembly = app.synth();
  const artifact = assembly.getStackByName(stack.stackName);
  const template = JSON.parse(readFileSync(join(outdir, artifact.templateFile), "utf8"));
  const policy = executionPolicy(resourceTypesOf(template), {
    account: settings.account,
    hostedZoneId: settings.hostedZone.id,
  });
  process.stdout.write(`${JSON.stringify(policy, null, 2)}\n`);
} catch (error) {
  if (!(error instanceof SettingsError || error instanceof UnknownResourceTypeError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
