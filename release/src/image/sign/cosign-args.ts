/**
 * The cosign command lines of signing and verifying, one place for each mode:
 * - keyless (the release in GitHub Actions): a short-lived Fulcio certificate for the workflow's
 *   OIDC identity, recorded in the public transparency log;
 * - key (tests, the rehearsal, offline use): a cosign key pair, with no transparency log. cosign 3
 *   signs with a "signing config" that names the services to use; an empty one means none (no
 *   Fulcio, no Rekor, no timestamp authority), and an empty trusted root keeps it from fetching
 *   Sigstore's public one.
 */

export type SigningMode = { kind: "key"; keyFile: string } | { kind: "keyless" };

export type VerifyIdentity =
  | { kind: "key"; publicKeyFile: string }
  | { kind: "keyless"; identity: string; issuer: string };

/** The files key-mode signing needs besides the key. */
export interface OfflineSigningFiles {
  signingConfig: string;
  trustedRoot: string;
}

export const EMPTY_SIGNING_CONFIG = { mediaType: "application/vnd.dev.sigstore.signingconfig.v0.2+json" };
export const EMPTY_TRUSTED_ROOT = { mediaType: "application/vnd.dev.sigstore.trustedroot+json;version=0.1" };

/** The SBOM attestation type (cosign's name for the SPDX JSON predicate). */
export const SBOM_TYPE = "spdxjson";

function signingFlags(mode: SigningMode, offline: OfflineSigningFiles | undefined): string[] {
  if (mode.kind === "keyless") return ["--yes"];
  if (offline === undefined) throw new Error("key signing needs the offline signing files");
  return [
    "--key",
    mode.keyFile,
    "--signing-config",
    offline.signingConfig,
    "--trusted-root",
    offline.trustedRoot,
    "--yes",
  ];
}

export function signArgs(mode: SigningMode, reference: string, offline?: OfflineSigningFiles): string[] {
  return ["sign", ...signingFlags(mode, offline), reference];
}

export function attestArgs(
  mode: SigningMode,
  reference: string,
  predicateFile: string,
  offline?: OfflineSigningFiles,
): string[] {
  return [
    "attest",
    ...signingFlags(mode, offline),
    "--type",
    SBOM_TYPE,
    "--predicate",
    predicateFile,
    reference,
  ];
}

function identityFlags(identity: VerifyIdentity): string[] {
  if (identity.kind === "key") return ["--key", identity.publicKeyFile, "--insecure-ignore-tlog=true"];
  return ["--certificate-identity", identity.identity, "--certificate-oidc-issuer", identity.issuer];
}

export function verifyArgs(identity: VerifyIdentity, reference: string): string[] {
  return ["verify", ...identityFlags(identity), "--output", "json", reference];
}

export function verifyAttestationArgs(identity: VerifyIdentity, reference: string): string[] {
  return [
    "verify-attestation",
    ...identityFlags(identity),
    "--type",
    SBOM_TYPE,
    "--output",
    "json",
    reference,
  ];
}
