import { describe, expect, it } from "vitest";
import { isReleaseError } from "../../../src/errors.js";
import {
  type BuildImageOptions,
  buildahBuildArgs,
  builtImageProblems,
  checkBuiltImage,
  type ImageRequirements,
} from "../../../src/image/builder/build-image.js";
import { Buildah } from "../../../src/image/builder/buildah.js";
import type { LayoutImage, LayoutPlatform } from "../../../src/image/builder/oci-layout.js";

const TAG = "localhost/kube9-build:1.2.3-linux-arm64";

function options(overrides: Partial<BuildImageOptions> = {}): BuildImageOptions {
  return {
    buildah: new Buildah({ binary: "/nonexistent/buildah", root: "/tmp/r", runRoot: "/tmp/rr" }),
    version: "1.2.3",
    platforms: ["linux/amd64", "linux/arm64"],
    builderPlatform: "linux/amd64",
    dockerfile: "/src/Dockerfile",
    stages: [],
    context: "/src",
    buildArgs: { VERSION: "1.2.3", RUNTIME_IMAGE: "mirror.example/node@sha256:abc" },
    sourceDateEpoch: 1767225600,
    workDir: "/tmp/work",
    tlsVerify: true,
    progress: () => {},
    ...overrides,
  };
}

/** The value following `flag` in `args` (every occurrence). */
function valuesOf(args: string[], flag: string): string[] {
  return args.flatMap((arg, i) => (arg === flag ? [args[i + 1] ?? "<none>"] : []));
}

describe("buildahBuildArgs", () => {
  const args = buildahBuildArgs(options(), "linux/arm64", TAG);

  it("is a build with chroot isolation, fresh base images, no identity label and a fixed timestamp", () => {
    expect(args[0]).toBe("build");
    expect(valuesOf(args, "--isolation")).toEqual(["chroot"]);
    expect(args).toContain("--pull=always");
    expect(args).toContain("--identity-label=false");
    expect(args).toContain("--timestamp=1767225600");
  });

  it("builds the one platform asked for, with BUILDPLATFORM and TARGETPLATFORM set", () => {
    expect(valuesOf(args, "--platform")).toEqual(["linux/arm64"]);
    const buildArgs = valuesOf(args, "--build-arg");
    expect(buildArgs).toContain("BUILDPLATFORM=linux/amd64");
    expect(buildArgs).toContain("TARGETPLATFORM=linux/arm64");
  });

  it("passes every build argument given, values kept as they are", () => {
    expect(valuesOf(args, "--build-arg")).toEqual([
      "BUILDPLATFORM=linux/amd64",
      "TARGETPLATFORM=linux/arm64",
      "VERSION=1.2.3",
      "RUNTIME_IMAGE=mirror.example/node@sha256:abc",
    ]);
  });

  it("ends with --file, --tag and the context", () => {
    expect(args.slice(-5)).toEqual(["--file", "/src/Dockerfile", "--tag", TAG, "/src"]);
  });

  it("verifies TLS and uses no auth file unless told otherwise", () => {
    expect(args.some((arg) => arg.startsWith("--tls-verify"))).toBe(false);
    expect(args).not.toContain("--authfile");
  });

  it("turns TLS verification off only when tlsVerify is false", () => {
    const insecure = buildahBuildArgs(options({ tlsVerify: false }), "linux/amd64", TAG);
    expect(insecure).toContain("--tls-verify=false");
    expect(insecure.slice(-5)).toEqual(["--file", "/src/Dockerfile", "--tag", TAG, "/src"]);
  });

  it("passes --authfile only when an auth file is given", () => {
    const withAuth = buildahBuildArgs(options({ authFile: "/tmp/work/auth.json" }), "linux/amd64", TAG);
    expect(valuesOf(withAuth, "--authfile")).toEqual(["/tmp/work/auth.json"]);
    expect(withAuth.slice(-5)).toEqual(["--file", "/src/Dockerfile", "--tag", TAG, "/src"]);
  });
});

const REVISION = "0123456789abcdef0123456789abcdef01234567";
const LABELS = {
  "org.opencontainers.image.version": "1.2.3",
  "org.opencontainers.image.revision": REVISION,
  "org.opencontainers.image.created": "2026-01-01T00:00:00Z",
};
const REQUIREMENTS: ImageRequirements = {
  platforms: ["linux/amd64", "linux/arm64"],
  labels: LABELS,
  maxUncompressedBytes: 200_000_000,
};

