/**
 * The end of a rehearsal: what a user gets, checked the way users get it. The image is pulled
 * anonymously, both platforms, every blob checked against its digest; the chart repository is
 * added with Helm through the CDN, searched, pulled (the archive's digest compared with the
 * index's), installed with default values, and the image reference it renders is resolved in the
 * registry that stands for ghcr.io.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import yaml from "js-yaml";
import { ReleaseError } from "../errors.js";
import { inspectImage } from "../image/inspect.js";
import { parseImageReference } from "../image/reference.js";
import { RegistryClient } from "../image/registry-client.js";
import { RELEASE_IMAGE_MAX_SIZE, RELEASE_IMAGE_PLATFORMS } from "../image/release-platforms.js";
import { parseSize } from "../image/units.js";
import { verifyImage } from "../image/verify.js";
import { parseIndex } from "../repo/parse/parse-index.js";
import { PRODUCTION_IMAGE, type RehearsalCloud } from "./cloud.js";

const exec = promisify(execFile);

export interface UserViewOptions {
  cloud: RehearsalCloud;
  version: string;
  /** Helm clients to check with, by label. */
  helm: Array<{ label: string; binary: string }>;
  /** A kubeconfig of a real cluster: install for real. Without: render the chart from the repository. */
  kubeconfig?: string;
  /** What to check: a rehearsal of the image workflow alone has no chart to look at. */
  parts: Array<"image" | "chart">;
  progress: (line: string) => void;
}

export interface UserView {
  image?: {
    reference: string;
    digest: string;
    platforms: Array<{ platform: string; digest: string; compressedBytes: number }>;
    blobsPulled: number;
  };
  chart: Array<{
    helm: string;
    listed: string[];
    /** What `helm install` without --version picks (the newest stable version). */
    defaultVersion: string | undefined;
    pulledDigest: string;
    renderedImage: string;
    /** installed into the cluster of --kubeconfig, or only rendered from the repository (no cluster). */
    installed: "installed" | "rendered";
  }>;
}

function fail(message: string, fix: string): never {
  throw new ReleaseError("VERIFY_FAILED", message, { fix });
}

async function pullEveryBlob(client: RegistryClient, reference: string): Promise<number> {
  const ref = parseImageReference(reference);
  const index = await client.getManifest(ref);
  if (index === undefined) fail(`${reference} does not exist`, "the image job did not push it");
  let blobs = 0;
  for (const entry of (index.json as { manifests: Array<{ digest: string }> }).manifests) {
    const manifest = await client.getManifest({ ...ref, reference: entry.digest });
    const body = manifest?.json as { config: { digest: string }; layers: Array<{ digest: string }> };
    for (const blob of [body.config, ...body.layers]) {
      const response = await client.request(ref, `blobs/${blob.digest}`);
      const bytes = Buffer.from(await response.arrayBuffer());
      const digest = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
      if (!response.ok || digest !== blob.digest) {
        fail(
          `blob ${blob.digest} of ${reference} came back as HTTP ${response.status} with digest ${digest}`,
          "the registry does not serve what was pushed",
        );
      }
      blobs++;
    }
  }
  return blobs;
}

async function checkImage(options: UserViewOptions): Promise<NonNullable<UserView["image"]>> {
  const client = new RegistryClient();
  const reference = `${options.cloud.image}:${options.version}`;
  const inspection = await inspectImage(client, parseImageReference(reference));
  verifyImage(inspection, {
    platforms: [...RELEASE_IMAGE_PLATFORMS],
    maxBytes: parseSize(RELEASE_IMAGE_MAX_SIZE, "the release image budget"),
    labels: { "org.opencontainers.image.version": options.version },
  });
  const blobsPulled = await pullEveryBlob(client, reference);
  options.progress(
    `image ${reference}: ${inspection.digest}, both platforms pulled anonymously (${blobsPulled} blobs)`,
  );
  return {
    reference,
    digest: inspection.digest,
    platforms: inspection.platforms.map((p) => ({
      platform: p.platform,
      digest: p.digest,
      compressedBytes: p.compressedBytes,
    })),
    blobsPulled,
  };
}

