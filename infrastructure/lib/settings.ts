/**
 * The settings of the chart repository stack: where each one comes from (CDK context, else an
 * environment variable) and the checks that run before anything is synthesized, so a wrong value
 * fails `cdk synth` with the setting's name and the fix instead of a CloudFormation error minutes
 * into a deploy. Pure: the caller passes the context reader and the environment.
 */

import { SETTING_SPECS, type SettingName, type SettingSpec } from "./setting-specs.js";

export type { SettingName, SettingSpec } from "./setting-specs.js";
export { SETTING_SPECS } from "./setting-specs.js";

/** CloudFront only accepts certificates from this region, so the whole stack lives here. */
export const STACK_REGION = "us-east-1";

export type CertificateSetting = { kind: "imported"; arn: string } | { kind: "dns-validated" };

export interface GitHubSettings {
  readonly owner: string;
  readonly repository: string;
  /** Present when the repository sends immutable subjects; then only that form is trusted. */
  readonly ids?: { readonly owner: string; readonly repository: string };
  readonly oidcProviderArn?: string;
  /** The chart publish job's environment; its subject is all the publisher role trusts. */
  readonly publisherEnvironment: string;
  /** The deploy job's environment; its subject is all the deployer role trusts. */
  readonly deployerEnvironment: string;
  /**
   * "default": GitHub's subject template (`repo:...:environment:NAME`); "job_workflow_ref": the
   * repository's template is customized to `repo`, `context`, `job_workflow_ref`, so the subject
   * also names the workflow file that runs the job.
   */
  readonly subjectClaims: SubjectClaims;
}

export type SubjectClaims = "default" | "job_workflow_ref";

/** The one customized template the roles understand, as given to GitHub's API. */
export const CUSTOM_SUBJECT_CLAIM_KEYS = ["repo", "context", "job_workflow_ref"] as const;

export interface ChartRepositorySettings {
  readonly account: string;
  readonly region: typeof STACK_REGION;
  readonly domainName: string;
  readonly hostedZone: { readonly id: string; readonly name: string };
  readonly certificate: CertificateSetting;
  readonly github: GitHubSettings;
}

