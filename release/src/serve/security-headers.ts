/**
 * Headers every answer of the repository carries, as the CDN in front of the bucket adds them
 * (infrastructure/lib/distribution.ts; a test keeps the two equal). The files are data for
 * Helm: in a browser nothing may run, load or frame them, whatever Content-Type they have.
 */
export const CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";
export const FRAME_OPTIONS = "DENY";

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy": CONTENT_SECURITY_POLICY,
  "X-Frame-Options": FRAME_OPTIONS,
  "X-Content-Type-Options": "nosniff",
};
