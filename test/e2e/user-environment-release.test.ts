/**
 * The release commands of the README's table, run as a user runs them (see
 * user-environment.test.ts): the linked `kube9-release` on PATH, a fresh folder outside any git
 * repository, PATH and a fresh HOME only. `image push` reads its credentials from the two
 * KUBE9_REGISTRY_* variables its help documents; `image scan` is given the pinned Trivy and an
 * offline database by its options (Trivy's online database is out of reach here).
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeReleaseLayout } from "../support/oci-layout.js";
import { startRegistry, type TestRegistry } from "../support/registry.js";
import { repoRoot, toolPath } from "../support/tools.js";
import { buildTestVulnDb } from "../support/trivy.js";
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

describe("release commands as users run them", () => {
  it("image scan scans each platform of a layout and writes SARIF per platform", async () => {
    const layout = await writeReleaseLayout(join(user.cwd, "layout-scan"), "1.0.0");
    const db = buildTestVulnDb(join(user.cwd, "db"), []);
    const run = await user.run([
      "image",
      "scan",
      layout.dir,
      "--trivy",
      toolPath("trivy"),
      "--cache-dir",
      db,
      "--offline",
      "--sarif-dir",
      "sarif",
      "--digest",
      layout.digest,
    ]);
    expect(run.stderr).not.toContain("internal error");
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(layout.digest);
    expect(run.stdout).toMatch(/linux\/amd64[\s\S]*linux\/arm64/);
  });

  it("image push pushes a layout under its release tags with the documented credential variables", async () => {
    const layout = await writeReleaseLayout(join(user.cwd, "layout-push"), "1.0.0");
    const to = `${registry.host}/alto9/kube9-operator`;
    const run = await user.run(
      ["image", "push", layout.dir, "v1.0.0", "--to", to, "--digest", layout.digest],
      {
        extraEnv: {
          KUBE9_REGISTRY_USERNAME: registry.pusher.username,
          KUBE9_REGISTRY_PASSWORD: registry.pusher.password,
        },
      },
    );
    expect(run.stderr).not.toContain("internal error");
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`pushed ${layout.digest}`);
    for (const tag of ["v1.0.0", "1.0.0", "1.0", "1", "latest"])
      expect(run.stdout).toContain(`${to}:${tag} -> 1.0.0`);
    const verify = await user.run(["image", "verify", `${to}:1.0.0`, "--max-size", "1MB"]);
    expect(verify.status).toBe(0);
  });

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

  it("release rehearse outside a repository says where to run it", async () => {
    const run = await user.run(["release", "rehearse", "v1.0.0"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("is not inside a git repository");
    expect(run.stderr).toContain("--repo-dir");
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
