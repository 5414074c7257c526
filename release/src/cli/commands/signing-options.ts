/**
 * The options that choose how cosign signs or verifies: a key file, or keyless (GitHub OIDC),
 * and the cosign binary. Shared by `image sign` and `image verify`.
 */
import { resolve } from "node:path";
import { ReleaseError } from "../../errors.js";
import type { SigningMode, VerifyIdentity } from "../../image/sign/cosign-args.js";

export interface SigningFlags {
  key?: string;
  certificateIdentity?: string;
  certificateOidcIssuer?: string;
  cosign: string;
}

export const COSIGN_OPTION = [
  "--cosign <path>",
  "the cosign binary (the pinned one: npm run tools -- cosign)",
  "cosign",
] as const;

/** Keyless signing uses the job's OIDC token, which GitHub Actions offers with `id-token: write`. */
export function signingMode(flags: SigningFlags, cwd: string, env: NodeJS.ProcessEnv): SigningMode {
  if (flags.key !== undefined) return { kind: "key", keyFile: resolve(cwd, flags.key) };
  if (!env.ACTIONS_ID_TOKEN_REQUEST_URL || !env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) {
    throw new ReleaseError(
      "USAGE",
      "keyless signing needs GitHub Actions' OIDC token, and there is none here",
      {
        field: "--key",
        fix: "give --key <cosign.key> (its password in COSIGN_PASSWORD), or run in a GitHub Actions job with permissions id-token: write",
      },
    );
  }
  return { kind: "keyless" };
}

export function verifyIdentity(flags: SigningFlags, cwd: string): VerifyIdentity {
  const keyless = flags.certificateIdentity !== undefined || flags.certificateOidcIssuer !== undefined;
  if (flags.key !== undefined && keyless) {
    throw new ReleaseError("USAGE", "give a public key or a keyless identity, not both", {
      field: "--key",
      fix: "--key <cosign.pub>, or --certificate-identity <workflow URL> --certificate-oidc-issuer <issuer>",
    });
  }
  if (flags.key !== undefined) return { kind: "key", publicKeyFile: resolve(cwd, flags.key) };
  if (flags.certificateIdentity === undefined || flags.certificateOidcIssuer === undefined) {
    throw new ReleaseError("USAGE", "say whose signature to require", {
      field: flags.certificateIdentity === undefined ? "--certificate-identity" : "--certificate-oidc-issuer",
      fix: "--key <cosign.pub>, or both --certificate-identity and --certificate-oidc-issuer (e.g. https://token.actions.githubusercontent.com)",
    });
  }
  return { kind: "keyless", identity: flags.certificateIdentity, issuer: flags.certificateOidcIssuer };
}
