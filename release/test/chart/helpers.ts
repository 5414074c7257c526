/** Shared helpers of the chart tests: fixture paths, temp dirs, building and reading archives. */
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync, gzipSync } from "node:zlib";
import { extract, pack } from "tar-stream";
import { afterEach } from "vitest";

export const chartsDir = join(dirname(fileURLToPath(import.meta.url)), "..", "testdata", "charts");

export function fixture(name: string): string {
  return join(chartsDir, name);
}

const made: string[] = [];

afterEach(async () => {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A fresh temporary directory, removed after the test. */
export async function tempDir(prefix = "kube9-chart-"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A copy of a fixture chart in a fresh temporary directory. */
export async function copyFixture(name: string, into?: string): Promise<string> {
  const target = join(into ?? (await tempDir()), name);
  await cp(fixture(name), target, { recursive: true });
  return target;
}

export interface RawEntry {
  name: string;
  type?: "file" | "directory" | "symlink" | "link" | "fifo" | "character-device";
  data?: string | Uint8Array;
  linkname?: string;
  size?: number;
}

/** A tar built entry by entry with tar-stream (gzip is applied by `tgz`). */
export async function tarOf(entries: RawEntry[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of p) chunks.push(chunk as Buffer);
  })();
  for (const entry of entries) {
    const data = typeof entry.data === "string" ? Buffer.from(entry.data) : entry.data;
    await new Promise<void>((resolve, reject) => {
      const header = {
        name: entry.name,
        type: entry.type ?? "file",
        mode: 0o644,
        ...(entry.linkname === undefined ? {} : { linkname: entry.linkname }),
        ...(entry.size === undefined ? {} : { size: entry.size }),
      };
      if (data === undefined) p.entry(header, (error) => (error ? reject(error) : resolve()));
      else p.entry(header, data, (error) => (error ? reject(error) : resolve()));
    });
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

export async function tgzOf(entries: RawEntry[]): Promise<Uint8Array> {
  return new Uint8Array(gzipSync(await tarOf(entries)));
}

export interface ReadEntry {
  name: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  mtime: number;
  pax: unknown;
  data: Buffer;
}

/** Every entry of a .tgz as tar-stream (an independent reader) sees it. */
export async function readTgz(bytes: Uint8Array): Promise<ReadEntry[]> {
  const ex = extract();
  const entries: ReadEntry[] = [];
  const reading = (async () => {
    for await (const entry of ex) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      const h = entry.header;
      entries.push({
        name: h.name,
        type: h.type,
        mode: h.mode,
        uid: h.uid,
        gid: h.gid,
        uname: h.uname,
        gname: h.gname,
        mtime: h.mtime.getTime() / 1000,
        pax: h.pax,
        data: Buffer.concat(chunks),
      });
    }
  })();
  ex.end(gunzipSync(bytes));
  await reading;
  return entries;
}

/** The chart tests' name for the shared refusal capture. */
export { rejectionOf as rejection } from "../support/refusal.js";
