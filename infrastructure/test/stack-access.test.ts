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
} from "./synth.js";

const minimal = synthesize(MINIMAL_CONTEXT);
const full = synthesize(FULL_CONTEXT);

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

  it("has exactly the two roles", () => {
    minimal.template.resourceCountIs("AWS::IAM::Role", 2);
    full.template.resourceCountIs("AWS::IAM::Role", 2);
    minimal.template.resourceCountIs("AWS::IAM::Policy", 0);
    minimal.template.resourceCountIs("AWS::IAM::ManagedPolicy", 0);
  });
});

describe("publisher role", () => {
  it("trusts only release tags of the repository, with GitHub's audience", () => {
    const provider = only(minimal.template, "AWS::IAM::OIDCProvider").logicalId;
    expect(roleOf(minimal, "publisher").AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: "Allow",
        Action: "sts:AssumeRoleWithWebIdentity",
        Principal: { Federated: { Ref: provider } },
        Condition: {
          StringEquals: AUD,
          StringLike: { [SUB]: ["repo:alto9/kube9-operator:ref:refs/tags/v*"] },
        },
      },
    ]);
  });

  it("trusts the immutable subject form and the release environment when configured, and nothing else", () => {
    expect(roleOf(full, "publisher").AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({
        Condition: {
          StringEquals: AUD,
          StringLike: {
            [SUB]: [
              "repo:alto9@1234/kube9-operator@5678:ref:refs/tags/v*",
              "repo:alto9@1234/kube9-operator@5678:environment:charts",
            ],
          },
        },
      }),
    ]);
  });

  it("may get and put the bucket's objects, list the bucket and invalidate this one distribution", () => {
    const bucket = logicalIdOf(minimal, minimal.stack.chartBucket.bucket);
    const distribution = logicalIdOf(minimal, minimal.stack.chartDistribution.distribution);
    const bucketArn = { "Fn::GetAtt": [bucket, "Arn"] };
    expect(roleOf(minimal, "publisher").Policies).toEqual([
      {
        PolicyName: "publish",
        PolicyDocument: {
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "ChartObjects",
              Effect: "Allow",
              Action: ["s3:GetObject", "s3:PutObject"],
              Resource: { "Fn::Join": ["", [bucketArn, "/*"]] },
            },
            { Sid: "ListChartBucket", Effect: "Allow", Action: "s3:ListBucket", Resource: bucketArn },
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
    ]);
  });
});

describe("deployer role", () => {
  it("trusts only the main branch of the repository, with GitHub's audience", () => {
    const provider = only(minimal.template, "AWS::IAM::OIDCProvider").logicalId;
    expect(roleOf(minimal, "deployer").AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: "Allow",
        Action: "sts:AssumeRoleWithWebIdentity",
        Principal: { Federated: { Ref: provider } },
        // Both under StringEquals: no wildcard is needed, and the audience must not be lost.
        Condition: { StringEquals: { ...AUD, [SUB]: ["repo:alto9/kube9-operator:ref:refs/heads/main"] } },
      },
    ]);
    expect(roleOf(full, "deployer").AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({
        Condition: {
          StringEquals: { ...AUD, [SUB]: ["repo:alto9@1234/kube9-operator@5678:ref:refs/heads/main"] },
        },
      }),
    ]);
  });

  it("may only assume the CDK bootstrap roles of the account in us-east-1", () => {
    expect(roleOf(minimal, "deployer").Policies).toEqual([
      {
        PolicyName: "deploy",
        PolicyDocument: {
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "AssumeCdkBootstrapRoles",
              Effect: "Allow",
              Action: "sts:AssumeRole",
              Resource: `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-*-${ACCOUNT}-us-east-1`,
            },
          ],
        },
      },
    ]);
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

  it("has wildcards only in the bucket's keys and the bootstrap role name", () => {
    const wildcards = grants(minimal)
      .flatMap((g) => g.resources)
      .map((r) => JSON.stringify(minimal.stack.resolve(r)))
      .filter((r) => r.includes("*"));
    const bucket = logicalIdOf(minimal, minimal.stack.chartBucket.bucket);
    expect(wildcards).toEqual([
      JSON.stringify({ "Fn::Join": ["", [{ "Fn::GetAtt": [bucket, "Arn"] }, "/*"]] }),
      JSON.stringify(`arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-*-${ACCOUNT}-us-east-1`),
    ]);
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
    expect(list).toEqual([
      { id: "AwsSolutions-S1", on: "Kube9ChartRepository/Charts/Bucket" },
      { id: "AwsSolutions-CFR3", on: "Kube9ChartRepository/Cdn/Distribution" },
      { id: "AwsSolutions-CFR1", on: "Kube9ChartRepository/Cdn/Distribution" },
      { id: "AwsSolutions-CFR2", on: "Kube9ChartRepository/Cdn/Distribution" },
      { id: `AwsSolutions-IAM5[Resource::<${bucket}.Arn>/*]`, on: "Kube9ChartRepository/GitHub/Publisher" },
      {
        id: `AwsSolutions-IAM5[Resource::arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-*-${ACCOUNT}-us-east-1]`,
        on: "Kube9ChartRepository/GitHub/Deployer",
      },
    ]);
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
