/** Sizes as people write them on the command line (durations: cli/duration.ts). */
import { ReleaseError } from "../errors.js";

const SIZE_UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

/** `200MB` (decimal, as `docker images` and ghcr.io show sizes), `190MiB`, or bytes. */
export function parseSize(text: string, field: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = SIZE_UNITS[(match?.[2] ?? "x").toLowerCase()];
  if (match === null || unit === undefined) {
    throw new ReleaseError("USAGE", `${JSON.stringify(text)} is not a size`, {
      field,
      fix: "write e.g. 200MB (1 MB = 1,000,000 bytes) or 190MiB",
    });
  }
  return Math.floor(Number(match[1]) * unit);
}

export function formatSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1000 ** 2) return `${(bytes / 1000).toFixed(1)} kB`;
  return `${(bytes / 1000 ** 2).toFixed(1)} MB`;
}