async function helmRun(binary: string, home: string, args: string[], kubeconfig?: string): Promise<string> {
  try {
    const { stdout } = await exec(binary, args, {
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: home,
        HELM_CONFIG_HOME: join(home, "config"),
        HELM_CACHE_HOME: join(home, "cache"),
        HELM_DATA_HOME: join(home, "data"),
        ...(kubeconfig === undefined ? {} : { KUBECONFIG: kubeconfig }),
      },
      maxBuffer: 32 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    return fail(
      `helm ${args.join(" ")} failed: ${stderr?.trim() ?? String(error)}`,
      "a user running this command would fail the same way",
    );
  }
}

function renderedImages(manifests: string): string[] {
  const images: string[] = [];
  for (const doc of yaml.loadAll(manifests) as Array<{
    kind?: string;
    spec?: { template?: { spec?: { containers?: Array<{ image?: string }> } } };
  } | null>) {
    for (const container of doc?.spec?.template?.spec?.containers ?? [])
      if (container.image !== undefined) images.push(container.image);
  }
  return images;
}

/**
 * The manifests a user's install produces. With a cluster: a real install (upgrade --install, so
 * that a later release, or another Helm client, installs over it), then the manifest Helm stored.
 * Without: the chart rendered from the repository, which needs no cluster.
 */
async function installedManifests(
  options: UserViewOptions,
  helm: { label: string; binary: string },
  home: string,
): Promise<string> {
  const chart = ["kube9-operator", "kube9/kube9-operator", "--version", options.version];
  // One release for every client, as one cluster has it: the chart's ClusterRole is cluster-wide,
  // so a second release of it elsewhere would collide. Each client upgrades what the last left.
  const namespace = ["--namespace", "kube9"];
  if (options.kubeconfig === undefined)
    return helmRun(helm.binary, home, ["template", ...chart, ...namespace]);
  await helmRun(
    helm.binary,
    home,
    ["upgrade", "--install", ...chart, ...namespace, "--create-namespace"],
    options.kubeconfig,
  );
  return helmRun(helm.binary, home, ["get", "manifest", "kube9-operator", ...namespace], options.kubeconfig);
}

/** The digest of the archive `helm pull` gets, which must be the one the served index claims. */
async function pullAndCheckDigest(
  options: UserViewOptions,
  helm: { label: string; binary: string },
  home: string,
): Promise<string> {
  const { cloud, version } = options;
  const pullDir = join(home, "pull");
  await mkdir(pullDir, { recursive: true });
  await helmRun(helm.binary, home, ["pull", "kube9/kube9-operator", "--version", version, "-d", pullDir]);
  const archive = await readFile(join(pullDir, `kube9-operator-${version}.tgz`));
  const pulledDigest = createHash("sha256").update(archive).digest("hex");
  const index = parseIndex(
    new Uint8Array(await (await fetch(`${cloud.cdn.url}/index.yaml`)).arrayBuffer()),
    `${cloud.cdn.url}/index.yaml`,
  );
  const claimed = index.entries["kube9-operator"]?.find((entry) => entry.version === version)?.digest;
  if (claimed !== pulledDigest)
    fail(
      `the pulled archive has digest ${pulledDigest}, the index claims ${claimed ?? "nothing"}`,
      "the CDN serves other bytes than the index names",
    );
  return pulledDigest;
}

/** The image the installed chart runs, which must be the release's and exist in the registry. */
async function installAndCheckImage(
  options: UserViewOptions,
  helm: { label: string; binary: string },
  home: string,
): Promise<string> {
  const { cloud, version } = options;
  const manifests = await installedManifests(options, helm, home);
  const images = renderedImages(manifests);
  const expected = `${PRODUCTION_IMAGE}:${version}`;
  if (!images.includes(expected))
    fail(
      `helm install renders ${images.join(", ") || "no image"}, not ${expected}`,
      "the chart's default image must be the release's",
    );
  // ghcr.io is played by the stand-in registry: the same repository path and tag must exist there.
  const standIn = parseImageReference(`${cloud.image}:${version}`);
  if (!(await new RegistryClient().manifestExists(standIn)))
    fail(
      `${expected} does not resolve: no tag ${version}`,
      "the image job did not push the tag the chart renders",
    );
  return expected;
}

async function checkChart(
  options: UserViewOptions,
  helm: { label: string; binary: string },
): Promise<UserView["chart"][number]> {
  const { cloud, version } = options;
  const home = await mkdtemp(join(tmpdir(), `kube9-rehearsal-${helm.label}-`));
  try {
    await helmRun(helm.binary, home, ["repo", "add", "kube9", cloud.cdn.url]);
    const search = JSON.parse(
      await helmRun(helm.binary, home, [
        "search",
        "repo",
        "kube9/kube9-operator",
        "--versions",
        "--devel",
        "-o",
        "json",
      ]),
    ) as Array<{ version: string }>;
    const listed = search.map((entry) => entry.version);
    if (!listed.includes(version))
      fail(
        `helm search lists ${listed.join(", ") || "nothing"}, not ${version}`,
        "the index users read does not list the release",
      );
    const latest = JSON.parse(
      await helmRun(helm.binary, home, ["search", "repo", "kube9/kube9-operator", "-o", "json"]),
    ) as Array<{ version: string }>;
    const pulledDigest = await pullAndCheckDigest(options, helm, home);
    const expected = await installAndCheckImage(options, helm, home);
    options.progress(
      `${helm.label}: repo add, search (${listed.length} versions), pull (digest ok), install renders ${expected}`,
    );
    return {
      helm: helm.label,
      listed,
      defaultVersion: latest[0]?.version,
      pulledDigest,
      renderedImage: expected,
      installed: options.kubeconfig === undefined ? "rendered" : "installed",
    };
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

export async function checkUserView(options: UserViewOptions): Promise<UserView> {
  const image = options.parts.includes("image") ? await checkImage(options) : undefined;
  const chart = [];
  if (options.parts.includes("chart"))
    for (const helm of options.helm) chart.push(await checkChart(options, helm));
  return { ...(image === undefined ? {} : { image }), chart };
}
