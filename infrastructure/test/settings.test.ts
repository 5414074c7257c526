import { describe, expect, it } from "vitest";
import {
  type ChartRepositorySettings,
  readSettings,
  SETTING_SPECS,
  type SettingName,
  SettingsError,
} from "../lib/settings.js";

const ACCOUNT = "123456789012";
const CERT = `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/0a1b2c3d-0000-4000-8000-0123456789ab`;
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;

const valid: Record<string, string> = {
  account: ACCOUNT,
  domainName: "charts.kube9.io",
  hostedZoneId: "Z0123456789ABCDEFGHIJ",
  hostedZoneName: "kube9.io",
  githubRepository: "alto9/kube9-operator",
};

function fromContext(context: Record<string, unknown>, env: Record<string, string | undefined> = {}) {
  return readSettings({ context: (key) => context[key], env });
}

/** The settings error a bad input raises, so each case can check the setting and the words. */
function failure(
  context: Record<string, unknown>,
  env: Record<string, string | undefined> = {},
): SettingsError {
  try {
    fromContext(context, env);
  } catch (error) {
    if (error instanceof SettingsError) return error;
    throw error;
  }
  throw new Error("expected a SettingsError");
}

describe("readSettings", () => {
  it("reads every required setting from the context, with a DNS-validated certificate by default", () => {
    const settings: ChartRepositorySettings = fromContext(valid);
    expect(settings).toEqual({
      account: ACCOUNT,
      region: "us-east-1",
      domainName: "charts.kube9.io",
      hostedZone: { id: "Z0123456789ABCDEFGHIJ", name: "kube9.io" },
      certificate: { kind: "dns-validated" },
      github: {
        owner: "alto9",
        repository: "kube9-operator",
        publisherEnvironment: "release",
        deployerEnvironment: "infrastructure",
        subjectClaims: "default",
      },
    });
  });

  it("reads the same settings from the environment variables of the settings table", () => {
    const env = Object.fromEntries(
      SETTING_SPECS.filter((s) => valid[s.contextKey] !== undefined).map((s) => [
        s.envVar,
        valid[s.contextKey],
      ]),
    );
    expect(fromContext({}, env)).toEqual(fromContext(valid));
  });

  it("prefers the context over the environment, and takes an empty value as not given", () => {
    const settings = fromContext(
      { ...valid, domainName: "charts.kube9.io", certificateArn: "" },
      { KUBE9_CHARTS_DOMAIN: "other.kube9.io", KUBE9_CERTIFICATE_ARN: "" },
    );
    expect(settings.domainName).toBe("charts.kube9.io");
    expect(settings.certificate).toEqual({ kind: "dns-validated" });
  });

  it("reads the optional settings", () => {
    const settings = fromContext({
      ...valid,
      certificateArn: CERT,
      githubRepositoryIds: "1234/5678",
      githubOidcProviderArn: PROVIDER,
      publisherEnvironment: "charts",
      deployerEnvironment: "cdk",
    });
    expect(settings.certificate).toEqual({ kind: "imported", arn: CERT });
    expect(settings.github).toEqual({
      owner: "alto9",
      repository: "kube9-operator",
      ids: { owner: "1234", repository: "5678" },
      oidcProviderArn: PROVIDER,
      publisherEnvironment: "charts",
      deployerEnvironment: "cdk",
      subjectClaims: "default",
    });
  });

  it("takes the customized subject template (repo, context, job_workflow_ref) when given", () => {
    const settings = fromContext({ ...valid, oidcSubjectClaims: "repo, context, job_workflow_ref" });
    expect(settings.github.subjectClaims).toBe("job_workflow_ref");
  });

  it("gives the environments the documented defaults of the settings table", () => {
    const settings = fromContext(valid);
    const defaultOf = (name: string) => SETTING_SPECS.find((s) => s.name === name)?.default;
    expect(settings.github.publisherEnvironment).toBe(defaultOf("publisherEnvironment"));
    expect(settings.github.deployerEnvironment).toBe(defaultOf("deployerEnvironment"));
  });

  it("accepts the zone apex and zone names copied with Route 53's trailing dot", () => {
    const settings = fromContext({ ...valid, domainName: "Kube9.io", hostedZoneName: "kube9.io." });
    expect(settings.domainName).toBe("kube9.io");
    expect(settings.hostedZone.name).toBe("kube9.io");
  });

  it("names every missing required setting with its context key, environment variable and an example", () => {
    const error = failure({});
    const required = SETTING_SPECS.filter((s) => s.required);
    expect(error.problems.map((p) => p.setting)).toEqual(required.map((s) => s.name));
    for (const spec of required) {
      expect(error.message).toContain(
        `-c ${spec.contextKey}=<value> or set ${spec.envVar} (e.g. ${spec.example})`,
      );
    }
    expect(error.message).toContain("docs/infrastructure.md");
  });

  const bad: Array<[string, Record<string, unknown>, SettingName, string]> = [
    [
      "a certificate outside us-east-1",
      { certificateArn: `arn:aws:acm:eu-west-1:${ACCOUNT}:certificate/0a1b2c3d-0000-4000-8000-0123456789ab` },
      "certificateArn",
      "is in eu-west-1, but CloudFront only uses certificates from us-east-1",
    ],
    [
      "a certificate ARN that is no ACM ARN",
      { certificateArn: "arn:aws:iam::1:role/x" },
      "certificateArn",
      "must be an ACM certificate ARN",
    ],
    [
      "a domain outside the hosted zone",
      { domainName: "charts.example.com" },
      "domainName",
      '"charts.example.com" is outside the hosted zone "kube9.io"',
    ],
    [
      "a domain that only ends like the zone",
      { domainName: "chartskube9.io" },
      "domainName",
      "is outside the hosted zone",
    ],
    [
      "a domain that is no host name",
      { domainName: "https://charts.kube9.io" },
      "domainName",
      "must be a host name",
    ],
    [
      "an account that is not 12 digits",
      { account: "12345" },
      "account",
      "must be a 12-digit AWS account id",
    ],
    [
      "a hosted zone id with its /hostedzone/ prefix",
      { hostedZoneId: "/hostedzone/Z123" },
      "hostedZoneId",
      'without "/hostedzone/"',
    ],
    [
      "a repository without owner",
      { githubRepository: "kube9-operator" },
      "githubRepository",
      'must be "owner/repository"',
    ],
    [
      "an owner with a leading hyphen",
      { githubRepository: "-alto9/kube9-operator" },
      "githubRepository",
      'must be "owner/repository"',
    ],
    [
      "an owner with a double hyphen",
      { githubRepository: "alto--9/kube9-operator" },
      "githubRepository",
      'must be "owner/repository"',
    ],
    [
      "a repository with a wildcard",
      { githubRepository: "alto9/*" },
      "githubRepository",
      'must be "owner/repository"',
    ],
    [
      "a repository named ..",
      { githubRepository: "alto9/.." },
      "githubRepository",
      'must be "owner/repository"',
    ],
    [
      "a repository with three parts",
      { githubRepository: "alto9/kube9/operator" },
      "githubRepository",
      'must be "owner/repository"',
    ],
    [
      "repository ids that are not numbers",
      { githubRepositoryIds: "alto9/kube9" },
      "githubRepositoryIds",
      '"<ownerId>/<repositoryId>"',
    ],
    [
      "an OIDC provider of another issuer",
      { githubOidcProviderArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/example.com` },
      "githubOidcProviderArn",
      "must be arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com",
    ],
    [
      "an OIDC provider of another account",
      { githubOidcProviderArn: PROVIDER.replace(ACCOUNT, "210987654321") },
      "githubOidcProviderArn",
      "belongs to account 210987654321",
    ],
    [
      "an environment name with a wildcard",
      { publisherEnvironment: "char*" },
      "publisherEnvironment",
      "without spaces or wildcards",
    ],
    [
      "one environment for publishing and deploying",
      { publisherEnvironment: "prod", deployerEnvironment: "prod" },
      "deployerEnvironment",
      "must differ from publisherEnvironment",
    ],
    [
      "a subject template the roles do not know",
      { oidcSubjectClaims: "repo,context" },
      "oidcSubjectClaims",
      'must be "repo,context,job_workflow_ref"',
    ],
    [
      "the customized subject template with immutable repository ids",
      { oidcSubjectClaims: "repo,context,job_workflow_ref", githubRepositoryIds: "1/2" },
      "oidcSubjectClaims",
      "cannot be combined with githubRepositoryIds",
    ],
    [
      "a context value that is not a string",
      { hostedZoneName: 42 },
      "hostedZoneName",
      "must be a string, got 42",
    ],
  ];

  it.each(bad)("refuses %s, naming the setting", (_label, override, setting, words) => {
    const error = failure({ ...valid, ...override });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]?.setting).toBe(setting);
    expect(error.message).toContain(words);
    const spec = SETTING_SPECS.find((s) => s.name === setting);
    expect(error.message).toContain(
      `${setting} (context "${spec?.contextKey}" or environment ${spec?.envVar})`,
    );
  });

  it("reports every problem of one run together", () => {
    const error = failure({
      ...valid,
      account: "x",
      domainName: "charts.example.com",
      githubRepository: "bad",
    });
    expect(error.problems.map((p) => p.setting)).toEqual(["account", "domainName", "githubRepository"]);
  });
});
