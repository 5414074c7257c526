/**
 * Pushes a built multi-platform image under its release tags. A release tag (`X.Y.Z`, `vX.Y.Z`)
 * is never moved: when it already exists with another digest the push stops before sending
 * anything, and with the same digest it is a retry and is skipped. Floating tags move. After each
 * push the digest the registry stored is compared with the one measured locally.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ReleaseError } from "../../errors.js";
import { formatReference, type ImageReference } from "../reference.js";
import type { RegistryClient } from "../registry-client.js";
import type { Buildah } from "./buildah.js";

export interface PushImageOptions {
  buildah: Buildah;
  client: RegistryClient;
  list: string;
  /** The repository (its `reference` is ignored). */
  repository: ImageReference;
  digest: string;
  /** Tags never moved once pushed. */
  fixedTags: string[];
  /** Tags that follow the newest release. */
  floatingTags: string[];
  tlsVerify: boolean;
  authFile?: string;
  workDir: string;
  progress: (line: string) => void;
}

export interface PushedTag {
  tag: string;
  reference: string;
  /** `pushed`, or `unchanged` when a release tag already held this very digest. */
  outcome: "pushed" | "unchanged";
}

export async function pushImage(options: PushImageOptions): Promise<PushedTag[]> {
  const { repository } = options;
  const unchanged = new Set<string>();
  // Check every release tag before the first byte goes out: a conflict must push nothing.
  for (const tag of options.fixedTags) {
    const existing = await options.client.getManifest({ ...repository, reference: tag });
    if (existing === undefined) continue;
    if (existing.digest === options.digest) {
      unchanged.add(tag);
      continue;
    }
    throw new ReleaseError(
      "VERSION_CONFLICT",
      `${formatReference({ ...repository, reference: tag })} already exists with digest ${existing.digest}, and this build is ${options.digest}`,
      {
        field: "<version>",
        fix: "a published release tag is never overwritten: release a new version, or rebuild the commit that was released (same SOURCE_DATE_EPOCH and base images) to reproduce it",
      },
    );
  }
  const results: PushedTag[] = [];
  for (const tag of [...options.fixedTags, ...options.floatingTags]) {
    const ref = { ...repository, reference: tag };
    const reference = formatReference(ref);
    if (unchanged.has(tag)) {
      options.progress(`${reference} already holds ${options.digest}`);
      results.push({ tag, reference, outcome: "unchanged" });
      continue;
    }
    const digestFile = join(options.workDir, `pushed-${tag}.digest`);
    const args = ["manifest", "push", "--all", "--format", "oci", "--quiet", "--digestfile", digestFile];
    if (!options.tlsVerify) args.push("--tls-verify=false");
    if (options.authFile !== undefined) args.push("--authfile", options.authFile);
    options.progress(`pushing ${reference}`);
    await options.buildah.run([...args, options.list, `docker://${reference}`], `pushing ${reference}`);
    const pushed = (await readFile(digestFile, "utf8")).trim();
    if (pushed !== options.digest) {
      throw new ReleaseError(
        "IMAGE_BUILD_FAILED",
        `${reference} was stored with digest ${pushed}, not the ${options.digest} that was built and checked`,
        { fix: "the builder re-encoded the image on push; report it with the builder's version" },
      );
    }
    results.push({ tag, reference, outcome: "pushed" });
  }
  return results;
}
