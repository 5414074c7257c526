/**
 * From a request target to a file under the repository root, or a refusal.
 *
 * Two steps:
 * 1. `keyFromRequestTarget` (pure) turns the raw request target into an object key such as
 *    `index.yaml` or `charts/kube9-operator-1.0.0.tgz`, or refuses it. It never normalises: a
 *    target that would need normalising (`..`, `.`, empty segments, encoded `/` or `\`) or that
 *    holds a control character (NUL, CR, LF, ...) once decoded is refused with 400, so there is no way to name a path outside the root. A key with a segment
 *    starting with `.` (temp files, locks) is refused with 404, as if absent.
 * 2. `resolveUnderRoot` follows symlinks with realpath and accepts the result only if it is still
 *    under the root and still names no dotfile; anything else is reported as absent.
 */
import { realpath } from "node:fs/promises";
import path from "node:path";

export type KeyDecision =
  /** `key` is "" for the root itself, else slash-separated segments without leading slash. */
  { ok: true; key: string } | { ok: false; status: 400 | 404; reason: string };

function refuse(status: 400 | 404, reason: string): KeyDecision {
  return { ok: false, status, reason };
}

/**
 * Maps a raw HTTP request target (as received, before any decoding) to an object key. The query
 * string is ignored, as a CDN with a default cache policy does.
 */
export function keyFromRequestTarget(target: string): KeyDecision {
  if (!target.startsWith("/")) return refuse(400, "request target is not an absolute path");
  const end = target.search(/[?#]/);
  const rawPath = end === -1 ? target : target.slice(0, end);
  if (rawPath === "/") return { ok: true, key: "" };
  if (rawPath.includes("\\")) return refuse(400, "backslash in path");

  const rawSegments = rawPath.slice(1).split("/");
  const segments: string[] = [];
  for (const [index, raw] of rawSegments.entries()) {
    const last = index === rawSegments.length - 1;
    if (raw === "") {
      // `/charts/`: a directory; there are no listings below the root.
      if (last) return refuse(404, "directory");
      return refuse(400, "empty path segment");
    }
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return refuse(400, "malformed percent-encoding");
    }
    if (segment === "." || segment === "..") return refuse(400, "dot segment in path");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused.
    if (/[/\\\u0000-\u001f\u007f]/.test(segment))
      return refuse(400, "encoded separator or control character");
    if (segment.startsWith(".")) return refuse(404, "dotfile");
    segments.push(segment);
  }
  return { ok: true, key: segments.join("/") };
}

/** Error codes that mean "no such file here" rather than "the file system failed". */
const ABSENT_CODES = new Set(["ENOENT", "ENOTDIR", "ELOOP", "ENAMETOOLONG", "EISDIR"]);

export function isAbsenceError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code !== undefined && ABSENT_CODES.has(code);
}

/**
 * The real path of `key` under `rootReal` (itself a real path), following symlinks, or undefined
 * when it does not exist, leaves the root, or resolves to a dotfile or to the root itself. Other
 * file-system failures throw.
 */
export async function resolveUnderRoot(rootReal: string, key: string): Promise<string | undefined> {
  if (key === "") return undefined;
  let real: string;
  try {
    real = await realpath(path.join(rootReal, ...key.split("/")));
  } catch (error) {
    if (isAbsenceError(error)) return undefined;
    throw error;
  }
  const relative = path.relative(rootReal, real);
  if (relative === "" || path.isAbsolute(relative)) return undefined;
  const parts = relative.split(path.sep);
  if (parts.some((part) => part === ".." || part.startsWith("."))) return undefined;
  return real;
}
