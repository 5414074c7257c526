/**
 * docs/infrastructure.md is what an operator follows by hand: it must name every setting the code
 * reads and every output the release workflow copies, exactly as the code spells them.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../test/support/tools.js";
import { OUTPUT_KEYS, STACK_NAME } from "../lib/names.js";
import { SETTING_SPECS } from "../lib/settings.js";

const guide = readFileSync(join(repoRoot, "docs", "infrastructure.md"), "utf8");
const tableRows = guide.split("\n").filter((line) => line.startsWith("|"));

describe("setup guide", () => {
  it.each(SETTING_SPECS.map((s) => [s.name, s] as const))(
    "lists setting %s with its keys and example",
    (_name, spec) => {
      const row = tableRows.find((line) => line.includes(`\`${spec.contextKey}\``));
      expect(row, `no settings table row for ${spec.contextKey}`).toBeDefined();
      expect(row).toContain(`\`${spec.envVar}\``);
      expect(row).toContain(`\`${spec.example}\``);
      const required = row?.split("|").at(-2)?.trim() ?? "";
      expect(required.startsWith("yes")).toBe(spec.required);
    },
  );

  it("names every stack output and the stack", () => {
    for (const key of Object.values(OUTPUT_KEYS)) expect(guide).toContain(`\`${key}\``);
    expect(guide).toContain(`--stack-name ${STACK_NAME}`);
  });

  it("tells the maintainer to protect each environment the roles trust", () => {
    const defaultOf = (name: string) => SETTING_SPECS.find((s) => s.name === name)?.default ?? "?";
    const row = (environment: string) => tableRows.find((line) => line.startsWith(`| \`${environment}\``));
    const release = row(defaultOf("publisherEnvironment"));
    expect(release).toContain("Required reviewers");
    expect(release).toContain("tag pattern `v*`");
    const infrastructure = row(defaultOf("deployerEnvironment"));
    expect(infrastructure).toContain("Required reviewers");
    expect(infrastructure).toContain("branch `main`");
  });

  it("tells the maintainer to restrict v* tags with a ruleset, and how to pin the workflow files", () => {
    expect(guide).toMatch(/\*\*tag ruleset\*\* for `v\*`/);
    expect(guide).toContain("restrict creations, updates and deletions");
    expect(guide).toContain("actions/oidc/customization/sub");
    expect(guide).toContain("include_claim_keys[]=job_workflow_ref");
  });

  it("says which environment each workflow job must use", () => {
    expect(guide).toContain("runs with `environment: release`");
    expect(guide).toContain("runs with `environment: infrastructure`");
  });

  it("recommends the existing OIDC provider, and says how deletion is guarded", () => {
    expect(guide).toContain("pass its ARN as\n   `githubOidcProviderArn`: recommended");
    expect(guide).toContain("**termination protection** on");
  });

  it("documents repo rollback", () => {
    expect(guide).toContain("repo rollback --repo s3://<ChartBucketName> --dry-run");
  });

  it("names the repository variable that holds the deployer role", () => {
    const workflow = readFileSync(
      join(repoRoot, ".github", "workflows", "deploy-infrastructure.yml"),
      "utf8",
    );
    expect(workflow).toContain("vars.KUBE9_DEPLOYER_ROLE_ARN");
    expect(guide).toContain("`KUBE9_DEPLOYER_ROLE_ARN`");
  });
});
