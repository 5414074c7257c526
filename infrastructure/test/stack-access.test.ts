/**
 * Who may do what: the GitHub OIDC provider, the trust and permissions of the publisher and
 * deployer roles, and cdk-nag's verdict on the whole stack.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { CfnElement } from "aws-cdk-lib";
import * as s3 from "aws-cdk-lib/aws-s3";
import { AwsSolutionsChecks } from "cdk-nag";
import type { IConstruct } from "constructs";
import { describe, expect, it } from "vitest";
import { buildApp } from "../lib/app.js";
import {
  ACCOUNT,
  FULL_CONTEXT,
  MINIMAL_CONTEXT,
  only,
  PROVIDER_ARN,
  type Synthesized,
  synthesize,
  WORKFLOW_PINNED_CONTEXT,
} from "./synth.js";

const minimal = synthesize(MINIMAL_CONTEXT);
const full = synthesize(FULL_CONTEXT);
const pinned = synthesize(WORKFLOW_PINNED_CONTEXT);

const logicalIdOf = (s: Synthesized, construct: IConstruct) =>
  s.stack.resolve(s.stack.getLogicalId(construct.node.defaultChild as CfnElement)) as string;
const roleOf = (s: Synthesized, role: "publisher" | "deployer") => {
  const id = logicalIdOf(s, s.stack.roles[role]);
  return s.template.findResources("AWS::IAM::Role")[id]?.Properties as {
    AssumeRolePolicyDocument: { Statement: unknown[] };
    Policies: Array<{ PolicyName: string; PolicyDocument: { Statement: Array<Record<string, unknown>> } }>;
  };
};
const AUD = { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" };
const SUB = "token.actions.githubusercontent.com:sub";

describe("GitHub OIDC provider", () => {
  it("is created for GitHub's issuer and audience, natively (no custom-resource Lambda)", () => {
    expect(only(minimal.template, "AWS::IAM::OIDCProvider").properties).toEqual({
      Url: "https://token.actions.githubusercontent.com",
      ClientIdList: ["sts.amazonaws.com"],
    });
    minimal.template.resourceCountIs("AWS::Lambda::Function", 0);
    minimal.template.resourceCountIs("Custom::AWSCDKOpenIdConnectProvider", 0);
  });

  it("is imported by ARN when given, and then not created", () => {
    full.template.resourceCountIs("AWS::IAM::OIDCProvider", 0);
    const trust = roleOf(full, "deployer").AssumeRolePolicyDocument.Statement;
    expect(trust).toEqual([expect.objectContaining({ Principal: { Federated: PROVIDER_ARN } })]);
  });

  it("is kept when the stack is deleted, since other stacks of the account may trust it", () => {
    minimal.template.hasResource("AWS::IAM::OIDCProvider", {
      DeletionPolicy: "Retain",
      UpdateReplacePolicy: "Retain",
    });
  });

  it("has exactly the two roles", () => {
    minimal.template.resourceCountIs("AWS::IAM::Role", 2);
    full.template.resourceCountIs("AWS::IAM::Role", 2);
    minimal.template.resourceCountIs("AWS::IAM::Policy", 0);
    minimal.template.resourceCountIs("AWS::IAM::ManagedPolicy", 0);
  });
});

/** The `sub` values a trust statement accepts, whatever operator it uses. */
const trustedSubs = (statement: { Condition?: Record<string, Record<string, unknown>> }) =>
  Object.values(statement.Condition ?? {}).flatMap((operator) => [operator[SUB] ?? []].flat() as string[]);

