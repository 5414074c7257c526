/**
 * Accept-Encoding negotiation (RFC 9110 12.5.3). Pure: no I/O.
 *
 * The server knows two codings, identity and gzip, and offers gzip only for objects whose policy
 * says they are compressible (never an archive: that decision is the caller's, from
 * objectPolicyFor). This module only answers: does this request let us send gzip?
 */

export interface CodingPreference {
  /** Lowercased content-coding token, `*` included. */
  coding: string;
  /** Weight between 0 and 1; 0 means "not acceptable". */
  q: number;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/**
 * Parses an Accept-Encoding field value into codings and weights, in order. Members with an
 * invalid token or an invalid weight are dropped: a client that cannot be understood gets the
 * uncompressed bytes.
 */
export function parseAcceptEncoding(value: string): CodingPreference[] {
  const preferences: CodingPreference[] = [];
  for (const member of value.split(",")) {
    const [rawCoding = "", ...params] = member.split(";");
    const coding = rawCoding.trim().toLowerCase();
    if (coding === "" || !TOKEN.test(coding)) continue;
    let q = 1;
    let valid = true;
    for (const param of params) {
      const [name = "", weight] = param.trim().split("=", 2);
      if (name.toLowerCase() !== "q") continue;
      if (weight === undefined || !QVALUE.test(weight)) {
        valid = false;
        break;
      }
      q = Number(weight);
    }
    if (valid) preferences.push({ coding, q });
  }
  return preferences;
}

/**
 * Whether a request with this Accept-Encoding value may be answered with gzip.
 *
 * - No header (or an empty one): no. A client that asks nothing gets the bytes as stored.
 * - gzip's weight is that of `gzip` (or its alias `x-gzip`), else that of `*`, else 0.
 * - gzip is chosen when its weight is above 0 and not below identity's explicit weight (`identity`,
 *   else `*`). An identity that is only implicitly acceptable does not compete.
 */
export function acceptsGzip(value: string | undefined): boolean {
  if (value === undefined) return false;
  const preferences = parseAcceptEncoding(value);
  const weightOf = (coding: string): number | undefined =>
    preferences.find((preference) => preference.coding === coding)?.q;
  const star = weightOf("*");
  const gzip = weightOf("gzip") ?? weightOf("x-gzip") ?? star ?? 0;
  const identity = weightOf("identity") ?? star ?? 0;
  return gzip > 0 && gzip >= identity;
}
