import { describe, expect, it } from "vitest";
import { repositorySubject, trustedSubjects } from "../lib/github-subjects.js";
import { bootstrapRoleArnPattern, OUTPUT_KEYS } from "../lib/names.js";

const github = { owner: "alto9", repository: "kube9-operator" };

describe("trustedSubjects", () => {
  it("trusts release tags for the publisher and main for the deployer, in the name-only form", () => {
    expect(trustedSubjects(github)).toEqual({
      publisher: ["repo:alto9/kube9-operator:ref:refs/tags/v*"],
      deployer: ["repo:alto9/kube9-operator:ref:refs/heads/main"],
    });
  });

  it("uses only the immutable form once the repository ids are given", () => {
    const subjects = trustedSubjects({ ...github, ids: { owner: "111", repository: "222" } });
    expect(subjects).toEqual({
      publisher: ["repo:alto9@111/kube9-operator@222:ref:refs/tags/v*"],
      deployer: ["repo:alto9@111/kube9-operator@222:ref:refs/heads/main"],
    });
    expect([...subjects.publisher, ...subjects.deployer].some((s) => s.startsWith("repo:alto9/"))).toBe(
      false,
    );
  });

  it("adds the release job's environment subject only when one is configured", () => {
    expect(trustedSubjects({ ...github, publisherEnvironment: "charts" }).publisher).toEqual([
      "repo:alto9/kube9-operator:ref:refs/tags/v*",
      "repo:alto9/kube9-operator:environment:charts",
    ]);
    expect(trustedSubjects({ ...github, publisherEnvironment: "charts" }).deployer).toEqual([
      "repo:alto9/kube9-operator:ref:refs/heads/main",
    ]);
  });

  it("never widens the repository part with a wildcard", () => {
    expect(repositorySubject(github)).not.toContain("*");
    expect(repositorySubject({ ...github, ids: { owner: "1", repository: "2" } })).not.toContain("*");
  });
});

describe("names", () => {
  it("limits the deployer to the bootstrap roles of one account in us-east-1", () => {
    expect(bootstrapRoleArnPattern("123456789012")).toBe(
      "arn:aws:iam::123456789012:role/cdk-hnb659fds-*-123456789012-us-east-1",
    );
  });

  it("keeps the output keys unique", () => {
    const keys = Object.values(OUTPUT_KEYS);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