describe("publisher role", () => {
  it("trusts only the release environment of the repository, with GitHub's audience", () => {
    const provider = only(minimal.template, "AWS::IAM::OIDCProvider").logicalId;
    expect(roleOf(minimal, "publisher").AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: "Allow",
        Action: "sts:AssumeRoleWithWebIdentity",
        Principal: { Federated: { Ref: provider } },
        // No wildcard, so both under StringEquals; the audience must not be lost.
        Condition: { StringEquals: { ...AUD, [SUB]: ["repo:alto9/kube9-operator:environment:release"] } },
      },
    ]);
  });

  it("trusts the immutable subject form of the configured environment, and nothing else", () => {
    expect(roleOf(full, "publisher").AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({
        Condition: {
          StringEquals: { ...AUD, [SUB]: ["repo:alto9@1234/kube9-operator@5678:environment:charts"] },
        },
      }),
    ]);
  });

  it("also pins the reusable publish workflow when the subject template is customized", () => {
    expect(roleOf(pinned, "publisher").AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({
        Condition: {
          StringEquals: AUD,
          StringLike: {
            [SUB]: [
              "repo:alto9/kube9-operator:environment:release:job_workflow_ref:alto9/kube9-operator/.github/workflows/release-chart.yml@*",
            ],
          },
        },
      }),
    ]);
  });

  it.each([
    ["minimal", minimal],
    ["full", full],
    ["workflow-pinned", pinned],
  ])("no trust statement of either role accepts a bare tag or branch pattern (%s settings)", (_label, s) => {
    for (const role of ["publisher", "deployer"] as const) {
      const statements = roleOf(s, role).AssumeRolePolicyDocument.Statement as Array<{
        Condition?: Record<string, Record<string, unknown>>;
      }>;
      for (const statement of statements) {
        const subs = trustedSubs(statement);
        expect(subs.length).toBeGreaterThan(0);
        for (const sub of subs) {
          expect(sub).not.toMatch(/^repo:[^:]+:ref:/);
          expect(sub).toMatch(/^repo:[^:]+:environment:[^:*]+(:job_workflow_ref:|$)/);
        }
      }
    }
  });

  it("reads the bucket's objects, writes only repository objects, reads index versions, lists and invalidates", () => {
    const bucket = logicalIdOf(minimal, minimal.stack.chartBucket.bucket);
    const distribution = logicalIdOf(minimal, minimal.stack.chartDistribution.distribution);
    const bucketArn = { "Fn::GetAtt": [bucket, "Arn"] };
    const keys = (pattern: string) => ({ "Fn::Join": ["", [bucketArn, `/${pattern}`]] });
    // @aws-cdk/aws-iam:minimizePolicies orders a statement's resources its own way: compare as sets.
    const sorted = (policies: unknown) =>
      JSON.parse(JSON.stringify(policies), (key, value: unknown) =>
        key === "Resource" && Array.isArray(value)
          ? [...value].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))
          : value,
      ) as unknown;
    expect(sorted(roleOf(minimal, "publisher").Policies)).toEqual(
      sorted([
        {
          PolicyName: "publish",
          PolicyDocument: {
            Version: "2012-10-17",
            Statement: [
              { Sid: "ReadChartObjects", Effect: "Allow", Action: "s3:GetObject", Resource: keys("*") },
              {
                Sid: "WriteRepositoryObjects",
                Effect: "Allow",
                Action: "s3:PutObject",
                Resource: [
                  keys("*.tgz"),
                  keys("*.prov"),
                  keys("pubkey.asc"),
                  keys("*/pubkey.asc"),
                  keys("pubkey.gpg"),
                  keys("*/pubkey.gpg"),
                  keys("index.yaml"),
                  keys("*/index.yaml"),
                  keys("artifacthub-repo.yml"),
                  keys("*/artifacthub-repo.yml"),
                ],
              },
              {
                Sid: "ReadIndexVersions",
                Effect: "Allow",
                Action: "s3:GetObjectVersion",
                Resource: [keys("index.yaml"), keys("*/index.yaml")],
              },
              {
                Sid: "ListChartBucket",
                Effect: "Allow",
                Action: ["s3:ListBucket", "s3:ListBucketVersions"],
                Resource: bucketArn,
              },
              {
                Sid: "InvalidateChartDistribution",
                Effect: "Allow",
                Action: ["cloudfront:CreateInvalidation", "cloudfront:GetInvalidation"],
                // The stack's region is known, so the partition is a literal
                // (@aws-cdk/core:enablePartitionLiterals in cdk.json).
                Resource: {
                  "Fn::Join": ["", [`arn:aws:cloudfront::${ACCOUNT}:distribution/`, { Ref: distribution }]],
                },
              },
            ],
          },
        },
      ]),
    );
  });
});

describe("deployer role", () => {
  it("trusts only the infrastructure environment of the repository, with GitHub's audience", () => {
    const provider = only(minimal.template, "AWS::IAM::OIDCProvider").logicalId;
    expect(roleOf(minimal, "deployer").AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: "Allow",
        Action: "sts:AssumeRoleWithWebIdentity",
        Principal: { Federated: { Ref: provider } },
        Condition: {
          StringEquals: { ...AUD, [SUB]: ["repo:alto9/kube9-operator:environment:infrastructure"] },
        },
      },
    ]);
    expect(roleOf(full, "deployer").AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({
        Condition: {
          StringEquals: {
            ...AUD,
            [SUB]: ["repo:alto9@1234/kube9-operator@5678:environment:infrastructure"],
          },
        },
      }),
    ]);
    expect(roleOf(pinned, "deployer").AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({
        Condition: {
          StringEquals: {
            ...AUD,
            [SUB]: [
              "repo:alto9/kube9-operator:environment:infrastructure:job_workflow_ref:alto9/kube9-operator/.github/workflows/deploy-infrastructure.yml@refs/heads/main",
            ],
          },
        },
      }),
    ]);
  });

  it("may only assume the deploy and file-publishing bootstrap roles, not the lookup or image roles", () => {
    expect(roleOf(minimal, "deployer").Policies).toEqual([
      {
        PolicyName: "deploy",
        PolicyDocument: {
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "AssumeCdkDeployRoles",
              Effect: "Allow",
              Action: "sts:AssumeRole",
              Resource: [
                `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-deploy-role-${ACCOUNT}-us-east-1`,
                `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-file-publishing-role-${ACCOUNT}-us-east-1`,
              ],
            },
          ],
        },
      },
    ]);
  });

  it("needs no lookup role: the stack's synthesizer reads the deployed template through the deploy role", () => {
    const artifact = minimal.app.synth().getStackByName(minimal.stack.stackName);
    expect(artifact.lookupRole).toBeUndefined();
    expect(artifact.assumeRoleArn).toContain("cdk-hnb659fds-deploy-role-");
  });
});

