/** Sizes and durations as people write them on the command line. */
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

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `15m`, `90s`, `1h30m`, `500ms`. */
export function parseDuration(text: string, field: string): number {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text) {
    throw new ReleaseError("USAGE", `${JSON.stringify(text)} is not a duration`, {
      field,
      fix: "write e.g. 15m, 90s or 1h30m",
    });
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * (DURATION_UNITS[p[2] ?? "s"] ?? 0), 0);
}
