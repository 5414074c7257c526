import { existsSync, rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { debian12Root, writeOciLayout } from "../../../../test/support/oci-layout.js";
import { EXIT_FAILURE, EXIT_USAGE } from "../../../src/cli/run.js";
import { runInProcess } from "../../support/in-process-cli.js";

let dir: string;
let layoutDir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "image-scan-cli-"));
  layoutDir = join(dir, "layout");
  await writeOciLayout(layoutDir, "1.2.3", [
    { platform: "linux/amd64", files: debian12Root("amd64", "2.36-9") },
    { platform: "linux/arm64", files: debian12Root("arm64", "2.36-9") },
  ]);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function scan(argv: string[]) {
  return runInProcess(["image", "scan", ...argv], { cwd: dir, env: {} });
}

describe("image scan: usage errors exit 2 before Trivy runs", () => {
  const cases = [
    { argv: ["--fail-on", "SEVERE"], names: "--fail-on" },
    { argv: ["--scanners", "vuln,misconfig"], names: "--scanners" },
    { argv: ["--scanners", ","], names: "--scanners" },
    { argv: ["--platform", "amd64"], names: "--platform" },
    { argv: ["--platform", "linux/s390x"], names: "--platform" },
  ];
  for (const { argv, names } of cases) {
    it(`${argv.join(" ")}`, async () => {
      const run = await scan(["layout", ...argv, "--trivy", "/nonexistent/trivy"]);
      expect(run.code).toBe(EXIT_USAGE);
      expect(run.stderr).toContain(names);
      expect(run.stdout).toBe("");
    });
  }
});

describe("image scan: failures it explains exit 1", () => {
  it("a missing trivy names the binary and how to install the pinned one", async () => {
    const run = await scan(["layout", "--trivy", "/nonexistent/trivy", "--sarif-dir", "sarif"]);
    expect(run.code).toBe(EXIT_FAILURE);
    expect(run.stderr).toContain("cannot run /nonexistent/trivy");
    expect(run.stderr).toContain("npm run tools -- trivy");
    expect(run.stderr).not.toContain("internal error");
    expect(existsSync(join(dir, "sarif"))).toBe(false);
  });

  it("a folder that is not a layout names the folder, as JSON with --json", async () => {
    const run = await scan(["nowhere", "--trivy", "/nonexistent/trivy", "--json"]);
    expect(run.code).toBe(EXIT_FAILURE);
    const error = JSON.parse(run.stdout).error;
    expect(error.code).toBe("IMAGE_INVALID");
    expect(error.file).toBe(join(dir, "nowhere"));
    expect(error.message).toContain("index.json");
    expect(error.fix).toContain("--oci-layout");
  });
});
