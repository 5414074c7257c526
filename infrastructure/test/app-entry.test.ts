/**
 * The app as `cdk` runs it: bad settings stop it before any construct exists with the setting's
 * message, and the real `cdk synth` works with no credentials, no AWS configuration and no
 * network. Needs the compiled app (`tsc -b infrastructure`; `npm test` builds it first).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../test/support/tools.js";
import { buildApp } from "../lib/app.js";
import { SETTING_SPECS, SettingsError } from "../lib/settings.js";
import { ACCOUNT, MINIMAL_CONTEXT } from "./synth.js";

const infrastructure = join(repoRoot, "infrastructure");
const entry = join(infrastructure, "dist", "bin", "app.js");
const EU_CERTIFICATE = `arn:aws:acm:eu-west-1:${ACCOUNT}:certificate/0a1b2c3d-0000-4000-8000-0123456789ab`;

/** The test runner's environment without anything that could reach or configure AWS. */
function offlineEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(AWS_|CDK_|KUBE9_)/.test(key)) env[key] = value;
  }
  return { ...env, HOME: home, CDK_DISABLE_VERSION_CHECK: "1", CDK_DISABLE_CLI_TELEMETRY: "true" };
}

const bad: Array<[string, Record<string, string>, string]> = [
  [
    "a certificate outside us-east-1",
    { certificateArn: EU_CERTIFICATE },
    "is in eu-west-1, but CloudFront only uses certificates from us-east-1",
  ],
  ["a domain outside the hosted zone", { domainName: "charts.example.com" }, "is outside the hosted zone"],
  ["a missing setting", { githubRepository: "" }, "githubRepository (context"],
];

describe("app construction", () => {
  it.each(bad)("refuses %s before building the stack", (_label, override, words) => {
    let caught: unknown;
    try {
      buildApp({ context: { ...MINIMAL_CONTEXT, ...override }, env: {} });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SettingsError);
    expect((caught as Error).message).toContain(words);
  });

  it("reads the settings from the environment when the context has none", () => {
    const env = Object.fromEntries(
      SETTING_SPECS.filter((s) => MINIMAL_CONTEXT[s.contextKey] !== undefined).map((s) => [
        s.envVar,
        MINIMAL_CONTEXT[s.contextKey],
      ]),
    );
    const { stack } = buildApp({ env });
    expect(stack.account).toBe(ACCOUNT);
  });

  it("the entry point prints every problem and exits 1, without a stack trace", () => {
    const home = mkdtempSync(join(tmpdir(), "kube9-home-"));
    const result = spawnSync(process.execPath, [entry], {
      cwd: infrastructure,
      encoding: "utf8",
      env: {
        ...offlineEnv(home),
        KUBE9_AWS_ACCOUNT_ID: ACCOUNT,
        KUBE9_CHARTS_DOMAIN: "charts.example.com",
        KUBE9_HOSTED_ZONE_ID: "Z0123456789ABCDEFGHIJ",
        KUBE9_HOSTED_ZONE_NAME: "kube9.io",
        KUBE9_GITHUB_REPOSITORY: "alto9/kube9-operator",
        KUBE9_CERTIFICATE_ARN: EU_CERTIFICATE,
      },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("invalid chart repository settings:");
    expect(result.stderr).toContain("KUBE9_CERTIFICATE_ARN) is in eu-west-1");
    expect(result.stderr).toContain('"charts.example.com" is outside the hosted zone "kube9.io"');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});

describe("cdk synth (the real CLI)", () => {
  it("synthesizes the template with no credentials and no AWS configuration", () => {
    const home = mkdtempSync(join(tmpdir(), "kube9-home-"));
    const output = join(home, "cdk.out");
    const context = Object.entries(MINIMAL_CONTEXT).flatMap(([key, value]) => ["-c", `${key}=${value}`]);
    const result = spawnSync(
      join(repoRoot, "node_modules", ".bin", "cdk"),
      ["synth", "--output", output, "--no-notices", "--quiet", ...context],
      { cwd: infrastructure, encoding: "utf8", env: offlineEnv(home) },
    );
    expect(result.error).toBeUndefined();
    expect(`${result.stderr}`).not.toMatch(/ERROR|WARNING/);
    // cdk.json sets every recommended feature flag (feature-flags.test.ts).
    expect(`${result.stderr}`).not.toContain("feature flags are not configured");
    expect(result.status).toBe(0);
    const templatePath = join(output, "Kube9ChartRepository.template.json");
    expect(existsSync(templatePath)).toBe(true);
    const template = JSON.parse(readFileSync(templatePath, "utf8")) as {
      Resources: Record<string, { Type: string }>;
    };
    const types = Object.values(template.Resources).map((r) => r.Type);
    expect(types).toContain("AWS::CloudFront::Distribution");
    expect(types).toContain("AWS::S3::Bucket");
  });
});
