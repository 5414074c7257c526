/**
 * A minimal, deterministic ustar writer for chart archives: regular files only, in the order
 * given, with the header fields laid out as Go's archive/tar writes them (Helm's archives):
 * NUL-terminated octal numbers, "ustar\0" "00" magic, checksum as six digits, NUL and a space.
 * No PAX headers: a path longer than 100 bytes is split into the ustar prefix field at a `/`,
 * and a path that cannot be split so is refused by the caller (`ustarName` returns undefined).
 * The archive ends with two zero blocks and is not padded to a record size (as Go does).
 */
export interface TarFile {
  /** Full member name, e.g. `mychart/templates/deployment.yaml`. */
  name: string;
  data: Uint8Array;
}

export interface TarOptions {
  /** Seconds since the epoch for every member. */
  mtime: number;
  /** File mode, default 0o644. */
  mode?: number;
}

const BLOCK = 512;
const encoder = new TextEncoder();

/** Go's splitUSTARPath: name (<= 100 bytes) and prefix (<= 155 bytes), or undefined. */
export function ustarName(path: string): { name: Uint8Array; prefix: Uint8Array } | undefined {
  const bytes = encoder.encode(path);
  if (bytes.length <= 100) return { name: bytes, prefix: new Uint8Array(0) };
  const limit = Math.min(bytes.length, 156);
  const slash = bytes.subarray(0, limit).lastIndexOf(0x2f);
  const suffixLength = bytes.length - slash - 1;
  if (slash <= 0 || suffixLength > 100 || suffixLength === 0 || slash > 155) return undefined;
  return { name: bytes.subarray(slash + 1), prefix: bytes.subarray(0, slash) };
}

function writeOctal(block: Uint8Array, offset: number, width: number, value: number): void {
  const digits = value.toString(8).padStart(width - 1, "0");
  if (digits.length > width - 1) throw new RangeError(`${value} does not fit a ${width}-byte tar field`);
  block.set(encoder.encode(digits), offset);
  block[offset + width - 1] = 0;
}

function header(file: TarFile, options: TarOptions): Uint8Array {
  const split = ustarName(file.name);
  if (split === undefined) throw new RangeError(`${file.name} does not fit a ustar header`);
  const block = new Uint8Array(BLOCK);
  block.set(split.name, 0);
  writeOctal(block, 100, 8, options.mode ?? 0o644);
  writeOctal(block, 108, 8, 0); // uid
  writeOctal(block, 116, 8, 0); // gid
  writeOctal(block, 124, 12, file.data.length);
  writeOctal(block, 136, 12, options.mtime);
  block[156] = 0x30; // '0': regular file
  block.set(encoder.encode("ustar\u000000"), 257);
  // uname and gname stay empty
  writeOctal(block, 329, 8, 0); // devmajor
  writeOctal(block, 337, 8, 0); // devminor
  block.set(split.prefix, 345);
  block.fill(0x20, 148, 156); // checksum is computed with its own field as spaces
  const sum = block.reduce((total, byte) => total + byte, 0);
  writeOctal(block, 148, 7, sum);
  block[155] = 0x20;
  return block;
}

export function writeTar(files: readonly TarFile[], options: TarOptions): Uint8Array {
  const size = files.reduce(
    (total, file) => total + BLOCK + Math.ceil(file.data.length / BLOCK) * BLOCK,
    2 * BLOCK,
  );
  const out = new Uint8Array(size);
  let offset = 0;
  for (const file of files) {
    out.set(header(file, options), offset);
    offset += BLOCK;
    out.set(file.data, offset);
    offset += Math.ceil(file.data.length / BLOCK) * BLOCK;
  }
  return out; // the rest is already zero: padding and the two end blocks
}
