import { mkdir, realpath, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyFromRequestTarget, resolveUnderRoot } from "../../src/serve/safe-path.js";
import { makeTempRepo, type TempRepo } from "./support.js";

describe("keyFromRequestTarget", () => {
  it.each([
    ["/", ""],
    ["/index.yaml", "index.yaml"],
    ["/index.yaml?ts=1", "index.yaml"],
    ["/index.yaml#frag", "index.yaml"],
    ["/kube9-operator-1.0.0.tgz", "kube9-operator-1.0.0.tgz"],
    ["/charts/kube9-operator-1.0.0.tgz", "charts/kube9-operator-1.0.0.tgz"],
    ["/kube9-operator-1.0.0%2Bbuild.tgz", "kube9-operator-1.0.0+build.tgz"],
    ["/with%20space.tgz", "with space.tgz"],
    ["/a..b.tgz", "a..b.tgz"],
    ["/?x=/../..", ""],
  ])("accepts %j as key %j", (target, key) => {
    expect(keyFromRequestTarget(target)).toEqual({ ok: true, key });
  });

  it.each([
    ["", 400],
    ["*", 400],
    ["index.yaml", 400],
    ["http://127.0.0.1/index.yaml", 400],
    ["/../etc/passwd", 400],
    ["/..", 400],
    ["/.", 400],
    ["/./index.yaml", 400],
    ["/a/../../x", 400],
    ["/a/..", 400],
    ["/%2e%2e/x", 400],
    ["/%2E%2E/x", 400],
    ["/.%2e/x", 400],
    ["/..%2fx", 400],
    ["/..%2Fx", 400],
    ["/a%2fb", 400],
    ["/..%5cx", 400],
    ["/..\\x", 400],
    ["/a\\b", 400],
    ["/index.yaml%00", 400],
    ["/%00", 400],
    ["/x%0d%0aGET", 400],
    ["/%1b[31m", 400],
    ["/a%7f", 400],
    ["//etc/passwd", 400],
    ["/a//b", 400],
    ["/%", 400],
    ["/%zz", 400],
    ["/%c0%ae%c0%ae/x", 400],
    ["/.index.yaml.tmp-1234", 404],
    ["/.lock", 404],
    ["/...", 404],
    ["/%2eindex.yaml.tmp-1", 404],
    ["/charts/.hidden", 404],
    ["/.git/config", 404],
    ["/charts/", 404],
  ])("refuses %j with %i", (target, status) => {
    const decision = keyFromRequestTarget(target);
    expect(decision.ok).toBe(false);
    if (!decision.ok) expect(decision.status).toBe(status);
  });
});

describe("resolveUnderRoot", () => {
  let repo: TempRepo;
  let rootReal: string;

  beforeAll(async () => {
    repo = await makeTempRepo();
    rootReal = await realpath(repo.root);
    await writeFile(path.join(repo.outer, "secret.txt"), "outside\n");
    await mkdir(path.join(repo.root, "charts"));
    await writeFile(path.join(repo.root, "charts", "a.tgz"), "a");
    await writeFile(path.join(repo.root, ".lock"), "");
    await symlink(path.join(repo.outer, "secret.txt"), path.join(repo.root, "out.tgz"));
    await symlink("../secret.txt", path.join(repo.root, "out-relative.tgz"));
    await symlink(repo.outer, path.join(repo.root, "outdir"));
    await symlink("kube9-operator-1.0.0.tgz", path.join(repo.root, "latest.tgz"));
    await symlink(".lock", path.join(repo.root, "lock.tgz"));
    await symlink("charts", path.join(repo.root, "charts-link"));
  });

  afterAll(async () => {
    await repo.remove();
  });

  it.each([
    ["index.yaml", "index.yaml"],
    ["charts/a.tgz", "charts/a.tgz"],
    ["latest.tgz", "kube9-operator-1.0.0.tgz"],
    ["charts-link/a.tgz", "charts/a.tgz"],
    // A link that leaves the root and comes back in names a file under the root: served.
    ["outdir/repo/index.yaml", "index.yaml"],
  ])("resolves %j inside the root", async (key, relative) => {
    expect(await resolveUnderRoot(rootReal, key)).toBe(path.join(rootReal, relative));
  });

  it.each([
    ["missing.tgz"],
    ["index.yaml/x"],
    ["out.tgz"],
    ["out-relative.tgz"],
    ["outdir/secret.txt"],
    ["lock.tgz"],
    [""],
  ])("reports %j as absent", async (key) => {
    expect(await resolveUnderRoot(rootReal, key)).toBeUndefined();
  });

  it("reports a name too long for the file system as absent, not as a failure", async () => {
    expect(await resolveUnderRoot(rootReal, `${"x".repeat(300)}.tgz`)).toBeUndefined();
  });
});
