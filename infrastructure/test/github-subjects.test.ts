import { describe, expect, it } from "vitest";
import { repositorySubject, trustedSubjects } from "../lib/github-subjects.js";
import { bootstrapRoleArns, OUTPUT_KEYS } from "../lib/names.js";
import type { GitHubSettings } from "../lib/settings.js";

const github: GitHubSettings = {
  owner: "alto9",
  repository: "kube9-operator",
  publisherEnvironment: "release",
  deployerEnvironment: "infrastructure",
  subjectClaims: "default",
};

describe("trustedSubjects", () => {
  it("trusts only the release environment for the publisher and the infrastructure environment for the deployer", () => {
    expect(trustedSubjects(github)).toEqual({
      publisher: ["repo:alto9/kube9-operator:environment:release"],
      deployer: ["repo:alto9/kube9-operator:environment:infrastructure"],
    });
  });

  it("uses only the immutable form once the repository ids are given", () => {
    const subjects = trustedSubjects({ ...github, ids: { owner: "111", repository: "222" } });
    expect(subjects).toEqual({
      publisher: ["repo:alto9@111/kube9-operator@222:environment:release"],
      deployer: ["repo:alto9@111/kube9-operator@222:environment:infrastructure"],
    });
    expect([...subjects.publisher, ...subjects.deployer].some((s) => s.startsWith("repo:alto9/"))).toBe(
      false,
    );
  });

  it("pins the workflow file too with the customized subject template", () => {
    expect(trustedSubjects({ ...github, subjectClaims: "job_workflow_ref" })).toEqual({
      publisher: [
        "repo:alto9/kube9-operator:environment:release:job_workflow_ref:alto9/kube9-operator/.github/workflows/release-chart.yml@*",
      ],
      deployer: [
        "repo:alto9/kube9-operator:environment:infrastructure:job_workflow_ref:alto9/kube9-operator/.github/workflows/deploy-infrastructure.yml@refs/heads/main",
      ],
    });
  });

  it.each([
    ["default subjects", github],
    ["immutable subjects", { ...github, ids: { owner: "1", repository: "2" } }],
    ["customized subjects", { ...github, subjectClaims: "job_workflow_ref" as const }],
  ])("never trusts a bare tag or branch subject (%s)", (_label, settings) => {
    const { publisher, deployer } = trustedSubjects(settings);
    for (const subject of [...publisher, ...deployer]) {
      // `ref:` right after the repository is what a job without an environment gets.
      expect(subject).not.toMatch(/^repo:[^:]+:ref:/);
      expect(subject).toMatch(/^repo:[^:]+:environment:[^:*]+(:job_workflow_ref:|$)/);
    }
  });

  it("never widens the repository part with a wildcard", () => {
    expect(repositorySubject(github)).not.toContain("*");
    expect(repositorySubject({ ...github, ids: { owner: "1", repository: "2" } })).not.toContain("*");
  });
});

describe("names", () => {
  it("limits the deployer to the deploy and file-publishing bootstrap roles of one account in us-east-1", () => {
    expect(bootstrapRoleArns("123456789012")).toEqual([
      "arn:aws:iam::123456789012:role/cdk-hnb659fds-deploy-role-123456789012-us-east-1",
      "arn:aws:iam::123456789012:role/cdk-hnb659fds-file-publishing-role-123456789012-us-east-1",
    ]);
  });

  it("keeps the output keys unique", () => {
    const keys = Object.values(OUTPUT_KEYS);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
