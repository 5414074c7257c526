/**
 * The refusals of the release path's commands, run as a user runs them (see
 * user-environment.test.ts for their main paths): the linked `kube9-release` on PATH, a fresh
 * folder outside any git repository, PATH and a fresh HOME only.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeReleaseLayout } from "../support/oci-layout.js";
import { startRegistry, type TestRegistry } from "../support/registry.js";
import { repoRoot } from "../support/tools.js";
import { requireLinkedBin, type UserEnvironment, userEnvironment } from "../support/user-environment.js";

let user: UserEnvironment;
let registry: TestRegistry;

beforeAll(async () => {
  requireLinkedBin();
  user = userEnvironment("release-commands");
  registry = await startRegistry();
});

afterAll(async () => {
  await registry?.stop();
  user?.cleanup();
});

describe("release path refusals as users meet them", () => {
  it("image push without the credential variables stops with the registry's refusal, not a crash", async () => {
    const layout = await writeReleaseLayout(join(user.cwd, "layout-anonymous"), "2.0.0");
    const run = await user.run([
      "image",
      "push",
      layout.dir,
      "v2.0.0",
      "--to",
      `${registry.host}/alto9/kube9-operator`,
    ]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^error: /m);
    expect(run.stderr).not.toContain("internal error");
  });

  it("release rehearse of a tag the repository does not have says to create it", async () => {
    const repo = join(user.cwd, "repo");
    await user.exec("git", ["clone", "--quiet", "--no-checkout", repoRoot, repo]);
    await user.exec("git", ["-C", repo, "checkout", "--quiet", "HEAD", "--", "scripts"]);
    const run = await user.run(["release", "rehearse", "v9.9.9", "--repo-dir", repo]);
    expect(run.status).toBe(2);
    expect(run.stderr).not.toContain("internal error");
    expect(run.stderr).toContain("there is no tag v9.9.9");
    expect(run.stderr).toContain("git tag v9.9.9");

    const notOurs = join(user.cwd, "other");
    await user.exec("git", ["init", "--quiet", notOurs]);
    const other = await user.run(["release", "rehearse", "v1.0.0", "--repo-dir", notOurs]);
    expect(other.status).toBe(2);
    expect(other.stderr).toContain("is not a kube9-operator checkout");
  });
});
