/**
 * The embedded default: a chart repository in a local directory, servable by `repo serve`.
 *
 * Writes are atomic (a temporary dotfile in the same directory, fsync, then rename or link), so a
 * crash never leaves a partial index.yaml. Create-only uses link(2), which fails atomically when
 * the name exists; compare-and-swap holds a lock file while it compares the ETag and renames, so
 * concurrent publishers on one machine get the same guarantees as S3's conditional writes.
 */
import { randomBytes } from "node:crypto";
import { type BigIntStats, constants, promises as fs } from "node:fs";
import { dirname, join, sep } from "node:path";
import { ReleaseError } from "../errors.js";
import { withFileLock } from "./file-lock.js";
import type { ObjectInfo, Store, StoredObject, WriteOptions } from "./store.js";

/**
 * Every write puts a new file in place (a fresh temporary file renamed or linked), so the file's
 * identity and time name its version: no need to hash a 17 MB index on every read.
 */
function etagOf(stat: BigIntStats): string {
  return `${stat.dev}-${stat.ino}-${stat.size}-${stat.mtimeNs}`;
}

export class DirectoryStore implements Store {
  readonly location: string;

  constructor(readonly root: string) {
    this.location = root;
  }

  async get(key: string): Promise<StoredObject | undefined> {
    const path = this.pathOf(key);
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(path, constants.O_RDONLY);
    } catch (error) {
      if (errnoOf(error) === "ENOENT") return undefined;
      throw storageError("read", path, error);
    }
    try {
      // Stat and read the same open file, so the ETag names exactly the bytes returned.
      const stat = await handle.stat({ bigint: true });
      const body = await handle.readFile();
      return { body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength), etag: etagOf(stat) };
    } catch (error) {
      throw storageError("read", path, error);
    } finally {
      await handle.close();
    }
  }

  async putIfAbsent(key: string, body: Uint8Array, _options: WriteOptions): Promise<{ etag: string }> {
    const path = this.pathOf(key);
    const temporary = await this.writeTemporary(path, body);
    try {
      await fs.link(temporary, path);
    } catch (error) {
      if (errnoOf(error) === "EEXIST") {
        throw new ReleaseError("PRECONDITION_FAILED", `${key} already exists`, { file: path });
      }
      throw storageError("create", path, error);
    } finally {
      await fs.rm(temporary, { force: true });
    }
    await syncDirectory(dirname(path));
    return { etag: (await this.currentEtag(path)) ?? "" };
  }

  async putIfMatch(
    key: string,
    body: Uint8Array,
    etag: string,
    _options: WriteOptions,
  ): Promise<{ etag: string }> {
    const path = this.pathOf(key);
    return withFileLock(lockPathOf(path), async () => {
      const current = await this.currentEtag(path);
      if (current !== etag) {
        throw new ReleaseError(
          "PRECONDITION_FAILED",
          `${key} changed since it was read (expected ETag ${etag}, found ${current ?? "no object"})`,
          { file: path },
        );
      }
      const temporary = await this.writeTemporary(path, body);
      try {
        await fs.rename(temporary, path);
      } catch (error) {
        await fs.rm(temporary, { force: true });
        throw storageError("replace", path, error);
      }
      await syncDirectory(dirname(path));
      return { etag: (await this.currentEtag(path)) ?? "" };
    });
  }

  private async currentEtag(path: string): Promise<string | undefined> {
    try {
      return etagOf(await fs.stat(path, { bigint: true }));
    } catch (error) {
      if (errnoOf(error) === "ENOENT") return undefined;
      throw storageError("read", path, error);
    }
  }

  async list(): Promise<ObjectInfo[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.root);
    } catch (error) {
      if (errnoOf(error) === "ENOENT") return [];
      throw storageError("list", this.root, error);
    }
    const objects: ObjectInfo[] = [];
    for (const name of names.sort()) {
      if (name.startsWith(".")) continue;
      const stat = await fs.stat(join(this.root, name)).catch((error: unknown) => {
        if (errnoOf(error) === "ENOENT") return undefined;
        throw storageError("stat", join(this.root, name), error);
      });
      if (stat?.isFile()) objects.push({ key: name, size: stat.size, lastModified: stat.mtime });
    }
    return objects;
  }

  private pathOf(key: string): string {
    const segments = key.split("/");
    if (
      key === "" ||
      segments.some(
        (segment) => segment === "" || segment === "." || segment === ".." || segment.startsWith("."),
      )
    ) {
      throw new ReleaseError("STORAGE_FAILED", `refusing object key ${JSON.stringify(key)}`, {
        file: this.root,
        fix: "object keys are plain relative names such as index.yaml or kube9-operator-1.2.3.tgz",
      });
    }
    return join(this.root, ...segments);
  }

  private async writeTemporary(path: string, body: Uint8Array): Promise<string> {
    const directory = dirname(path);
    try {
      await fs.mkdir(directory, { recursive: true });
    } catch (error) {
      throw storageError("create the directory", directory, error);
    }
    const temporary = join(
      directory,
      `.${path.slice(directory.length + sep.length)}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`,
    );
    let handle: fs.FileHandle | undefined;
    try {
      handle = await fs.open(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
      await handle.writeFile(body);
      await handle.sync();
    } catch (error) {
      await handle?.close().catch(() => undefined);
      handle = undefined;
      await fs.rm(temporary, { force: true }).catch(() => undefined);
      throw storageError("write", path, error);
    }
    await handle.close();
    return temporary;
  }
}

function lockPathOf(path: string): string {
  const directory = dirname(path);
  return join(directory, `.${path.slice(directory.length + sep.length)}.lock`);
}

async function syncDirectory(directory: string): Promise<void> {
  // The rename is durable only once the directory entry is on disk.
  const handle = await fs.open(directory, constants.O_RDONLY).catch(() => undefined);
  if (handle === undefined) return;
  try {
    await handle.sync().catch(() => undefined);
  } finally {
    await handle.close();
  }
}

export function errnoOf(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "code" in error ? String(error.code) : undefined;
}

function storageError(action: string, path: string, error: unknown): ReleaseError {
  const errno = errnoOf(error);
  const fix =
    errno === "EACCES" || errno === "EPERM" || errno === "EROFS"
      ? `make ${dirname(path)} writable by this user, or choose another --repo`
      : errno === "ENOTDIR"
        ? "a parent of this path is a file: choose another --repo"
        : errno === "ENOSPC"
          ? "free disk space and run the same command again"
          : undefined;
  return new ReleaseError("STORAGE_FAILED", `cannot ${action}: ${errno ?? String(error)}`, {
    file: path,
    cause: error,
    ...(fix === undefined ? {} : { fix }),
  });
}
