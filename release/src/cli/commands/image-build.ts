import { existsSync, readdirSync, readFileSync } from "node:fs";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { ReleaseError } from "../../errors.js";
import { buildImage, checkBuiltImage } from "../../image/build/build-image.js";
import { Buildah } from "../../image/build/buildah.js";
import { parseDockerfileStages } from "../../image/build/dockerfile-stages.js";
import { pushImage } from "../../image/build/push-image.js";
import { checkRfc3339, imageLabels } from "../../image/labels.js";
import { parseImageReference } from "../../image/reference.js";
import { RegistryClient } from "../../image/registry-client.js";
import { parseReleaseVersion } from "../../image/release-version.js";
import { computeTagSet } from "../../image/tag-set.js";
import { formatSize, parseSize } from "../../image/units.js";
import type { CliContext } from "../context.js";
import { runGit } from "../git.js";
import { commandOutput } from "../output.js";

interface BuildFlags {
  push?: string;
  platform: string;
  file: string;
  context: string;
  buildArg: string[];
  revision?: string;
  created?: string;
  source: string;
  maxSize: string;
  buildah: string;
  storage?: string;
  ociLayout?: string;
  json?: boolean;
}

const PLATFORM = /^linux\/(amd64|arm64|arm\/v7|ppc64le|s390x|riscv64)$/;
/** Where credentials for --push come from (GitHub: github.actor and GITHUB_TOKEN). */
const USERNAME_ENV = "KUBE9_REGISTRY_USERNAME";
const PASSWORD_ENV = "KUBE9_REGISTRY_PASSWORD";

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function hostPlatform(): string {
  if (process.arch === "x64") return "linux/amd64";
  if (process.arch === "arm64") return "linux/arm64";
  return `linux/${process.arch}`;
}

function parsePlatforms(text: string): string[] {
  const platforms = text
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
  const bad = platforms.find((p) => !PLATFORM.test(p));
  if (platforms.length === 0 || bad !== undefined) {
    throw new ReleaseError("USAGE", `${JSON.stringify(bad ?? text)} is not a platform`, {
      field: "--platform",
      fix: "write a comma-separated list such as linux/amd64,linux/arm64",
    });
  }
  return [...new Set(platforms)];
}

function parseBuildArgs(pairs: string[]): Record<string, string> {
  const args: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(pair.slice(0, eq))) {
      throw new ReleaseError("USAGE", `${JSON.stringify(pair)} is not NAME=value`, {
        field: "--build-arg",
        fix: "e.g. --build-arg RUNTIME_IMAGE=registry.example/node@sha256:...",
      });
    }
    const name = pair.slice(0, eq);
    if (["VERSION", "REVISION", "CREATED", "BUILDPLATFORM", "TARGETPLATFORM"].includes(name)) {
      throw new ReleaseError("USAGE", `--build-arg ${name} is set by image build itself`, {
        field: "--build-arg",
        fix: "use the <version> argument, --revision or --created (BUILDPLATFORM/TARGETPLATFORM follow --platform)",
      });
    }
    args[name] = pair.slice(eq + 1);
  }
  return args;
}

/** The commit and its time, unless given: the labels and timestamps of a reproducible build. */
async function commitFacts(
  flags: BuildFlags,
  context: CliContext,
  contextDir: string,
): Promise<{ revision: string; created: string; epoch: number }> {
  let revision = flags.revision;
  let created = flags.created;
  const epochText = context.env.SOURCE_DATE_EPOCH?.trim();
  if (created === undefined && epochText !== undefined && epochText !== "") {
    if (!/^\d+$/.test(epochText)) {
      throw new ReleaseError("USAGE", `SOURCE_DATE_EPOCH=${JSON.stringify(epochText)} is not whole seconds`, {
        field: "SOURCE_DATE_EPOCH",
        fix: "set it to the commit time in seconds: git log -1 --format=%ct",
      });
    }
    created = new Date(Number(epochText) * 1000).toISOString();
  }
  if (revision === undefined || created === undefined) {
    const git = await runGit(["log", "-1", "--format=%H %cI"], contextDir);
    const [sha, time] = git.stdout.trim().split(" ");
    if (!git.ok || sha === undefined || time === undefined) {
      throw new ReleaseError("USAGE", `cannot read the commit of ${contextDir} with git`, {
        field: "--revision",
        fix: "run inside a git checkout, or pass --revision <sha> and --created <time>",
      });
    }
    revision ??= sha;
    created ??= time;
  }
  const canonical = new Date(checkRfc3339(created, "--created")).toISOString().replace(/\.\d{3}Z$/, "Z");
  return { revision, created: canonical, epoch: Math.floor(Date.parse(canonical) / 1000) };
}

