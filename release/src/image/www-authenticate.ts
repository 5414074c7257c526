/**
 * The `WWW-Authenticate` challenge of a registry (RFC 7235 auth-params): scheme, then
 * comma-separated `key=value` pairs whose values may be quoted strings with `\` escapes. The
 * distribution token spec needs realm, service and scope of a `Bearer` challenge; the scope value
 * itself contains commas (`repository:a/b:pull,push`), so a split on ',' would be wrong.
 */
export interface BearerChallenge {
  realm: string;
  service: string | undefined;
  scope: string | undefined;
}

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

export function parseChallenge(header: string): Challenge | undefined {
  const match = /^\s*([A-Za-z][\w!#$%&'*+.^`|~-]*)\s*(.*)$/s.exec(header);
  if (match === null) return undefined;
  const scheme = match[1] ?? "";
  const text = match[2] ?? "";
  const params: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    while (i < text.length && (text[i] === " " || text[i] === ",")) i++;
    if (i >= text.length) break;
    const key = /^[\w!#$%&'*+.^`|~-]+/.exec(text.slice(i))?.[0];
    if (key === undefined) return undefined;
    i += key.length;
    while (text[i] === " ") i++;
    if (text[i] !== "=") return undefined;
    i++;
    while (text[i] === " ") i++;
    let value = "";
    if (text[i] === '"') {
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === "\\" && i + 1 < text.length) i++;
        value += text[i];
        i++;
      }
      if (text[i] !== '"') return undefined;
      i++;
    } else {
      const token = /^[^\s,]*/.exec(text.slice(i))?.[0] ?? "";
      value = token;
      i += token.length;
    }
    params[key.toLowerCase()] = value;
  }
  return { scheme, params };
}

/** The Bearer challenge of a 401 answer, or undefined when the header is absent or another scheme. */
export function parseBearerChallenge(header: string | null): BearerChallenge | undefined {
  if (header === null) return undefined;
  const challenge = parseChallenge(header);
  if (challenge === undefined || challenge.scheme.toLowerCase() !== "bearer") return undefined;
  const realm = challenge.params.realm;
  if (realm === undefined || !isHttpUrl(realm)) return undefined;
  return { realm, service: challenge.params.service, scope: challenge.params.scope };
}

/** The realm must be an absolute http(s) URL: a token is fetched from nowhere else. */
function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (
      (url.protocol === "https:" || url.protocol === "http:") && url.username === "" && url.password === ""
    );
  } catch {
    return false;
  }
}
