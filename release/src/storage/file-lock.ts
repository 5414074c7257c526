/**
 * An exclusive lock between processes on one machine: a lock file created with O_EXCL that holds
 * the owner's pid. A lock whose owner is gone (killed mid-publish) is taken over, so a crash never
 * blocks the next run.
 */
import { constants, promises as fs } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { ReleaseError } from "../errors.js";

export interface LockOptions {
  /** Give up after this long. Default 30 s. */
  timeoutMs?: number;
}

export async function withFileLock<T>(
  lockPath: string,
  work: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (let attempt = 0; ; attempt += 1) {
    const handle = await fs
      .open(lockPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644)
      .catch((error: unknown) => {
        if (typeof error === "object" && error !== null && "code" in error && error.code === "EEXIST")
          return undefined;
        throw new ReleaseError("STORAGE_FAILED", `cannot create lock file: ${String(error)}`, {
          file: lockPath,
          cause: error,
        });
      });
    if (handle !== undefined) {
      try {
        await handle.writeFile(`${process.pid}\n`);
      } finally {
        await handle.close();
      }
      try {
        return await work();
      } finally {
        await fs.rm(lockPath, { force: true });
      }
    }
    const stale = await staleOwner(lockPath);
    if (stale !== undefined) {
      // Re-read just before removing so that a lock taken over meanwhile by a live process stays.
      if ((await fs.readFile(lockPath, "utf8").catch(() => undefined)) === stale)
        await fs.rm(lockPath, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new ReleaseError("STORAGE_FAILED", "timed out waiting for another publisher's lock", {
        file: lockPath,
        fix: "if no other publish is running, delete the lock file and run the same command again",
      });
    }
    await sleep(Math.min(200, 5 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random()));
  }
}

/** The lock file's content when its owner is gone, otherwise undefined. */
async function staleOwner(lockPath: string): Promise<string | undefined> {
  const [text, stat] = await Promise.all([
    fs.readFile(lockPath, "utf8").catch(() => undefined),
    fs.stat(lockPath).catch(() => undefined),
  ]);
  if (text === undefined || stat === undefined) return undefined;
  const pid = Number.parseInt(text, 10);
  // An empty lock file is being written right now, unless its writer died before writing its pid.
  if (!Number.isInteger(pid) || pid <= 0) return Date.now() - stat.mtimeMs > 10_000 ? text : undefined;
  try {
    process.kill(pid, 0);
    return undefined;
  } catch (error) {
    const dead = typeof error === "object" && error !== null && "code" in error && error.code === "ESRCH";
    return dead ? text : undefined;
  }
}
