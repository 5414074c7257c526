/**
 * Builds the operator image for several platforms with buildah and exports the multi-platform
 * index to an OCI layout, where it is measured and checked before anything is pushed:
 *  - each platform is its own `buildah build --platform`, so its time and the RUN steps that ran
 *    under emulation are known per platform;
 *  - `--pull=always`, because buildah 1.28 otherwise takes a stored image of the same name but
 *    another architecture as the base of the next platform;
 *  - `--timestamp` (SOURCE_DATE_EPOCH) and no identity label, so that the same commit gives the
 *    same digests with any buildah version that writes layers the same way.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { ReleaseError } from "../../errors.js";
import type { Buildah } from "./buildah.js";
import { type DockerfileStage, emulatedSteps } from "./dockerfile-stages.js";
import { type LayoutImage, readOciLayout } from "./oci-layout.js";

export interface BuildImageOptions {
  buildah: Buildah;
  /** Release version without a leading v: the VERSION build argument and the layout tag. */
  version: string;
  platforms: string[];
  /** The platform of this machine, where the $BUILDPLATFORM stages run natively. */
  builderPlatform: string;
  dockerfile: string;
  stages: DockerfileStage[];
  context: string;
  /** VERSION, REVISION, CREATED, SOURCE and the user's --build-arg values. */
  buildArgs: Record<string, string>;
  sourceDateEpoch: number;
  /** Scratch space of this build. */
  workDir: string;
  /** Where the OCI layout of the result is written (default: in workDir). */
  layoutDir?: string;
  tlsVerify: boolean;
  authFile?: string;
  progress: (line: string) => void;
}

export interface PlatformBuild {
  platform: string;
  seconds: number;
  emulatedSteps: number;
}

export interface BuiltImage {
  /** The manifest list in buildah's storage, for pushing. */
  list: string;
  layoutDir: string;
  layout: LayoutImage;
  builds: PlatformBuild[];
  seconds: number;
}

/** `linux/arm64` -> a tag-safe suffix (`linux-arm64`). */
function platformSuffix(platform: string): string {
  return platform.replaceAll("/", "-");
}

export function buildahBuildArgs(options: BuildImageOptions, platform: string, tag: string): string[] {
  const args = [
    "build",
    "--isolation",
    "chroot",
    "--pull=always",
    "--identity-label=false",
    `--timestamp=${options.sourceDateEpoch}`,
    "--platform",
    platform,
    "--build-arg",
    `BUILDPLATFORM=${options.builderPlatform}`,
    "--build-arg",
    `TARGETPLATFORM=${platform}`,
  ];
  for (const [key, value] of Object.entries(options.buildArgs)) args.push("--build-arg", `${key}=${value}`);
  if (!options.tlsVerify) args.push("--tls-verify=false");
  if (options.authFile !== undefined) args.push("--authfile", options.authFile);
  args.push("--file", options.dockerfile, "--tag", tag, options.context);
  return args;
}

export async function buildImage(options: BuildImageOptions): Promise<BuiltImage> {
  const started = performance.now();
  const { buildah } = options;
  const list = `localhost/kube9-build-list:${options.version}`;
  const builds: PlatformBuild[] = [];
  const images: string[] = [];
  for (const platform of options.platforms) {
    const tag = `localhost/kube9-build:${options.version}-${platformSuffix(platform)}`;
    options.progress(`building ${platform} (builder: ${options.builderPlatform})`);
    const t0 = performance.now();
    const { log } = await buildah.run(buildahBuildArgs(options, platform, tag), `the ${platform} build`);
    const seconds = (performance.now() - t0) / 1000;
    const emulated = emulatedSteps(options.stages, log, platform, options.builderPlatform);
    builds.push({ platform, seconds, emulatedSteps: emulated });
    images.push(tag);
    options.progress(`built ${platform} in ${seconds.toFixed(1)} s, ${emulated} step(s) under emulation`);
  }
  // A kept storage (--storage) still holds the list of an earlier build of this version.
  await buildah.run(["manifest", "rm", list], "removing an earlier list").catch(() => undefined);
  await buildah.run(["manifest", "create", list], "creating the manifest list");
  for (const image of images) {
    await buildah.run(
      ["manifest", "add", list, `containers-storage:${image}`],
      `adding ${image} to the list`,
    );
  }
  const layoutDir = options.layoutDir ?? join(options.workDir, "oci-layout");
  await mkdir(layoutDir, { recursive: true });
  await buildah.run(
    ["manifest", "push", "--all", "--format", "oci", "--quiet", list, `oci:${layoutDir}:${options.version}`],
    "exporting the image to an OCI layout",
  );
  const layout = await readOciLayout(layoutDir, options.version);
  return { list, layoutDir, layout, builds, seconds: (performance.now() - started) / 1000 };
}

export interface ImageRequirements {
  platforms: string[];
  labels: Record<string, string>;
  /** Budget per platform, uncompressed bytes. */
  maxUncompressedBytes: number;
}

/** Everything wrong with a built image, so that one run names it all. */
export function builtImageProblems(layout: LayoutImage, expect: ImageRequirements): string[] {
  const problems: string[] = [];
  const found = layout.platforms.map((p) => p.platform);
  for (const platform of expect.platforms) {
    if (!found.includes(platform)) problems.push(`the index has no ${platform} image`);
  }
  for (const platform of found) {
    if (!expect.platforms.includes(platform))
      problems.push(`the index lists ${platform}, which was not asked for`);
  }
  for (const image of layout.platforms) {
    for (const [key, value] of Object.entries(expect.labels)) {
      const actual = image.labels[key];
      if (actual !== value) {
        problems.push(
          `${image.platform}: label ${key} is ${actual === undefined ? "missing" : JSON.stringify(actual)}, expected ${JSON.stringify(value)}`,
        );
      }
    }
    if (image.uncompressedBytes > expect.maxUncompressedBytes) {
      problems.push(
        `${image.platform}: ${image.uncompressedBytes} bytes uncompressed, over the budget of ${expect.maxUncompressedBytes}`,
      );
    }
  }
  return problems;
}

export function checkBuiltImage(layout: LayoutImage, expect: ImageRequirements, dockerfile: string): void {
  const problems = builtImageProblems(layout, expect);
  if (problems.length > 0) {
    throw new ReleaseError(
      "IMAGE_BUILD_FAILED",
      `the built image is not a release image; nothing was pushed:\n  - ${problems.join("\n  - ")}`,
      {
        file: dockerfile,
        fix: "keep the OCI labels fed from the VERSION/REVISION/CREATED build arguments and the final stage small",
      },
    );
  }
}
