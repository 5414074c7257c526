import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runInProcess } from "../support/in-process-cli.js";

const dir = mkdtempSync(join(tmpdir(), "github-output-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Each would otherwise fail later, with exit 1, on what it reads first (a layout folder or chart that
// does not exist, a registry nobody listens on): --github-output is refused before any of that.
describe("--github-output without GITHUB_OUTPUT is refused before the command does anything", () => {
  it.each([
    ["image push", ["image", "push", "no-layout", "1.2.3", "--to", "127.0.0.1:9/kube9"]],
    ["image tags", ["image", "tags", "1.2.3", "--image", "127.0.0.1:9/kube9"]],
    ["image scan", ["image", "scan", "no-layout"]],
    ["release check", ["release", "check", "v1.2.3", "--chart", "no-chart"]],
  ])("%s", async (_name, argv) => {
    const run = await runInProcess([...argv, "--github-output"], { cwd: dir, env: {} });
    expect(run.stderr).toContain("--github-output needs the GITHUB_OUTPUT environment variable");
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
  });
});
