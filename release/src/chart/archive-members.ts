/**
 * Reads the members of a gzipped tar in memory, refusing anything unsafe before it is expanded:
 * it is decompressed piece by piece and each tar header is checked before its data is read, so a
 * zip bomb is stopped at the first oversized header or once the output passes a fixed bound.
 *
 * Accepted: regular files and directory entries (skipped) under exactly one top-level directory,
 * with clean relative paths. PAX and GNU long-name headers are applied to the member they describe
 * (tar-stream does that) and never surface as members. Refused: links of any kind, devices, fifos,
 * absolute paths, `..`, `.` or empty path segments, backslashes (Helm would split the path on
 * them), duplicates, and Helm's size limits (a file over 5 MiB, 100 MiB or more in all).
 */
import pako from "pako";
import { extract as createExtract, type Extract, type Header } from "tar-stream";
import { ReleaseError } from "../errors.js";
import { formatBytes, MAX_CHART_BYTES, MAX_FILE_BYTES } from "./limits.js";

export interface ArchiveMember {
  /** Posix path relative to the top-level directory. */
  path: string;
  data: Uint8Array;
}

export interface ArchiveMembers {
  /** The one top-level directory every member is under. */
  top: string;
  /** Regular files, sorted by path. */
  files: ArchiveMember[];
}

/** Tar headers and padding on top of the file data that the decompressed stream may hold. */
const TAR_OVERHEAD_BYTES = 16 * 1024 * 1024;
const INPUT_SLICE = 16 * 1024;

function archiveInvalid(
  archive: string,
  member: string | undefined,
  message: string,
  fix: string,
): ReleaseError {
  return new ReleaseError("ARCHIVE_INVALID", message, {
    file: archive,
    ...(member === undefined ? {} : { field: member }),
    fix,
  });
}

const REPACK = "package the chart with `kube9-release chart package` or `helm package`";

/** The path segments of a member name, checked; a directory's trailing `/` is dropped. */
function memberSegments(archive: string, name: string, isDirectory: boolean): string[] {
  const refuse = (message: string) => archiveInvalid(archive, name, message, REPACK);
  if (name.includes("\\")) throw refuse(`member ${JSON.stringify(name)} has a backslash in its path`);
  if (name.startsWith("/")) throw refuse(`member ${JSON.stringify(name)} has an absolute path`);
  if (/^[a-zA-Z]:/.test(name)) throw refuse(`member ${JSON.stringify(name)} has a drive-letter path`);
  const segments = (isDirectory && name.endsWith("/") ? name.slice(0, -1) : name).split("/");
  if (segments.includes(".."))
    throw refuse(`member ${JSON.stringify(name)} points outside the chart with ..`);
  if (segments.some((segment) => segment === "" || segment === ".")) {
    throw refuse(`member ${JSON.stringify(name)} is not a clean relative path (empty or "." segment)`);
  }
  if (!isDirectory && segments.length < 2) {
    throw refuse(`member ${JSON.stringify(name)} is not inside the chart's top-level directory`);
  }
  return segments;
}

class Collector {
  top: string | undefined;
  total = 0;
  readonly files = new Map<string, Uint8Array>();

  constructor(readonly archive: string) {}

  /** Checks one header; returns the member's path inside the top directory, or undefined to skip. */
  admit(header: Header): string | undefined {
    const { name, type } = header;
    const isDirectory = type === "directory";
    if (type !== "file" && !isDirectory) {
      const kind =
        type === "symlink" || type === "link"
          ? `a ${type === "link" ? "hard link" : "symbolic link"}`
          : `a ${type ?? "unknown"} entry`;
      throw archiveInvalid(
        this.archive,
        name,
        `member ${JSON.stringify(name)} is ${kind}; a chart archive holds regular files only`,
        REPACK,
      );
    }
    const segments = memberSegments(this.archive, name, isDirectory);
    const top = segments[0] as string;
    if (this.top !== undefined && this.top !== top) {
      throw archiveInvalid(
        this.archive,
        name,
        `member ${JSON.stringify(name)} is under ${JSON.stringify(top)}, but other members are under ${JSON.stringify(this.top)}: an archive holds one chart directory`,
        REPACK,
      );
    }
    this.top = top;
    if (isDirectory) return undefined;
    const size = header.size ?? 0;
    if (size > MAX_FILE_BYTES) {
      throw archiveInvalid(
        this.archive,
        name,
        `member ${JSON.stringify(name)} is ${formatBytes(size)}; Helm refuses files over ${formatBytes(MAX_FILE_BYTES)}`,
        "keep large data out of the chart",
      );
    }
    if (this.total + size >= MAX_CHART_BYTES) {
      throw archiveInvalid(
        this.archive,
        name,
        `the chart's files reach ${formatBytes(MAX_CHART_BYTES)}; Helm refuses charts that large`,
        "keep large data out of the chart",
      );
    }
    this.total += size;
    const path = segments.slice(1).join("/");
    if (this.files.has(path))
      throw archiveInvalid(this.archive, name, `member ${JSON.stringify(name)} appears twice`, REPACK);
    return path;
  }

