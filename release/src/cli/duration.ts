/**
 * The one duration grammar of every option that takes a time (--timeout, --wait-timeout,
 * --verify-timeout, --request-timeout), documented in the README: plain seconds (`90`, `1.5`), or
 * one or more number-and-unit parts with the units ms, s, m and h (`500ms`, `90s`, `15m`, `1h30m`),
 * as Go's time.ParseDuration writes them without the µs/ns units nobody gives on a command line.
 */
import { ReleaseError } from "../errors.js";

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const NUMBER = String.raw`\d+(?:\.\d+)?`;
const PLAIN_SECONDS = new RegExp(`^${NUMBER}$`);
const PARTS = new RegExp(`^(?:${NUMBER}(?:ms|s|m|h))+$`);
const PART = new RegExp(`(${NUMBER})(ms|s|m|h)`, "g");

export const DURATION_HELP =
  "plain seconds (90) or number-and-unit parts with ms, s, m, h (500ms, 15m, 1h30m)";

/** Milliseconds of a duration given to `option`; a usage error naming the option otherwise. */
export function parseDuration(value: string, option: string): number {
  const text = value.trim();
  if (PLAIN_SECONDS.test(text)) return Number(text) * 1000;
  if (PARTS.test(text)) {
    let ms = 0;
    for (const [, amount, unit] of text.matchAll(PART)) ms += Number(amount) * (UNIT_MS[unit ?? "s"] ?? 0);
    return ms;
  }
  throw new ReleaseError("USAGE", `${JSON.stringify(value)} is not a duration`, {
    field: option,
    fix: `give ${DURATION_HELP}`,
  });
}

/**
 * Seconds written in the grammar above, largest units first (`300` -> `5m`, `5400` -> `1h30m`):
 * how --help shows a default that comes from the repository policy.
 */
export function formatDuration(seconds: number): string {
  const parts: string[] = [];
  let rest = seconds;
  for (const [unit, size] of [
    ["h", 3600],
    ["m", 60],
    ["s", 1],
  ] as const) {
    const count = Math.floor(rest / size);
    if (count > 0) parts.push(`${count}${unit}`);
    rest -= count * size;
  }
  return parts.length === 0 ? "0s" : parts.join("");
}
