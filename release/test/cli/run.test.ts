import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from "../../src/cli/run.js";
import { runInProcess } from "../support/in-process-cli.js";

let cwd: string;

beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), "kube9-cli-"));
});

afterEach(() => {
  rmSync(cwd, { recursive: true, force: true });
});

function run(...argv: string[]) {
  return runInProcess(argv, { cwd });
}

describe("kube9-release exit codes and output", () => {
  it.each([
    [["--help"], "chart"],
    [["chart", "--help"], "publish"],
    [["chart", "publish", "--help"], "--dry-run"],
    [["chart", "package", "--help"], "SOURCE_DATE_EPOCH"],
    [["repo", "serve", "--help"], "--port"],
    [["repo", "verify", "--help"], "--version"],
    [["repo", "reindex", "--help"], "created"],
    // Each group loads its commands only when named; `help <group>` and `<group> --help` still list them.
    [["image", "--help"], "verify"],
    [["help", "image"], "wait"],
    [["release", "--help"], "check"],
  ])("%j prints help and exits 0", async (argv, mention) => {
    const result = await run(...argv);
    expect(result.code).toBe(EXIT_OK);
    expect(result.stdout).toContain(mention);
  });

  it("prints its own version", async () => {
    const result = await run("--tool-version");
    expect(result.code).toBe(EXIT_OK);
    expect(result.stdout.trim()).toBe("9.9.9");
  });

  it.each([
    [["nonsense"]],
    [["chart", "publish"]],
    [["chart", "publish", "x", "--unknown-flag"]],
    [["repo", "verify", "--version", "1.0.0"]],
  ])("%j is bad usage: exit 2 with a message on stderr", async (argv) => {
    const result = await run(...argv);
    expect(result.code).toBe(EXIT_USAGE);
    expect(result.stderr).toMatch(/error/);
  });

  it("reports a bad option value as usage, naming the option", async () => {
    const result = await run("repo", "verify", "--url", "not a url", "--version", "1.0.0");
    expect(result.code).toBe(EXIT_USAGE);
    expect(result.stderr).toContain("--url");
  });

  it("reports an explained failure with exit 1, and as JSON on stdout with --json", async () => {
    const result = await run("chart", "package", "missing-chart", "--json");
    expect(result.code).toBe(EXIT_FAILURE);
    expect(result.stderr).toMatch(/^error: .*missing-chart/m);
    const parsed = JSON.parse(result.stdout) as { error: { code: string; file: string } };
    expect(parsed.error.code).toBe("CHART_INVALID");
    expect(parsed.error.file).toContain("missing-chart");
  });

  it("refuses a repository URL scheme it cannot publish to", async () => {
    const result = await run("chart", "publish", "chart", "--repo", "gs://bucket/prefix");
    expect(result.code).toBe(EXIT_USAGE);
    expect(result.stderr).toContain("--repo");
  });
});
