/**
 * `image build` as a plain function: a checked request in, the built (and maybe pushed) image
 * out. image-build-render.ts turns the outcome into the JSON, text and step summary.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BuiltImage, buildImage, checkBuiltImage } from "../../image/builder/build-image.js";
import { Buildah } from "../../image/builder/buildah.js";
import type { DockerfileStage } from "../../image/builder/dockerfile-stages.js";
import { imageLabels } from "../../image/labels.js";
import { readLayoutContents } from "../../image/push/layout-contents.js";
import { type PushReport, pushLayout } from "../../image/push/push-layout.js";
import type { ImageReference } from "../../image/reference.js";
import { RegistryClient } from "../../image/registry-client.js";
import type { RegistryCredentials } from "../../image/registry-credentials.js";
import type { RegistryTls } from "../../image/registry-tls.js";

export interface ImageBuildRequest {
  version: string;
  platforms: string[];
  buildArgs: Record<string, string>;
  maxBytes: number;
  contextDir: string;
  dockerfile: string;
  stages: DockerfileStage[];
  /** The commit, its time and SOURCE_DATE_EPOCH: labels and timestamps of a reproducible build. */
  facts: { revision: string; created: string; epoch: number };
  source: string;
  buildah: string;
  /** buildah's storage; undefined: a temporary folder, removed. */
  storage: string | undefined;
  ociLayout?: string;
  push?: { repository: ImageReference; credentials: RegistryCredentials | undefined };
  tls: RegistryTls;
}

export interface PlatformReport {
  platform: string;
  digest: string;
  compressedBytes: number;
  uncompressedBytes: number;
  layers: number;
  buildSeconds: number;
  emulatedSteps: number;
}

export interface ImageBuildOutcome {
  /** The --json document. */
  result: {
    version: string;
    digest: string;
    revision: string;
    created: string;
    sourceDateEpoch: number;
    builderPlatform: string;
    buildSeconds: number;
    platforms: PlatformReport[];
    labels: Record<string, string>;
    tags: string[];
    pushed: Array<{ tag: string; reference: string; outcome: string; version: string }>;
    ociLayout?: string;
  };
  /** The build's wall time, unrounded. */
  seconds: number;
  /** undefined: not pushed (no --push). */
  push: PushReport | undefined;
}

function hostPlatform(): string {
  if (process.arch === "x64") return "linux/amd64";
  if (process.arch === "arm64") return "linux/arm64";
  return `linux/${process.arch}`;
}

type BuildLog = { progress: (line: string) => void; buildahLine?: (line: string) => void };

/** buildah with its storage and, for loopback registries, the registries.conf that allows plain HTTP. */
async function buildahFor(
  request: ImageBuildRequest,
  workDir: string,
  buildahLine: BuildLog["buildahLine"],
): Promise<Buildah> {
  const storage = request.storage ?? join(workDir, "storage");
  let registriesConf: string | undefined;
  if (request.tls.registriesConf !== undefined) {
    registriesConf = join(workDir, "registries.conf");
    await writeFile(registriesConf, request.tls.registriesConf);
  }
  return new Buildah({
    binary: request.buildah,
    ...(registriesConf === undefined ? {} : { registriesConf }),
    root: join(storage, "root"),
    runRoot: join(storage, "run"),
    onLine: buildahLine,
  });
}

/** Every platform built into one OCI layout, then checked: platforms, size budget and labels. */
async function buildChecked(
  request: ImageBuildRequest,
  buildah: Buildah,
  workDir: string,
  labels: Record<string, string>,
  progress: (line: string) => void,
): Promise<BuiltImage> {
  const { version, facts, platforms } = request;
  const built = await buildImage({
    buildah,
    version,
    platforms,
    builderPlatform: hostPlatform(),
    dockerfile: request.dockerfile,
    stages: request.stages,
    context: request.contextDir,
    buildArgs: {
      ...request.buildArgs,
      VERSION: version,
      REVISION: facts.revision,
      CREATED: facts.created,
      SOURCE: request.source,
    },
    sourceDateEpoch: facts.epoch,
    workDir,
    ...(request.ociLayout === undefined ? {} : { layoutDir: request.ociLayout }),
    tlsVerify: true,
    progress,
  });
  checkBuiltImage(
    built.layout,
    {
      platforms,
      maxUncompressedBytes: request.maxBytes,
      labels: {
        "org.opencontainers.image.version": labels["org.opencontainers.image.version"] ?? version,
        "org.opencontainers.image.revision": facts.revision,
        "org.opencontainers.image.created": facts.created,
      },
    },
    request.dockerfile,
  );
  return built;
}

/** The one push path: the checked OCI layout, byte for byte (same as `image push`). */
async function pushBuilt(
  request: ImageBuildRequest,
  built: BuiltImage,
  progress: (line: string) => void,
): Promise<PushReport | undefined> {
  if (request.push === undefined) return undefined;
  const { credentials, repository } = request.push;
  return await pushLayout({
    client: new RegistryClient(credentials === undefined ? {} : { credentials }),
    repository,
    contents: await readLayoutContents(built.layoutDir, request.version),
    version: request.version,
    expectedDigest: built.layout.digest,
    progress,
  });
}

function platformReports(built: BuiltImage): PlatformReport[] {
  return built.layout.platforms.map((p) => {
    const build = built.builds.find((b) => b.platform === p.platform);
    return {
      platform: p.platform,
      digest: p.digest,
      compressedBytes: p.compressedBytes,
      uncompressedBytes: p.uncompressedBytes,
      layers: p.layers.length,
      buildSeconds: Number((build?.seconds ?? 0).toFixed(2)),
      emulatedSteps: build?.emulatedSteps ?? 0,
    };
  });
}

/** The --json document: the build, its checks and every tag pushed. */
function buildResult(
  request: ImageBuildRequest,
  labels: Record<string, string>,
  built: BuiltImage,
  push: PushReport | undefined,
): ImageBuildOutcome["result"] {
  const { version, facts } = request;
  const tags = push === undefined ? [] : [...push.fixed, ...push.floating];
  return {
    version,
    digest: built.layout.digest,
    revision: facts.revision,
    created: facts.created,
    sourceDateEpoch: facts.epoch,
    builderPlatform: hostPlatform(),
    buildSeconds: Number(built.seconds.toFixed(2)),
    platforms: platformReports(built),
    labels,
    tags: tags.map((t) => t.tag),
    pushed: tags.map((t) => ({
      tag: t.tag,
      reference: t.reference,
      outcome: t.outcome,
      version: t.version,
    })),
    ...(request.ociLayout === undefined ? {} : { ociLayout: request.ociLayout }),
  };
}

export async function imageBuild(request: ImageBuildRequest, log: BuildLog): Promise<ImageBuildOutcome> {
  const { version, facts } = request;
  const labels = imageLabels({
    version,
    revision: facts.revision,
    created: facts.created,
    source: request.source,
  });
  const workDir = await mkdtemp(join(tmpdir(), "kube9-image-build-"));
  try {
    const buildah = await buildahFor(request, workDir, log.buildahLine);
    const built = await buildChecked(request, buildah, workDir, labels, log.progress);
    const push = await pushBuilt(request, built, log.progress);
    return { result: buildResult(request, labels, built, push), seconds: built.seconds, push };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
