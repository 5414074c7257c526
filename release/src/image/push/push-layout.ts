/**
 * Pushes one release image from its OCI layout: exactly the bytes that were built and scanned.
 * 1. The layout's digest must be the one the caller checked (the scanned digest).
 * 2. The release tags (`vX.Y.Z`, `X.Y.Z`) are checked before any byte is sent: held by another
 *    digest, the push stops (a published release tag never moves); held by this digest, it is a
 *    retry and is left alone.
 * 3. Blobs, then each platform's manifest, then the index, by digest; then the release tags, read
 *    back and compared.
 * 4. The floating tags (`X.Y`, `X`, `latest`) are brought to where the registry's release tags say
 *    they belong (floatingTargets), then re-checked against a fresh tag list until a pass changes
 *    nothing. Registries have no conditional writes and GitHub's concurrency groups cancel pending
 *    runs, so there is no lock to take: the rule is a pure function of the release tags, and every
 *    release re-applies it after its own push, so the last release to finish corrects any earlier
 *    stale move (docs/image-release.md).
 */
import { ReleaseError } from "../../errors.js";
import { formatReference, type ImageReference } from "../reference.js";
import type { RegistryClient } from "../registry-client.js";
import { computeTagSet, floatingTargets } from "../tag-set.js";
import type { LayoutContents } from "./layout-contents.js";
import { RegistryWriter } from "./registry-writer.js";

export interface PushLayoutOptions {
  client: RegistryClient;
  /** The repository (its `reference` is ignored). */
  repository: ImageReference;
  contents: LayoutContents;
  /** The release version, without `v`. */
  version: string;
  /** The digest that was scanned and checked; the layout must still have it. */
  expectedDigest?: string;
  progress: (line: string) => void;
  /** Passes of the floating-tag check before giving up (default 5). */
  maxRounds?: number;
}

export interface PushedTag {
  tag: string;
  reference: string;
  /** pushed: written now; unchanged: already held the right digest. */
  outcome: "pushed" | "unchanged";
  /** The release version the tag points at once the push is done. */
  version: string;
  digest: string;
}

export interface PushReport {
  digest: string;
  blobsUploaded: number;
  blobsPresent: number;
  fixed: PushedTag[];
  floating: PushedTag[];
  /** Passes of the floating-tag check, the last one changing nothing. */
  floatingRounds: number;
}

async function fixedTagCheck(options: PushLayoutOptions, fixed: string[]): Promise<Set<string>> {
  const { client, repository, contents } = options;
  const unchanged = new Set<string>();
  for (const tag of fixed) {
    const existing = await client.getManifest({ ...repository, reference: tag });
    if (existing === undefined) continue;
    if (existing.digest === contents.digest) {
      unchanged.add(tag);
      continue;
    }
    throw new ReleaseError(
      "VERSION_CONFLICT",
      `${formatReference({ ...repository, reference: tag })} already exists with digest ${existing.digest}, and this image is ${contents.digest}`,
      {
        field: "<version>",
        fix: "a published release tag is never overwritten: release a new version, or rebuild the released commit (same SOURCE_DATE_EPOCH and base images) to reproduce it",
      },
    );
  }
  return unchanged;
}

async function pushContents(writer: RegistryWriter, options: PushLayoutOptions) {
  const { contents, progress } = options;
  let uploaded = 0;
  for (const blob of contents.blobs) {
    if (await writer.uploadBlob(blob)) {
      uploaded++;
      progress(`uploaded ${blob.digest} (${blob.size} bytes)`);
    }
  }
  for (const manifest of contents.manifests) {
    await writer.putManifest(manifest.digest, manifest.mediaType, manifest.body);
  }
  await writer.putManifest(contents.digest, contents.index.mediaType, contents.index.body);
  return { uploaded, present: contents.blobs.length - uploaded };
}

