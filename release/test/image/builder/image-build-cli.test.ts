import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from "../../../src/cli/run.js";
import { runInProcess } from "../../support/in-process-cli.js";

/** The repository root: its Dockerfile is the default --file. */
const ROOT = join(import.meta.dirname, "..", "..", "..", "..");
const NO_BUILDAH = "/nonexistent/buildah";
const REVISION = "0123456789abcdef0123456789abcdef01234567";
/** Given so that no git is needed; with --buildah pointing nowhere, nothing can be built either. */
const FACTS = ["--revision", REVISION, "--created", "2026-01-01T00:00:00Z"];

function build(argv: string[], env: Record<string, string> = {}) {
  return runInProcess(["image", "build", ...argv, "--buildah", NO_BUILDAH], { env, cwd: ROOT });
}

describe("image build: usage errors exit 2 before anything runs", () => {
  const cases: Array<{ name: string; argv: string[]; env?: Record<string, string>; names: string }> = [
    {
      name: "a platform that is not linux",
      argv: ["v1.2.3", "--platform", "windows/amd64", ...FACTS],
      names: "--platform",
    },
    { name: "an empty platform list", argv: ["v1.2.3", "--platform", "", ...FACTS], names: "--platform" },
    { name: "a list of only commas", argv: ["v1.2.3", "--platform", ",,", ...FACTS], names: "--platform" },
    {
      name: "one bad platform among good ones",
      argv: ["v1.2.3", "--platform", "linux/amd64,linux/x86", ...FACTS],
      names: "--platform",
    },
    {
      name: "a build arg without =",
      argv: ["v1.2.3", "--build-arg", "NOEQUALS", ...FACTS],
      names: "--build-arg",
    },
    {
      name: "a build arg with a bad name",
      argv: ["v1.2.3", "--build-arg", "1BAD=x", ...FACTS],
      names: "--build-arg",
    },
    {
      name: "a build arg with an empty name",
      argv: ["v1.2.3", "--build-arg", "=x", ...FACTS],
      names: "--build-arg",
    },
    {
      name: "the reserved VERSION build arg",
      argv: ["v1.2.3", "--build-arg", "VERSION=1", ...FACTS],
      names: "VERSION",
    },
    {
      name: "the reserved TARGETPLATFORM build arg",
      argv: ["v1.2.3", "--build-arg", "TARGETPLATFORM=linux/arm64", ...FACTS],
      names: "TARGETPLATFORM",
    },
    {
      name: "a missing Dockerfile",
      argv: ["v1.2.3", "--file", "no/such/Dockerfile", ...FACTS],
      names: "--file",
    },
    {
      name: "an --oci-layout folder that is not empty",
      argv: ["v1.2.3", "--oci-layout", "release/test", ...FACTS],
      names: "--oci-layout",
    },
    { name: "a version that is not SemVer", argv: ["1.2", ...FACTS], names: "<version>" },
    { name: "a version with build metadata", argv: ["v1.2.3+build.1", ...FACTS], names: "<version>" },
    {
      name: "a size that is not a size",
      argv: ["v1.2.3", "--max-size", "big", ...FACTS],
      names: "--max-size",
    },
    {
      name: "a --revision that is not a full commit id",
      argv: ["v1.2.3", "--revision", "abc123", "--created", "2026-01-01T00:00:00Z"],
      names: "--revision",
    },
    {
      name: "a bad --created",
      argv: ["v1.2.3", "--revision", REVISION, "--created", "yesterday"],
      names: "--created",
    },
    {
      name: "--push with only the username",
      argv: ["v1.2.3", "--push", "localhost:5000/kube9-operator", ...FACTS],
      env: { KUBE9_REGISTRY_USERNAME: "bot" },
      names: "KUBE9_REGISTRY_PASSWORD",
    },
    {
      name: "--push with only the password",
      argv: ["v1.2.3", "--push", "ghcr.io/alto9/kube9-operator", ...FACTS],
      env: { KUBE9_REGISTRY_PASSWORD: "secret" },
      names: "KUBE9_REGISTRY_USERNAME",
    },
    {
      name: "a SOURCE_DATE_EPOCH that is not whole seconds",
      argv: ["v1.2.3", "--revision", REVISION],
      env: { SOURCE_DATE_EPOCH: "1767225600.5" },
      names: "SOURCE_DATE_EPOCH",
    },
    {
      name: "a SOURCE_DATE_EPOCH that is a date",
      argv: ["v1.2.3"],
      env: { SOURCE_DATE_EPOCH: "2026-01-01" },
      names: "SOURCE_DATE_EPOCH",
    },
  ];

  for (const { name, argv, env, names } of cases) {
    it(`refuses ${name}`, async () => {
      const result = await build(argv, env);
      expect(result.code).toBe(EXIT_USAGE);
      expect(result.stderr).toContain("error: ");
      expect(result.stderr).toContain(names);
      // Nothing ran: no progress line, no attempt to start the builder.
      expect(result.stderr).not.toContain("building ");
      expect(result.stderr).not.toContain(NO_BUILDAH);
      expect(result.stdout).toBe("");
    });
  }

  it("gives the usage error as JSON on stdout with --json", async () => {
    const result = await build(["v1.2.3", "--platform", "windows/amd64", "--json", ...FACTS]);
    expect(result.code).toBe(EXIT_USAGE);
    expect(JSON.parse(result.stdout)).toEqual({
      error: {
        code: "USAGE",
        message: '"windows/amd64" is not a platform',
        field: "--platform",
        fix: expect.stringContaining("linux/amd64,linux/arm64"),
      },
    });
  });
});

describe("image build without buildah", () => {
  it("exits 1 saying buildah cannot be run and how to install it", async () => {
    const result = await build(["v1.2.3", "--platform", "linux/arm64", ...FACTS]);
    expect(result.code).toBe(EXIT_FAILURE);
    expect(result.stderr).toContain(`cannot run ${NO_BUILDAH}`);
    expect(result.stderr).toContain("install buildah");
    expect(result.stderr).toContain("--buildah <path>");
    expect(result.stdout).toBe("");
  });

  it("gives the failure as JSON on stdout with --json", async () => {
    const result = await build(["v1.2.3", "--json", ...FACTS]);
    expect(result.code).toBe(EXIT_FAILURE);
    const { error } = JSON.parse(result.stdout) as { error: Record<string, string> };
    expect(error.code).toBe("TOOL_FAILED");
    expect(error.file).toBe(NO_BUILDAH);
    expect(error.message).toContain(`cannot run ${NO_BUILDAH}`);
    expect(error.fix).toContain("install buildah");
  });

  it("takes the commit time from SOURCE_DATE_EPOCH, then stops at buildah (no git needed)", async () => {
    const result = await build(["v1.2.3", "--revision", REVISION], { SOURCE_DATE_EPOCH: "1767225600" });
    expect(result.code).toBe(EXIT_FAILURE);
    expect(result.stderr).toContain(`cannot run ${NO_BUILDAH}`);
  });
});

describe("image build --help", () => {
  it("lists the options and where push credentials come from", async () => {
    const result = await runInProcess(["image", "build", "--help"], { cwd: ROOT });
    expect(result.code).toBe(EXIT_OK);
    for (const option of [
      "--push <repository>",
      "--platform <list>",
      "--build-arg <name=value>",
      "--max-size",
    ]) {
      expect(result.stdout).toContain(option);
    }
    expect(result.stdout).toContain("KUBE9_REGISTRY_USERNAME");
    expect(result.stdout).toContain("KUBE9_REGISTRY_PASSWORD");
  });
});