export interface SettingsSource {
  /** `app.node.tryGetContext` in the app; a plain lookup in tests. */
  readonly context: (key: string) => unknown;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface SettingProblem {
  readonly setting: SettingName;
  readonly message: string;
}

/** Every problem found, not just the first: one synth run shows all there is to fix. */
export class SettingsError extends Error {
  readonly problems: readonly SettingProblem[];
  constructor(problems: readonly SettingProblem[]) {
    super(
      `invalid chart repository settings:\n${problems.map((p) => `  - ${p.message}`).join("\n")}\n` +
        "See docs/infrastructure.md for the settings table.",
    );
    this.name = "SettingsError";
    this.problems = problems;
  }
}

const ACCOUNT = /^\d{12}$/;
const HOSTED_ZONE_ID = /^[A-Z0-9]{1,32}$/;
const DNS_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
// GitHub's own rules: owner is alphanumeric with single inner hyphens (max 39), repository
// names are letters, digits, '.', '_' and '-' (max 100) and never '.' or '..'.
const GITHUB_OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const GITHUB_REPO = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,100}$/;
const NUMERIC_ID = /^[1-9]\d{0,19}$/;
const ENVIRONMENT_NAME = /^[^\s*?:,'"`<>|\\/]{1,255}$/;
const CERTIFICATE_ARN = /^arn:aws:acm:([a-z0-9-]+):(\d{12}):certificate\/[0-9a-f-]{36}$/;
const OIDC_PROVIDER_ARN = /^arn:aws:iam::(\d{12}):oidc-provider\/token\.actions\.githubusercontent\.com$/;

function specOf(name: SettingName): SettingSpec {
  const spec = SETTING_SPECS.find((s) => s.name === name);
  if (spec === undefined) throw new Error(`no spec for setting ${name}`);
  return spec;
}

/** How to name a setting in a message: both places it can come from. */
function where(spec: SettingSpec): string {
  return `${spec.name} (context "${spec.contextKey}" or environment ${spec.envVar})`;
}

function isDomainName(value: string): boolean {
  return (
    value.length <= 253 && value.split(".").length >= 2 && value.split(".").every((l) => DNS_LABEL.test(l))
  );
}

/** Lower case without a trailing dot: Route 53 prints zone names with one, users often copy it. */
function normalizeDomain(value: string): string {
  return value.toLowerCase().replace(/\.$/, "");
}

export function readSettings(source: SettingsSource): ChartRepositorySettings {
  const problems: SettingProblem[] = [];
  const problem = (name: SettingName, text: string) =>
    problems.push({ setting: name, message: `${where(specOf(name))} ${text}` });

  const raw = (name: SettingName): string | undefined => {
    const spec = specOf(name);
    const fromContext = source.context(spec.contextKey);
    if (fromContext !== undefined && fromContext !== null && fromContext !== "") {
      if (typeof fromContext !== "string") {
        problem(name, `must be a string, got ${JSON.stringify(fromContext)}`);
        return undefined;
      }
      return fromContext.trim();
    }
    // An unset repository variable reaches the workflow's env as "", which means "not given".
    const fromEnv = source.env[spec.envVar]?.trim();
    if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
    if (spec.required) {
      problem(
        name,
        `is missing: pass -c ${spec.contextKey}=<value> or set ${spec.envVar} (e.g. ${spec.example})`,
      );
    }
    return undefined;
  };

  const account = raw("account");
  if (account !== undefined && !ACCOUNT.test(account)) {
    problem("account", `must be a 12-digit AWS account id, got "${account}"`);
  }

  const domainRaw = raw("domainName");
  const domainName = domainRaw === undefined ? undefined : normalizeDomain(domainRaw);
  const domainValid = domainName !== undefined && isDomainName(domainName);
  if (domainName !== undefined && !domainValid) {
    problem("domainName", `must be a host name such as charts.kube9.io, got "${domainRaw}"`);
  }

  const zoneId = raw("hostedZoneId");
  if (zoneId !== undefined && !HOSTED_ZONE_ID.test(zoneId)) {
    problem(
      "hostedZoneId",
      `must be a Route 53 zone id (upper-case letters and digits, without "/hostedzone/"), got "${zoneId}"`,
    );
  }

  const zoneRaw = raw("hostedZoneName");
  const zoneName = zoneRaw === undefined ? undefined : normalizeDomain(zoneRaw);
  if (zoneName !== undefined && !isDomainName(zoneName)) {
    problem("hostedZoneName", `must be a DNS zone name such as kube9.io, got "${zoneRaw}"`);
  } else if (
    zoneName !== undefined &&
    domainName !== undefined &&
    domainValid &&
    domainName !== zoneName &&
    !domainName.endsWith(`.${zoneName}`)
  ) {
    problem(
      "domainName",
      `"${domainName}" is outside the hosted zone "${zoneName}": the A/AAAA records and the certificate ` +
        `validation records can only be written inside that zone; use a name ending in .${zoneName} or the zone of the domain`,
    );
  }

  const certificateArn = raw("certificateArn");
  let certificate: CertificateSetting = { kind: "dns-validated" };
  if (certificateArn !== undefined) {
    const match = CERTIFICATE_ARN.exec(certificateArn);
    if (match === null) {
      problem(
        "certificateArn",
        `must be an ACM certificate ARN (arn:aws:acm:us-east-1:<account>:certificate/<id>), got "${certificateArn}"`,
      );
    } else if (match[1] !== STACK_REGION) {
      problem(
        "certificateArn",
        `is in ${match[1]}, but CloudFront only uses certificates from ${STACK_REGION}: request or import the ` +
          `certificate in ${STACK_REGION}, or leave the setting empty to have the stack create a DNS-validated one`,
      );
    } else {
      certificate = { kind: "imported", arn: certificateArn };
    }
  }

  const repository = raw("githubRepository");
  const parts = repository?.split("/") ?? [];
  const [owner, name] = parts;
  if (
    repository !== undefined &&
    (parts.length !== 2 ||
      owner === undefined ||
      name === undefined ||
      !GITHUB_OWNER.test(owner) ||
      !GITHUB_REPO.test(name))
  ) {
    problem(
      "githubRepository",
      `must be "owner/repository" as GitHub spells it (e.g. alto9/kube9-operator), got "${repository}"`,
    );
  }

  const idsRaw = raw("githubRepositoryIds");
  let ids: GitHubSettings["ids"];
  if (idsRaw !== undefined) {
    const [ownerId, repositoryId, ...rest] = idsRaw.split("/");
    if (
      ownerId === undefined ||
      repositoryId === undefined ||
      rest.length > 0 ||
      !NUMERIC_ID.test(ownerId) ||
      !NUMERIC_ID.test(repositoryId)
    ) {
      problem(
        "githubRepositoryIds",
        `must be "<ownerId>/<repositoryId>", the numeric ids GitHub puts in immutable subjects, got "${idsRaw}"`,
      );
    } else {
      ids = { owner: ownerId, repository: repositoryId };
    }
  }

  const providerArn = raw("githubOidcProviderArn");
  if (providerArn !== undefined) {
    const match = OIDC_PROVIDER_ARN.exec(providerArn);
    if (match === null) {
      problem(
        "githubOidcProviderArn",
        `must be arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com, got "${providerArn}"`,
      );
    } else if (account !== undefined && match[1] !== account) {
      problem(
        "githubOidcProviderArn",
        `belongs to account ${match[1]}, but the stack deploys to account ${account}`,
      );
    }
  }

  const environmentOf = (name: "publisherEnvironment" | "deployerEnvironment"): string => {
    const value = raw(name);
    if (value !== undefined && !ENVIRONMENT_NAME.test(value)) {
      problem(name, `must be a GitHub environment name without spaces or wildcards, got "${value}"`);
    }
    return value ?? (specOf(name).default as string);
  };
  const publisherEnvironment = environmentOf("publisherEnvironment");
  const deployerEnvironment = environmentOf("deployerEnvironment");
  if (publisherEnvironment === deployerEnvironment) {
    problem(
      "deployerEnvironment",
      `must differ from publisherEnvironment ("${publisherEnvironment}"): one environment would let a release job deploy the stack, or a deploy job publish`,
    );
  }

  const claimsRaw = raw("oidcSubjectClaims");
  let subjectClaims: SubjectClaims = "default";
  if (claimsRaw !== undefined) {
    const keys = claimsRaw.split(",").map((key) => key.trim());
    if (keys.join(",") !== CUSTOM_SUBJECT_CLAIM_KEYS.join(",")) {
      problem(
        "oidcSubjectClaims",
        `must be "${CUSTOM_SUBJECT_CLAIM_KEYS.join(",")}" (the customized subject template set on GitHub) or empty for GitHub's default, got "${claimsRaw}"`,
      );
    } else if (idsRaw !== undefined) {
      problem(
        "oidcSubjectClaims",
        "cannot be combined with githubRepositoryIds: the roles know the customized subject only in the owner/name form; leave one of the two empty",
      );
    } else {
      subjectClaims = "job_workflow_ref";
    }
  }

  if (problems.length > 0) throw new SettingsError(problems);
  // Every branch above that leaves a value undefined for a required setting recorded a problem.
  return {
    account: account as string,
    region: STACK_REGION,
    domainName: domainName as string,
    hostedZone: { id: zoneId as string, name: zoneName as string },
    certificate,
    github: {
      owner: owner as string,
      repository: name as string,
      ...(ids === undefined ? {} : { ids }),
      ...(providerArn === undefined ? {} : { oidcProviderArn: providerArn }),
      publisherEnvironment,
      deployerEnvironment,
      subjectClaims,
    },
  };
}