function platform(name: string, overrides: Partial<LayoutPlatform> = {}): LayoutPlatform {
  return {
    platform: name,
    digest: `sha256:${name === "linux/amd64" ? "a" : "b"}`.padEnd(71, "0"),
    compressedBytes: 50_000_000,
    uncompressedBytes: 150_000_000,
    layers: [],
    labels: { ...LABELS, "org.opencontainers.image.title": "kube9-operator" },
    ...overrides,
  };
}

function layout(platforms: LayoutPlatform[]): LayoutImage {
  return {
    digest: `sha256:${"c".repeat(64)}`,
    mediaType: "application/vnd.oci.image.index.v1+json",
    platforms,
  };
}

const GOOD = layout([platform("linux/amd64"), platform("linux/arm64")]);

describe("builtImageProblems", () => {
  it("finds nothing wrong with a good image, extra labels allowed, exactly at the budget", () => {
    const atBudget = layout([
      platform("linux/amd64", { uncompressedBytes: 200_000_000 }),
      platform("linux/arm64"),
    ]);
    expect(builtImageProblems(GOOD, REQUIREMENTS)).toEqual([]);
    expect(builtImageProblems(atBudget, REQUIREMENTS)).toEqual([]);
  });

  it("reports a platform that is missing", () => {
    expect(builtImageProblems(layout([platform("linux/amd64")]), REQUIREMENTS)).toEqual([
      "the index has no linux/arm64 image",
    ]);
  });

  it("reports a platform that was not asked for, such as an attestation's unknown/unknown", () => {
    const extra = layout([
      platform("linux/amd64"),
      platform("linux/arm64"),
      platform("unknown/unknown", { labels: LABELS }),
    ]);
    expect(builtImageProblems(extra, REQUIREMENTS)).toEqual([
      "the index lists unknown/unknown, which was not asked for",
    ]);
  });

  it("reports a label that is missing or has another value, per platform", () => {
    const { "org.opencontainers.image.revision": _dropped, ...withoutRevision } = LABELS;
    const problems = builtImageProblems(
      layout([
        platform("linux/amd64", { labels: withoutRevision }),
        platform("linux/arm64", { labels: { ...LABELS, "org.opencontainers.image.version": "" } }),
      ]),
      REQUIREMENTS,
    );
    expect(problems).toEqual([
      `linux/amd64: label org.opencontainers.image.revision is missing, expected "${REVISION}"`,
      'linux/arm64: label org.opencontainers.image.version is "", expected "1.2.3"',
    ]);
  });

  it("reports a platform over the size budget", () => {
    const big = layout([
      platform("linux/amd64"),
      platform("linux/arm64", { uncompressedBytes: 200_000_001 }),
    ]);
    expect(builtImageProblems(big, REQUIREMENTS)).toEqual([
      "linux/arm64: 200000001 bytes uncompressed, over the budget of 200000000",
    ]);
  });
});

describe("checkBuiltImage", () => {
  it("accepts a good image", () => {
    expect(() => checkBuiltImage(GOOD, REQUIREMENTS, "/src/Dockerfile")).not.toThrow();
  });

  it("throws IMAGE_BUILD_FAILED naming the Dockerfile and listing every problem", () => {
    const bad = layout([
      platform("linux/amd64", { labels: {}, uncompressedBytes: 300_000_000 }),
      platform("unknown/unknown"),
    ]);
    let thrown: unknown;
    try {
      checkBuiltImage(bad, REQUIREMENTS, "/src/Dockerfile");
    } catch (error) {
      thrown = error;
    }
    expect(isReleaseError(thrown, "IMAGE_BUILD_FAILED")).toBe(true);
    const error = thrown as Error & { file?: string };
    expect(error.file).toBe("/src/Dockerfile");
    expect(error.message).toContain("nothing was pushed");
    const listed = error.message.split("\n  - ").slice(1);
    expect(listed).toEqual(builtImageProblems(bad, REQUIREMENTS));
    expect(listed).toHaveLength(6);
    expect(listed).toContain("the index has no linux/arm64 image");
    expect(listed).toContain("the index lists unknown/unknown, which was not asked for");
    expect(listed).toContain("linux/amd64: 300000000 bytes uncompressed, over the budget of 200000000");
  });
});
