import type { IndexFile } from "../release/src/repo/index-file.js";

/** `n` pseudo-random hexadecimal digits (deterministic sequence). */
export function hex(n: number): string;
/** An index of `total` entries of about 1 KB each, in charts of about 300 versions; the same bytes every run. */
export function syntheticIndex(total: number): IndexFile;