async function readBack(options: PushLayoutOptions, tag: string, digest: string): Promise<void> {
  const reference = formatReference({ ...options.repository, reference: tag });
  const stored = await options.client.getManifest({ ...options.repository, reference: tag });
  if (stored?.digest !== digest) {
    throw new ReleaseError(
      "REGISTRY_FAILED",
      `${reference} reads back as ${stored?.digest ?? "missing"}, not ${digest}`,
      { file: reference, fix: "the registry did not keep the write; run the push again" },
    );
  }
}

/** One pass over the floating tags; returns what each points at and whether anything moved. */
async function floatingPass(writer: RegistryWriter, options: PushLayoutOptions, tags: string[]) {
  const { client, repository, contents, version } = options;
  const results: PushedTag[] = [];
  let moved = false;
  for (const target of floatingTargets(version, tags)) {
    if (target.version === undefined) continue;
    const source =
      target.version === version
        ? { digest: contents.digest, mediaType: contents.index.mediaType, body: contents.index.body }
        : await client.getManifest({ ...repository, reference: target.version });
    if (source === undefined) continue;
    const reference = formatReference({ ...repository, reference: target.tag });
    const current = await client.getManifest({ ...repository, reference: target.tag });
    if (current?.digest === source.digest) {
      results.push({
        tag: target.tag,
        reference,
        outcome: "unchanged",
        version: target.version,
        digest: source.digest,
      });
      continue;
    }
    options.progress(`moving ${reference} to ${target.version} (${source.digest})`);
    await writer.putManifest(target.tag, source.mediaType, source.body);
    moved = true;
    results.push({
      tag: target.tag,
      reference,
      outcome: "pushed",
      version: target.version,
      digest: source.digest,
    });
  }
  return { results, moved };
}

export async function pushLayout(options: PushLayoutOptions): Promise<PushReport> {
  const { client, repository, contents, version } = options;
  if (options.expectedDigest !== undefined && options.expectedDigest !== contents.digest) {
    throw new ReleaseError(
      "IMAGE_INVALID",
      `the OCI layout holds ${contents.digest}, not the ${options.expectedDigest} that was scanned`,
      { field: "--digest", fix: "push the layout that was scanned; nothing was pushed" },
    );
  }
  const writer = new RegistryWriter(client, repository);
  const set = computeTagSet(version, (await client.listTags(repository)) ?? []);
  const unchanged = await fixedTagCheck(options, set.fixed);
  const { uploaded, present } = await pushContents(writer, options);
  const fixed: PushedTag[] = [];
  for (const tag of set.fixed) {
    const reference = formatReference({ ...repository, reference: tag });
    if (!unchanged.has(tag)) {
      options.progress(`tagging ${reference}`);
      await writer.putManifest(tag, contents.index.mediaType, contents.index.body);
    }
    await readBack(options, tag, contents.digest);
    fixed.push({
      tag,
      reference,
      outcome: unchanged.has(tag) ? "unchanged" : "pushed",
      version,
      digest: contents.digest,
    });
  }
  const maxRounds = options.maxRounds ?? 5;
  const floating = new Map<string, PushedTag>();
  for (let round = 1; round <= maxRounds; round++) {
    const before = ((await client.listTags(repository)) ?? []).sort();
    const pass = await floatingPass(writer, options, before);
    // The last pass says where each tag points; "pushed" if any pass moved it.
    for (const result of pass.results) {
      const moved = result.outcome === "pushed" || floating.get(result.tag)?.outcome === "pushed";
      floating.set(result.tag, { ...result, outcome: moved ? "pushed" : "unchanged" });
    }
    const after = ((await client.listTags(repository)) ?? []).sort();
    if (!pass.moved && before.join(",") === after.join(",")) {
      return {
        digest: contents.digest,
        blobsUploaded: uploaded,
        blobsPresent: present,
        fixed,
        floating: [...floating.values()],
        floatingRounds: round,
      };
    }
  }
  throw new ReleaseError(
    "REGISTRY_FAILED",
    `the floating tags of ${formatReference({ ...repository, reference: version })} did not settle in ${maxRounds} passes`,
    { fix: "other releases kept pushing meanwhile; run the push again (it is idempotent)" },
  );
}
