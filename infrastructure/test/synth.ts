/**
 * Synthesizes the app in-process, the way `cdk synth` does, once per settings variant: tests of
 * one file share the result instead of paying for a synth each. `new App()` never reads cdk.json
 * (the CLI does, and hands its context to the app), so the feature flags set there are passed in
 * here: what the tests check is what `cdk synth` makes.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Template } from "aws-cdk-lib/assertions";
import { buildApp, type ChartRepositoryApp } from "../lib/app.js";

export const ACCOUNT = "123456789012";
export const CERTIFICATE_ARN = `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/0a1b2c3d-0000-4000-8000-0123456789ab`;
/** cdk.json's `context` block: the feature flags, one source for the CLI and the tests. */
export const CDK_JSON_CONTEXT: Readonly<Record<string, unknown>> =
  (
    JSON.parse(readFileSync(new URL("../cdk.json", import.meta.url), "utf8")) as {
      context?: Record<string, unknown>;
    }
  ).context ?? {};
export const PROVIDER_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;

/** The required settings only: a created certificate and provider, name-only subjects. */
export const MINIMAL_CONTEXT: Readonly<Record<string, string>> = {
  account: ACCOUNT,
  domainName: "charts.kube9.io",
  hostedZoneId: "Z0123456789ABCDEFGHIJ",
  hostedZoneName: "kube9.io",
  githubRepository: "alto9/kube9-operator",
};

/** Every optional setting given: imported certificate and provider, immutable subjects. */
export const FULL_CONTEXT: Readonly<Record<string, string>> = {
  ...MINIMAL_CONTEXT,
  certificateArn: CERTIFICATE_ARN,
  githubOidcProviderArn: PROVIDER_ARN,
  githubRepositoryIds: "1234/5678",
  publisherEnvironment: "charts",
};

/** The repository's subject template customized to repo, context, job_workflow_ref. */
export const WORKFLOW_PINNED_CONTEXT: Readonly<Record<string, string>> = {
  ...MINIMAL_CONTEXT,
  oidcSubjectClaims: "repo,context,job_workflow_ref",
};

export interface Synthesized extends ChartRepositoryApp {
  readonly template: Template;
  /** The template as written to the cloud assembly, for whole-document checks. */
  readonly json: Record<string, unknown>;
  readonly outdir: string;
}

const cache = new Map<string, Synthesized>();

/**
 * app.synth() runs the validation plugins (cdk-nag) and throws on any unacknowledged finding, so
 * a returned value is itself proof of a clean report.
 */
export function synthesize(context: Readonly<Record<string, string>>): Synthesized {
  const key = JSON.stringify(context);
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const outdir = mkdtempSync(join(tmpdir(), "kube9-cdk-"));
  // No environment: the settings must come from the context alone, whatever the shell has set.
  const built = buildApp({ context: { ...CDK_JSON_CONTEXT, ...context }, env: {}, outdir });
  const assembly = built.app.synth();
  const artifact = assembly.getStackByName(built.stack.stackName);
  const json = JSON.parse(readFileSync(join(outdir, artifact.templateFile), "utf8")) as Record<
    string,
    unknown
  >;
  const result = { ...built, template: Template.fromJSON(json), json, outdir };
  cache.set(key, result);
  return result;
}

/** The one resource of a type (fails the test when there is not exactly one). */
export function only(
  template: Template,
  type: string,
): { logicalId: string; properties: Record<string, unknown> } {
  const found = Object.entries(template.findResources(type));
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  const [logicalId, resource] = found[0] as [string, { Properties: Record<string, unknown> }];
  return { logicalId, properties: resource.Properties };
}
