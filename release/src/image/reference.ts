/**
 * Image references as Docker writes them: `host[:port]/name[:tag|@sha256:...]`. The host is
 * required here (no implicit docker.io): this tool only talks to the registry it is told about.
 * Loopback registries are spoken to over plain http (tests); every other host over https.
 */
import { ReleaseError } from "../errors.js";

export interface ImageReference {
  /** host[:port] */
  registry: string;
  /** Repository path, e.g. alto9/kube9-operator. */
  name: string;
  /** Tag or digest to resolve (a tag when `digest` is absent). */
  reference: string;
  /** Base URL of the registry API. */
  baseUrl: string;
}

const NAME = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

function loopback(host: string): boolean {
  const bare = host.replace(/:\d+$/, "");
  return bare === "localhost" || bare === "127.0.0.1" || bare === "[::1]";
}

export function parseImageReference(
  text: string,
  field = "<ref>",
  defaultReference?: string,
): ImageReference {
  const bad = (why: string) =>
    new ReleaseError("USAGE", `${JSON.stringify(text)} is not an image reference: ${why}`, {
      field,
      fix: "write it as host/name:tag, e.g. ghcr.io/alto9/kube9-operator:v1.2.3",
    });
  const slash = text.indexOf("/");
  if (slash <= 0) throw bad("no registry host");
  const registry = text.slice(0, slash);
  if (!/^[a-zA-Z0-9.-]+(?::\d+)?$|^\[::1\](?::\d+)?$/.test(registry)) throw bad("bad registry host");
  let rest = text.slice(slash + 1);
  let reference: string | undefined;
  const at = rest.indexOf("@");
  if (at !== -1) {
    reference = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(reference)) throw bad("the digest must be sha256:<64 hex>");
  } else {
    const colon = rest.lastIndexOf(":");
    if (colon !== -1) {
      reference = rest.slice(colon + 1);
      rest = rest.slice(0, colon);
      if (!TAG.test(reference)) throw bad("bad tag");
    }
  }
  if (!NAME.test(rest)) throw bad("bad repository name");
  reference ??= defaultReference;
  if (reference === undefined) throw bad("no tag or digest");
  const scheme = loopback(registry) ? "http" : "https";
  return { registry, name: rest, reference, baseUrl: `${scheme}://${registry}` };
}

export function formatReference(ref: ImageReference): string {
  return `${ref.registry}/${ref.name}${ref.reference.startsWith("sha256:") ? "@" : ":"}${ref.reference}`;
}
