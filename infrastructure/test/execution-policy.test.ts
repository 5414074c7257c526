/**
 * The scoped CloudFormation execution policy the setup guide bootstraps with: generated from the
 * synthesized template, it must cover every resource type the stack has, and nothing broader
 * than the stack needs.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../test/support/tools.js";
import {
  EXECUTION_GRANTS,
  executionPolicy,
  resourceTypesOf,
  UnknownResourceTypeError,
} from "../lib/execution-policy.js";
import { ACCOUNT, FULL_CONTEXT, MINIMAL_CONTEXT, synthesize, WORKFLOW_PINNED_CONTEXT } from "./synth.js";

const scope = { account: ACCOUNT, hostedZoneId: MINIMAL_CONTEXT.hostedZoneId as string };
const variants = [
  ["minimal", synthesize(MINIMAL_CONTEXT)],
  ["full", synthesize(FULL_CONTEXT)],
  ["workflow-pinned", synthesize(WORKFLOW_PINNED_CONTEXT)],
] as const;
const types = (json: Record<string, unknown>) =>
  resourceTypesOf(json as { Resources: Record<string, { Type: string }> });

describe("execution policy", () => {
  it.each(variants)("covers every resource type of the %s template", (_label, s) => {
    const policy = executionPolicy(types(s.json), scope);
    const sids = policy.Statement.map((st) => st.Sid);
    for (const type of types(s.json)) {
      if ((EXECUTION_GRANTS[type]?.actions.length ?? 0) === 0) continue;
      expect(sids).toContain(type.replace(/^AWS::/, "").replace(/::/g, ""));
    }
  });

  it("refuses a template with a resource type nobody reviewed, naming it", () => {
    expect(() => executionPolicy(["AWS::S3::Bucket", "AWS::Lambda::Function"], scope)).toThrow(
      UnknownResourceTypeError,
    );
    expect(() => executionPolicy(["AWS::Lambda::Function"], scope)).toThrow(/AWS::Lambda::Function/);
  });

  it("grants no service-wide wildcard and no IAM action outside the stack's own roles and provider", () => {
    const policy = executionPolicy(types(variants[0][1].json), scope);
    for (const statement of policy.Statement) {
      for (const action of statement.Action) {
        expect(action).toMatch(/^[a-z0-9]+:[A-Za-z*]+$/);
        expect(action.split(":")[1]).not.toBe("*");
      }
      if (statement.Action.some((a) => a.startsWith("iam:"))) {
        expect(statement.Resource).not.toContain("*");
        for (const resource of statement.Resource) {
          expect(resource).toMatch(
            new RegExp(
              `^arn:aws:iam::${ACCOUNT}:(role/Kube9ChartRepository-\\*|oidc-provider/token\\.actions\\.githubusercontent\\.com)$`,
            ),
          );
        }
      }
    }
    const route53 = policy.Statement.find((st) => st.Sid === "Route53RecordSet");
    expect(route53?.Resource).toEqual([
      "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ",
      "arn:aws:route53:::change/*",
    ]);
  });

  it("never lets CloudFormation delete a retained resource", () => {
    const actions = executionPolicy(types(variants[0][1].json), scope).Statement.flatMap((st) => st.Action);
    expect(actions).not.toContain("s3:DeleteBucket");
    expect(actions).not.toContain("iam:DeleteOpenIDConnectProvider");
  });

  it("fits IAM's managed policy size limit (6,144 characters without whitespace)", () => {
    const all = [...new Set(variants.flatMap(([, s]) => types(s.json)))];
    expect(JSON.stringify(executionPolicy(all, scope)).length).toBeLessThanOrEqual(6_144);
  });

  it("is what the entry point the setup guide runs prints for the same settings", () => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
    env.KUBE9_AWS_ACCOUNT_ID = ACCOUNT;
    env.KUBE9_CHARTS_DOMAIN = MINIMAL_CONTEXT.domainName;
    env.KUBE9_HOSTED_ZONE_ID = MINIMAL_CONTEXT.hostedZoneId;
    env.KUBE9_HOSTED_ZONE_NAME = MINIMAL_CONTEXT.hostedZoneName;
    env.KUBE9_GITHUB_REPOSITORY = MINIMAL_CONTEXT.githubRepository;
    const result = spawnSync(
      process.execPath,
      [join(repoRoot, "infrastructure/dist/bin/execution-policy.js")],
      {
        cwd: join(repoRoot, "infrastructure"),
        encoding: "utf8",
        env,
      },
    );
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    // The entry point synthesizes without cdk.json's feature flags; the resource types are the same.
    expect(JSON.parse(result.stdout)).toEqual(executionPolicy(types(variants[0][1].json), scope));
  });

  it("is the policy the setup guide tells the maintainer to bootstrap with", () => {
    const guide = readFileSync(join(repoRoot, "docs", "infrastructure.md"), "utf8");
    expect(guide).toContain("node dist/bin/execution-policy.js");
    expect(guide).toContain("--cloudformation-execution-policies");
  });
});