describe("IAM wildcards", () => {
  /** Every Action and Resource of every identity policy in the template, flattened. */
  const grants = (s: Synthesized) =>
    (["publisher", "deployer"] as const).flatMap((role) =>
      roleOf(s, role).Policies.flatMap((p) =>
        p.PolicyDocument.Statement.map((st) => ({
          actions: [st.Action].flat(),
          resources: [st.Resource].flat(),
        })),
      ),
    );

  it.each([
    ["minimal", minimal],
    ["full", full],
  ])("no action has a wildcard and no resource is * (%s settings)", (_label, s) => {
    for (const { actions, resources } of grants(s)) {
      for (const action of actions) expect(action).toMatch(/^[a-z0-9]+:[A-Za-z]+$/);
      for (const resource of resources) expect(resource).not.toBe("*");
    }
  });

  it("has wildcards only in the bucket's key patterns", () => {
    const wildcards = grants(minimal)
      .flatMap((g) => g.resources)
      .map((r) => JSON.stringify(minimal.stack.resolve(r)))
      .filter((r) => r.includes("*"));
    const bucket = logicalIdOf(minimal, minimal.stack.chartBucket.bucket);
    const keys = (pattern: string) =>
      JSON.stringify({ "Fn::Join": ["", [{ "Fn::GetAtt": [bucket, "Arn"] }, `/${pattern}`]] });
    expect(wildcards.sort()).toEqual(
      [
        keys("*"),
        keys("*.tgz"),
        keys("*.prov"),
        keys("*/pubkey.asc"),
        keys("*/pubkey.gpg"),
        keys("*/index.yaml"),
        keys("*/index.yaml"),
        keys("*/artifacthub-repo.yml"),
      ].sort(),
    );
  });
});

describe("cdk-nag AwsSolutions", () => {
  it.each([
    ["minimal", minimal],
    ["full", full],
  ])("leaves no unacknowledged finding (%s settings)", (_label, s) => {
    // synth() already ran the plugin and would have thrown; the report it wrote says the same.
    const report = JSON.parse(readFileSync(join(s.outdir, "validation-report.json"), "utf8")) as unknown;
    expect(report).toMatchObject({ title: "Validation Report", pluginReports: [] });
    const direct = new AwsSolutionsChecks().validateScope(s.app);
    expect(direct.violations).toEqual([]);
    expect(direct.success).toBe(true);
  });

  it("acknowledges each finding on its own construct with a reason", () => {
    const bucket = logicalIdOf(minimal, minimal.stack.chartBucket.bucket);
    const list = minimal.stack.nagAcknowledgements.map((a) => ({ id: a.id, on: a.on.node.path }));
    const publisher = "Kube9ChartRepository/GitHub/Publisher";
    expect(list).toEqual([
      { id: "AwsSolutions-S1", on: "Kube9ChartRepository/Charts/Bucket" },
      { id: "AwsSolutions-S1", on: "Kube9ChartRepository/Audit/Logs" },
      { id: "AwsSolutions-CFR3", on: "Kube9ChartRepository/Cdn/Distribution" },
      { id: "AwsSolutions-CFR1", on: "Kube9ChartRepository/Cdn/Distribution" },
      { id: "AwsSolutions-CFR2", on: "Kube9ChartRepository/Cdn/Distribution" },
      { id: `AwsSolutions-IAM5[Resource::<${bucket}.Arn>/*]`, on: publisher },
      { id: `AwsSolutions-IAM5[Resource::<${bucket}.Arn>/*.tgz]`, on: publisher },
      { id: `AwsSolutions-IAM5[Resource::<${bucket}.Arn>/*.prov]`, on: publisher },
      { id: `AwsSolutions-IAM5[Resource::<${bucket}.Arn>/*/pubkey.asc]`, on: publisher },
      { id: `AwsSolutions-IAM5[Resource::<${bucket}.Arn>/*/pubkey.gpg]`, on: publisher },
      { id: `AwsSolutions-IAM5[Resource::<${bucket}.Arn>/*/index.yaml]`, on: publisher },
      { id: `AwsSolutions-IAM5[Resource::<${bucket}.Arn>/*/artifacthub-repo.yml]`, on: publisher },
    ]);
    // Nothing is acknowledged on the deployer: it has no wildcard left.
    expect(list.some((a) => a.on.includes("Deployer"))).toBe(false);
    for (const { reason } of minimal.stack.nagAcknowledgements) expect(reason.length).toBeGreaterThan(40);
  });

  it("fails the synth on a finding nobody acknowledged", () => {
    // Acknowledgements are per construct, not stack-wide: a second bucket without logs is an error.
    const { app, stack } = buildApp({ context: { ...MINIMAL_CONTEXT }, env: {} });
    new s3.Bucket(stack, "Unreviewed", { enforceSSL: true });
    expect(() => app.synth()).toThrow(
      /server access logs disabled[\s\S]*Kube9ChartRepository\/Unreviewed\/Resource[\s\S]*AwsSolutions-S1/,
    );
  });
});
