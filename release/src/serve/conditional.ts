/**
 * Entity tags and conditional GET (RFC 9110 sections 8.8.3 and 13). Pure: no I/O.
 *
 * The server's ETags are strong and derived from the bytes only, so they are stable across restarts
 * and equal for equal bytes, like an object store's. A compressed representation is a different
 * representation and gets its own tag (`"<hash>-gzip"`).
 */
import { createHash } from "node:crypto";

/** Hex digits of the SHA-256 kept in an ETag: 128 bits, plenty to tell versions of one file apart. */
const ETAG_HEX_LENGTH = 32;

/** The strong, quoted ETag of `bytes` served with the given content coding. */
export function contentEtag(bytes: Uint8Array, coding: "identity" | "gzip" = "identity"): string {
  const hash = createHash("sha256").update(bytes).digest("hex").slice(0, ETAG_HEX_LENGTH);
  return coding === "gzip" ? `"${hash}-gzip"` : `"${hash}"`;
}

export interface EntityTagList {
  /** The list was (or contained) `*`: matches any current representation. */
  any: boolean;
  /** Opaque tags with their quotes and without any `W/` prefix, in order. */
  tags: string[];
}

/**
 * Parses an If-None-Match / If-Match field value: `*` or a comma-separated list of entity tags.
 * Commas may appear inside a quoted tag. Malformed members are skipped, never guessed at.
 */
export function parseEntityTags(value: string): EntityTagList {
  const result: EntityTagList = { any: false, tags: [] };
  let i = 0;
  while (i < value.length) {
    const char = value[i];
    if (char === " " || char === "\t" || char === ",") {
      i += 1;
      continue;
    }
    if (char === "*") {
      result.any = true;
      i += 1;
      continue;
    }
    const start = value.startsWith("W/", i) ? i + 2 : i;
    if (value[start] === '"') {
      const end = value.indexOf('"', start + 1);
      if (end === -1) break;
      result.tags.push(value.slice(start, end + 1));
      i = end + 1;
      continue;
    }
    // Not an entity tag: skip this member.
    const comma = value.indexOf(",", i);
    i = comma === -1 ? value.length : comma + 1;
  }
  return result;
}

/** Weak comparison (RFC 9110 8.8.3.2): equal opaque tags, whatever their `W/` prefixes. */
export function weakMatch(a: string, b: string): boolean {
  return stripWeak(a) === stripWeak(b);
}

function stripWeak(tag: string): string {
  return tag.startsWith("W/") ? tag.slice(2) : tag;
}

/** Whether an If-None-Match field value matches the current representation's ETag. */
export function ifNoneMatchMatches(fieldValue: string, currentEtag: string): boolean {
  const list = parseEntityTags(fieldValue);
  return list.any || list.tags.some((tag) => weakMatch(tag, currentEtag));
}

export interface ConditionalHeaders {
  ifNoneMatch?: string | undefined;
  ifModifiedSince?: string | undefined;
}

export interface CurrentRepresentation {
  etag: string;
  lastModified: Date;
}

/**
 * Whether a GET or HEAD should be answered 304 Not Modified (RFC 9110 13.2.2, steps 3 and 4).
 * If-None-Match decides when present; If-Modified-Since is honoured only without it. HTTP dates
 * have whole seconds, so the modification time is compared truncated to the second. An
 * unparsable date is ignored.
 */
export function isNotModified(request: ConditionalHeaders, current: CurrentRepresentation): boolean {
  if (request.ifNoneMatch !== undefined) {
    return ifNoneMatchMatches(request.ifNoneMatch, current.etag);
  }
  if (request.ifModifiedSince !== undefined) {
    const since = Date.parse(request.ifModifiedSince);
    if (Number.isNaN(since)) return false;
    const modified = Math.floor(current.lastModified.getTime() / 1000) * 1000;
    return modified <= since;
  }
  return false;
}
