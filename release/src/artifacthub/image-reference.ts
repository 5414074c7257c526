/**
 * Image references as Artifact Hub parses them (go-containerregistry's ParseReference, which
 * follows the distribution reference grammar), split into their parts.
 */
// The reference grammar of the distribution spec (what Artifact Hub's ParseReference accepts):
// [registry/]path[:tag][@algorithm:hex], the registry being a first part with a dot or a port, or
// localhost. Our release also wants a tag or a digest: without one it means `latest`, which is
// not what a chart version runs.
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const REGISTRY =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}$/;

export interface ImageParts {
  registry: string | undefined;
  /** The repository: registry and path, without tag and digest. */
  repository: string;
  tag: string | undefined;
  digest: string | undefined;
}

/** The parts of an image reference, or undefined when it is not one. */
export function parseImage(reference: string): ImageParts | undefined {
  const [name = "", digest, ...extra] = reference.split("@");
  if (extra.length > 0 || (digest !== undefined && !DIGEST.test(digest))) return undefined;
  const lastSlash = name.lastIndexOf("/");
  const colon = name.indexOf(":", lastSlash + 1);
  const repository = colon === -1 ? name : name.slice(0, colon);
  const tag = colon === -1 ? undefined : name.slice(colon + 1);
  if (tag !== undefined && !TAG.test(tag)) return undefined;
  const parts = repository.split("/");
  const first = parts[0] as string;
  const hasRegistry =
    parts.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost");
  if (hasRegistry && !REGISTRY.test(first)) return undefined;
  const path = hasRegistry ? parts.slice(1) : parts;
  if (path.length === 0 || !path.every((part) => PATH_COMPONENT.test(part)) || repository.length > 255)
    return undefined;
  return { registry: hasRegistry ? first : undefined, repository, tag, digest };
}
