/**
 * Where the repository server reads its objects: a directory, read fresh on every request, so a
 * publish while serving is visible at once. Nothing is cached in memory.
 */
import { constants } from "node:fs";
import { open, readdir, realpath, stat } from "node:fs/promises";
import { ReleaseError } from "../errors.js";
import { isAbsenceError, resolveUnderRoot } from "./safe-path.js";

export interface RepoFile {
  bytes: Uint8Array;
  lastModified: Date;
}

/** What the request handler needs from a repository: one object by key, and the root's files. */
export interface RepoSource {
  /** Human-readable location for messages. */
  readonly location: string;
  /** The object's bytes, or undefined when there is no such regular file. Other failures throw. */
  read(key: string): Promise<RepoFile | undefined>;
  /** Names of the visible regular files directly in the root (no dotfiles), sorted. */
  listRoot(): Promise<string[]>;
}

/**
 * A source over the directory `root`. Throws a USAGE ReleaseError when `root` is not an existing
 * directory.
 */
export async function openDirectorySource(root: string): Promise<RepoSource> {
  let rootReal: string;
  try {
    rootReal = await realpath(root);
  } catch (error) {
    throw new ReleaseError("USAGE", "repository directory does not exist", {
      file: root,
      fix: "publish a chart into it first, or pass the repository directory: kube9-release repo serve <dir>",
      cause: error,
    });
  }
  if (!(await stat(rootReal)).isDirectory()) {
    throw new ReleaseError("USAGE", "not a directory", {
      file: root,
      fix: "pass the repository directory (the one holding index.yaml)",
    });
  }
  return {
    location: rootReal,
    read: (key) => readUnder(rootReal, key),
    listRoot: () => listVisibleFiles(rootReal),
  };
}

async function readUnder(rootReal: string, key: string): Promise<RepoFile | undefined> {
  const real = await resolveUnderRoot(rootReal, key);
  if (real === undefined) return undefined;
  // O_NOFOLLOW: a symlink swapped in after the realpath check is not followed.
  // O_NONBLOCK: opening a FIFO placed in the root must not hang the server.
  const flags = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(real, flags);
  } catch (error) {
    if (isAbsenceError(error)) return undefined;
    throw error;
  }
  try {
    // Size, time and bytes all come from this one open file: a publish that renames a new file
    // into place meanwhile cannot mix two versions in one response.
    const info = await handle.stat();
    if (!info.isFile()) return undefined;
    const bytes = await handle.readFile();
    return { bytes, lastModified: info.mtime };
  } finally {
    await handle.close();
  }
}

async function listVisibleFiles(rootReal: string): Promise<string[]> {
  const entries = await readdir(rootReal, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && !entry.name.startsWith("."))
    .map((entry) => entry.name)
    .sort();
}