  result(): ArchiveMembers {
    const paths = [...this.files.keys()];
    for (const path of paths) {
      const parts = path.split("/");
      for (let i = 1; i < parts.length; i++) {
        const parent = parts.slice(0, i).join("/");
        if (this.files.has(parent)) {
          throw archiveInvalid(
            this.archive,
            `${this.top}/${parent}`,
            `member ${JSON.stringify(`${this.top}/${parent}`)} is both a file and a directory`,
            REPACK,
          );
        }
      }
    }
    if (this.top === undefined || paths.length === 0) {
      throw archiveInvalid(this.archive, undefined, "the archive holds no files", REPACK);
    }
    const files = paths
      .sort(compareBytes)
      .map((path) => ({ path, data: this.files.get(path) as Uint8Array }));
    return { top: this.top, files };
  }
}

export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

class Stop extends Error {}

interface InflateState {
  ended: boolean;
  strm: { avail_in: number; total_out: number };
}

/**
 * Decompresses `bytes` into `extract` slice by slice, honouring backpressure and the size bound.
 * Exactly one gzip member is accepted, followed by nothing but zero padding: a second member is
 * data that not every reader sees, so it is refused rather than guessed about.
 */
async function feed(
  bytes: Uint8Array,
  archive: string,
  extract: Extract,
  stopped: () => boolean,
): Promise<void> {
  const limit = MAX_CHART_BYTES + TAR_OVERHEAD_BYTES;
  const inflator = new pako.Inflate({ chunkSize: 64 * 1024 });
  const state = inflator as unknown as InflateState;
  let produced = 0;
  let pending: Uint8Array[] = [];
  inflator.onData = (chunk) => {
    produced += (chunk as Uint8Array).length;
    if (produced > limit) throw new Stop();
    pending.push(chunk as Uint8Array);
  };
  let offset = 0;
  while (offset < bytes.length && !state.ended && !stopped()) {
    const slice = bytes.subarray(offset, offset + INPUT_SLICE);
    offset += slice.length;
    try {
      inflator.push(slice, offset >= bytes.length);
    } catch (error) {
      if (!(error instanceof Stop)) throw error;
      throw archiveInvalid(
        archive,
        undefined,
        `the archive decompresses to more than ${formatBytes(limit)}`,
        "keep large data out of the chart",
      );
    }
    if (inflator.err !== 0) {
      throw archiveInvalid(
        archive,
        undefined,
        `the archive is not valid gzip: ${inflator.msg || `zlib error ${inflator.err}`}`,
        REPACK,
      );
    }
    if (state.ended) offset -= state.strm.avail_in;
    const chunks = pending;
    pending = [];
    for (const chunk of chunks) {
      if (stopped()) return;
      if (!extract.write(chunk)) await drainOrClose(extract);
    }
  }
  if (stopped()) return;
  checkStreamEnd(state, produced, bytes.subarray(offset), archive);
  extract.end(undefined);
}

/**
 * Once the input is read: the gzip stream ended, its one member produced all that was inflated
 * (pako goes on into a second member), and only zero padding follows it.
 */
function checkStreamEnd(state: InflateState, produced: number, rest: Uint8Array, archive: string): void {
  if (!state.ended)
    throw archiveInvalid(
      archive,
      undefined,
      "the archive is truncated (the gzip stream does not end)",
      REPACK,
    );
  if (state.strm.total_out !== produced) {
    throw archiveInvalid(
      archive,
      undefined,
      "the archive holds several gzip members; a chart archive is one gzip stream",
      REPACK,
    );
  }
  if (rest.some((byte) => byte !== 0)) {
    throw archiveInvalid(archive, undefined, "the archive has data after the end of its gzip stream", REPACK);
  }
}

function drainOrClose(stream: Extract): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed) {
      resolve();
      return;
    }
    const done = () => {
      stream.off("drain", done);
      stream.off("close", done);
      resolve();
    };
    stream.on("drain", done);
    stream.on("close", done);
  });
}

export async function readArchiveMembers(bytes: Uint8Array, archive: string): Promise<ArchiveMembers> {
  if (bytes.length < 18 || bytes[0] !== 0x1f || bytes[1] !== 0x8b || bytes[2] !== 0x08) {
    throw archiveInvalid(
      archive,
      undefined,
      "the file is not a gzip archive",
      `give a .tgz chart archive (${REPACK})`,
    );
  }
  const collector = new Collector(archive);
  const extract = createExtract();
  let stopped = false;
  let feedError: unknown;
  const feeding = feed(bytes, archive, extract, () => stopped || extract.destroyed).catch(
    (error: unknown) => {
      feedError = error;
      extract.destroy(error instanceof Error ? error : new Error(String(error)));
    },
  );
  try {
    for await (const entry of extract) {
      const path = collector.admit(entry.header);
      const chunks: Uint8Array[] = [];
      for await (const chunk of entry) chunks.push(chunk as Uint8Array);
      if (path !== undefined) collector.files.set(path, new Uint8Array(Buffer.concat(chunks)));
    }
  } catch (error) {
    stopped = true;
    extract.destroy(null);
    await feeding;
    if (feedError !== undefined) throw feedError;
    if (error instanceof ReleaseError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new ReleaseError("ARCHIVE_INVALID", `the archive is not a valid tar inside gzip: ${reason}`, {
      file: archive,
      fix: REPACK,
      cause: error,
    });
  }
  await feeding;
  if (feedError !== undefined) throw feedError;
  return collector.result();
}
