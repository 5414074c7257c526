/**
 * How `image scan` treats a Trivy that misbehaves, with a stand-in program in its place: one that
 * is not Trivy, one that fails, one that reports another image than the one it was given. (The
 * real Trivy runs in test/e2e/image-scan.test.ts.)
 */
import { chmodSync, existsSync, rmSync, writeFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { debian12Root, writeOciLayout } from "../../../../test/support/oci-layout.js";
import { EXIT_FAILURE } from "../../../src/cli/run.js";
import { runInProcess } from "../../support/in-process-cli.js";

let dir: string;

/** A stand-in for trivy: `version` prints `versionOutput`; `image` runs `scan` (Node.js code). */
function standIn(name: string, versionOutput: string, scan: string): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    `#!${process.execPath}
const args = process.argv.slice(2);
if (args[0] === "version") { process.stdout.write(${JSON.stringify(versionOutput)}); process.exit(0); }
if (args[0] === "image") { const output = args[args.indexOf("--output") + 1]; ${scan} }
process.exit(0);
`,
  );
  chmodSync(path, 0o755);
  return path;
}

const TRIVY_VERSION = JSON.stringify({ Version: "0.74.0" });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "trivy-runner-"));
  await writeOciLayout(join(dir, "layout"), "1.2.3", [
    { platform: "linux/amd64", files: debian12Root("amd64", "2.36-9") },
  ]);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function scan(trivy: string) {
  return runInProcess(["image", "scan", "layout", "--trivy", trivy, "--sarif-dir", "sarif"], {
    cwd: dir,
    env: {},
  });
}

describe("image scan with a Trivy that misbehaves", () => {
  it("a program that is not Trivy", async () => {
    const run = await scan(standIn("not-trivy", "usage: something else\n", ""));
    expect(run.code).toBe(EXIT_FAILURE);
    expect(run.stderr).toContain("is not Trivy");
    expect(run.stderr).toContain("usage: something else");
  });

  it("a scan that fails reports Trivy's last lines", async () => {
    const run = await scan(
      standIn(
        "failing",
        TRIVY_VERSION,
        `process.stderr.write("FATAL\\tscan error: disk full\\n"); process.exit(1);`,
      ),
    );
    expect(run.code).toBe(EXIT_FAILURE);
    expect(run.stderr).toContain("trivy scan of linux/amd64 failed (trivy exit status 1)");
    expect(run.stderr).toContain("scan error: disk full");
    expect(run.stdout).toBe("");
    expect(existsSync(join(dir, "sarif"))).toBe(false);
  });

  it("a report of another image than the one given is refused", async () => {
    const other = `sha256:${"0".repeat(64)}`;
    const report = JSON.stringify({ SchemaVersion: 2, Metadata: { ImageID: other }, Results: [] });
    const run = await scan(
      standIn(
        "other-image",
        TRIVY_VERSION,
        `require("node:fs").writeFileSync(output, ${JSON.stringify(report)});`,
      ),
    );
    expect(run.code).toBe(EXIT_FAILURE);
    expect(run.stderr).toContain(`trivy reports image ${other} for linux/amd64, whose config is sha256:`);
    expect(existsSync(join(dir, "sarif"))).toBe(false);
  });
});