function loopbackHost(image: string): boolean {
  const host = image.split("/")[0] ?? "";
  return /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(host);
}

export function registerImageBuild(image: Command, context: CliContext): void {
  image
    .command("build")
    .description(
      "build the Dockerfile with buildah for every platform (no Docker engine), check and measure the result, and push it under the release tags",
    )
    .argument("<version>", "release tag or version, e.g. v1.2.3")
    .option("--push <repository>", "push to this repository (host/name), e.g. ghcr.io/alto9/kube9-operator")
    .option("--platform <list>", "comma-separated target platforms", "linux/amd64,linux/arm64")
    .option("--file <path>", "the Dockerfile", "Dockerfile")
    .option("--context <dir>", "the build context", ".")
    .option("--build-arg <name=value>", "a build argument, e.g. RUNTIME_IMAGE=... (repeatable)", collect, [])
    .option("--revision <sha>", "commit of the build (default: git HEAD of the context)")
    .option(
      "--created <time>",
      "commit time, RFC 3339 (default: SOURCE_DATE_EPOCH, else the commit time of HEAD)",
    )
    .option("--source <url>", "source repository URL", "https://github.com/alto9/kube9-operator")
    .option("--max-size <size>", "budget per platform, uncompressed (1 MB = 10^6 bytes)", "200MB")
    .option("--buildah <path>", "the buildah binary", "buildah")
    .option("--storage <dir>", "keep buildah's storage here (default: a temporary folder, removed)")
    .option(
      "--oci-layout <dir>",
      "also keep the built image as an OCI image layout in this new folder (e.g. for `image scan DIR`)",
    )
    .option("--json", "print the result as JSON")
    .addHelpText(
      "after",
      `
Registry credentials for --push come from ${USERNAME_ENV} and ${PASSWORD_ENV}.
Registries on loopback (localhost, 127.0.0.1) are spoken to over plain HTTP.`,
    )
    .action(async (versionText: string, flags: BuildFlags) => {
      const output = commandOutput(context, flags);
      const version = parseReleaseVersion(versionText).version;
      const platforms = parsePlatforms(flags.platform);
      const buildArgs = parseBuildArgs(flags.buildArg);
      const maxBytes = parseSize(flags.maxSize, "--max-size");
      const contextDir = resolve(context.cwd, flags.context);
      const dockerfile = resolve(context.cwd, flags.file);
      if (!existsSync(dockerfile)) {
        throw new ReleaseError("USAGE", `no Dockerfile at ${dockerfile}`, {
          file: dockerfile,
          field: "--file",
          fix: "pass --file <path> (relative to the current directory)",
        });
      }
      const ociLayout = flags.ociLayout === undefined ? undefined : resolve(context.cwd, flags.ociLayout);
      if (ociLayout !== undefined && existsSync(ociLayout) && readdirSync(ociLayout).length > 0) {
        throw new ReleaseError("USAGE", `${ociLayout} is not empty`, {
          file: ociLayout,
          field: "--oci-layout",
          fix: "give a new or empty folder: the layout of another build is never overwritten",
        });
      }
      const stages = parseDockerfileStages(readFileSync(dockerfile, "utf8"), dockerfile);
      const repository =
        flags.push === undefined ? undefined : parseImageReference(flags.push, "--push", "latest");
      const username = context.env[USERNAME_ENV];
      const password = context.env[PASSWORD_ENV];
      if (repository !== undefined && (username === undefined) !== (password === undefined)) {
        throw new ReleaseError("USAGE", `set both ${USERNAME_ENV} and ${PASSWORD_ENV}, or neither`, {
          field: USERNAME_ENV,
        });
      }
      const facts = await commitFacts(flags, context, contextDir);
      const labels = imageLabels({
        version,
        revision: facts.revision,
        created: facts.created,
        source: flags.source,
      });
      const images = [...Object.values(buildArgs), flags.push ?? ""];
      const tlsVerify = !images.some(loopbackHost);

      const workDir = await mkdtemp(join(tmpdir(), "kube9-image-build-"));
      const storage =
        flags.storage === undefined ? join(workDir, "storage") : resolve(context.cwd, flags.storage);
      try {
        let authFile: string | undefined;
        if (repository !== undefined && username !== undefined && password !== undefined) {
          authFile = join(workDir, "auth.json");
          const auth = Buffer.from(`${username}:${password}`).toString("base64");
          await writeFile(authFile, JSON.stringify({ auths: { [repository.registry]: { auth } } }), {
            mode: 0o600,
          });
          await chmod(authFile, 0o600);
        }
        const buildah = new Buildah({
          binary: flags.buildah,
          root: join(storage, "root"),
          runRoot: join(storage, "run"),
          onLine: flags.json === true ? undefined : (line) => context.stderr(`  ${line}\n`),
        });
        const built = await buildImage({
          buildah,
          version,
          platforms,
          builderPlatform: hostPlatform(),
          dockerfile,
          stages,
          context: contextDir,
          buildArgs: {
            ...buildArgs,
            VERSION: version,
            REVISION: facts.revision,
            CREATED: facts.created,
            SOURCE: flags.source,
          },
          sourceDateEpoch: facts.epoch,
          workDir,
          ...(ociLayout === undefined ? {} : { layoutDir: ociLayout }),
          tlsVerify,
          ...(authFile === undefined ? {} : { authFile }),
          progress: output.progress,
        });
        checkBuiltImage(
          built.layout,
          {
            platforms,
            maxUncompressedBytes: maxBytes,
            labels: {
              "org.opencontainers.image.version": labels["org.opencontainers.image.version"] ?? version,
              "org.opencontainers.image.revision": facts.revision,
              "org.opencontainers.image.created": facts.created,
            },
          },
          dockerfile,
        );
        let pushed: Awaited<ReturnType<typeof pushImage>> = [];
        let tags: string[] = [];
        if (repository !== undefined) {
          const client = new RegistryClient(
            username !== undefined && password !== undefined ? { credentials: { username, password } } : {},
          );
          output.progress(`reading the tags of ${repository.registry}/${repository.name}`);
          const set = computeTagSet(version, (await client.listTags(repository)) ?? []);
          tags = set.tags;
          const fixed = [`v${set.version}`, set.version];
          pushed = await pushImage({
            buildah,
            client,
            list: built.list,
            repository,
            digest: built.layout.digest,
            fixedTags: fixed,
            floatingTags: set.tags.filter((tag) => !fixed.includes(tag)),
            tlsVerify,
            ...(authFile === undefined ? {} : { authFile }),
            workDir,
            progress: output.progress,
          });
        }
        const platformsReport = built.layout.platforms.map((p) => {
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
        const result = {
          version,
          digest: built.layout.digest,
          revision: facts.revision,
          created: facts.created,
          sourceDateEpoch: facts.epoch,
          builderPlatform: hostPlatform(),
          buildSeconds: Number(built.seconds.toFixed(2)),
          platforms: platformsReport,
          labels,
          tags,
          pushed,
          ...(ociLayout === undefined ? {} : { ociLayout }),
        };
        const rows = platformsReport.map(
          (p) =>
            `  ${p.platform.padEnd(13)} ${p.digest}  ${formatSize(p.compressedBytes)} compressed, ${formatSize(p.uncompressedBytes)} uncompressed, built in ${p.buildSeconds.toFixed(1)} s, ${p.emulatedSteps} emulated step(s)`,
        );
        const pushedLines = pushed.map((p) => `  ${p.reference} (${p.outcome})`);
        output.result(
          result,
          [
            `kube9-operator ${version}: ${built.layout.digest} (built in ${built.seconds.toFixed(1)} s)`,
            ...rows,
            ...(pushed.length === 0 ? ["not pushed (no --push)"] : ["pushed:", ...pushedLines]),
            ...(ociLayout === undefined ? [] : [`OCI layout: ${ociLayout} (tag ${version})`]),
          ].join("\n"),
        );
        output.summary(
          [
            `### Image ${version}`,
            "",
            "| platform | digest | compressed | uncompressed | build | emulated steps |",
            "|---|---|---|---|---|---|",
            ...platformsReport.map(
              (p) =>
                `| ${p.platform} | \`${p.digest}\` | ${formatSize(p.compressedBytes)} | ${formatSize(p.uncompressedBytes)} | ${p.buildSeconds.toFixed(1)} s | ${p.emulatedSteps} |`,
            ),
          ].join("\n"),
        );
      } finally {
        await rm(workDir, { recursive: true, force: true });
      }
    });
}
