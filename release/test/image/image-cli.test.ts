import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EXIT_OK, EXIT_USAGE } from "../../src/cli/run.js";
import { runInProcess } from "../support/in-process-cli.js";

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "kube9-image-cli-"));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function run(env: Record<string, string>, ...argv: string[]) {
  return runInProcess(argv, { env, cwd: join(import.meta.dirname, "..", "..", "..") });
}

describe("image tags / image labels / release check on the command line", () => {
  it("prints tags as lines and writes GitHub outputs", async () => {
    const output = join(dir, "github-output");
    const result = await run(
      { GITHUB_OUTPUT: output },
      "image",
      "tags",
      "v1.2.3",
      "--existing",
      "v1.0.0",
      "--github-output",
    );
    expect(result.code).toBe(EXIT_OK);
    expect(result.stdout).toBe("v1.2.3\n1.2.3\n1.2\n1\nlatest\n");
    const written = readFileSync(output, "utf8");
    expect(written).toContain("tags=v1.2.3,1.2.3,1.2,1,latest\n");
    expect(written).toMatch(/^tag-lines<<(ghadelimiter_[0-9a-f]+)\nv1\.2\.3\n1\.2\.3\n1\.2\n1\nlatest\n\1$/m);
    expect(written).toContain("prerelease=false\n");
  });

  it("writes labels and the matching Dockerfile build-args as GitHub outputs", async () => {
    const output = join(dir, "github-output");
    const result = await run(
      { GITHUB_OUTPUT: output },
      "image",
      "labels",
      "v1.2.3",
      "--revision",
      "0123456789abcdef0123456789abcdef01234567",
      "--created",
      "2026-03-04T05:06:07+01:00",
      "--source",
      "https://github.com/alto9/kube9-operator",
      "--github-output",
    );
    expect(result.code).toBe(EXIT_OK);
    const written = readFileSync(output, "utf8");
    const buildArgs = /^build-args<<(ghadelimiter_[0-9a-f]+)\n([\s\S]*?)\n\1$/m.exec(written)?.[2];
    expect(buildArgs?.split("\n")).toEqual([
      "VERSION=1.2.3",
      "REVISION=0123456789abcdef0123456789abcdef01234567",
      "CREATED=2026-03-04T04:06:07Z",
      "SOURCE=https://github.com/alto9/kube9-operator",
    ]);
    expect(written).toContain("org.opencontainers.image.version=1.2.3");
  });

  it("gives --json and accepts --existing alone as 'no tags yet'", async () => {
    const result = await run({}, "image", "tags", "v0.2.0", "--existing", "--json");
    expect(result.code).toBe(EXIT_OK);
    expect(JSON.parse(result.stdout)).toMatchObject({
      tags: ["v0.2.0", "0.2.0", "0.2", "latest"],
      prerelease: false,
    });
  });

  it("exits 2 on build metadata, with --json error", async () => {
    const result = await run({}, "image", "tags", "v1.2.3+x", "--existing", "--json");
    expect(result.code).toBe(EXIT_USAGE);
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: "USAGE", field: "<version>" } });
  });

  it("exits 2 on --github-output outside GitHub Actions", async () => {
    const result = await run({}, "image", "tags", "v1.2.3", "--existing", "--github-output");
    expect(result.code).toBe(EXIT_USAGE);
    expect(result.stderr).toContain("GITHUB_OUTPUT");
  });

  it("prints labels as key=value lines, created normalized to UTC", async () => {
    const args = [
      "--revision",
      "0123456789abcdef0123456789abcdef01234567",
      "--source",
      "https://github.com/alto9/kube9-operator",
    ];
    const result = await run(
      {},
      "image",
      "labels",
      "v1.2.3",
      "--created",
      "2026-05-01T14:00:00+02:00",
      ...args,
    );
    expect(result.code).toBe(EXIT_OK);
    const lines = result.stdout.trim().split("\n");
    expect(lines).toHaveLength(8);
    expect(lines).toContain("org.opencontainers.image.created=2026-05-01T12:00:00Z");
    expect(lines).toContain("org.opencontainers.image.version=1.2.3");
    const bad = await run({}, "image", "labels", "v1.2.3", "--created", "2026-05-01 12:00", ...args);
    expect(bad.code).toBe(EXIT_USAGE);
  });

  it("release check: exit 0 for any release tag on the repository's chart, 2 for a tag that is not one", async () => {
    const ok = await run({}, "release", "check", "v99.0.0", "--json");
    expect(ok.code).toBe(EXIT_OK);
    expect(JSON.parse(ok.stdout)).toMatchObject({
      chartVersion: "99.0.0",
      appVersion: "99.0.0",
      defaultImageTag: "99.0.0",
    });
    const bad = await run({}, "release", "check", "99.0.0", "--json");
    expect(bad.code).toBe(EXIT_USAGE);
    expect(JSON.parse(bad.stdout)).toMatchObject({ error: { code: "USAGE", field: "<tag>" } });
  });
});
