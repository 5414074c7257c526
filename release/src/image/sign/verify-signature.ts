/**
 * Checks, as an anonymous user, that a published image carries what the release attaches: a
 * cosign signature on the image index, and on each platform an SPDX SBOM attestation describing
 * that platform. cosign does the cryptography (against a public key, or a keyless identity and
 * its OIDC issuer); this module decides what its answers mean, and fails closed: anything but a
 * verified signature and SBOM for the exact digests is a problem, named with the digest.
 */
import type { ImageInspection } from "../inspect.js";
import type { ImageReference } from "../reference.js";
import { describedDigest, SPDX_PREDICATE_TYPE, type SpdxDocument } from "../sbom/spdx.js";
import { type CosignRun, cosignMessage, runCosign } from "./cosign.js";
import { type VerifyIdentity, verifyArgs, verifyAttestationArgs } from "./cosign-args.js";
import { withCosignHome } from "./cosign-home.js";

export interface SignatureRequirements {
  cosign: string;
  env: NodeJS.ProcessEnv;
  identity: VerifyIdentity;
  signature: boolean;
  sbom: boolean;
}

export interface VerifiedSbom {
  platform: string;
  digest: string;
  /** The SBOM as attested. */
  document: SpdxDocument;
}

export interface SignatureCheck {
  signed: boolean;
  sboms: VerifiedSbom[];
  problems: string[];
}

function identityText(identity: VerifyIdentity): string {
  return identity.kind === "key"
    ? `the public key ${identity.publicKeyFile}`
    : `the identity ${identity.identity} (issuer ${identity.issuer})`;
}

/** What a failed cosign verify means, in the words of this release. */
export function verifyFailure(
  run: CosignRun,
  what: string,
  digest: string,
  identity: VerifyIdentity,
): string {
  const message = cosignMessage(run);
  if (/no signatures found/i.test(message)) return `${what} ${digest} is not signed (no signature found)`;
  // cosign 3 says "no matching attestations: " with nothing after it when there is none at all.
  if (
    /none of the attestations matched the predicate type|no attestations found|no matching attestations:\s*$/i.test(
      message,
    )
  )
    return `${what} ${digest} has no SBOM attestation (no SPDX attestation found)`;
  if (/no matching (signatures|attestations)|signature|certificate|identity|issuer/i.test(message))
    return `${what} ${digest} has a signature that does not verify with ${identityText(identity)}: ${message}`;
  return `${what} ${digest}: cosign could not verify it: ${message}`;
}

interface Envelope {
  payloadType?: string;
  payload?: string;
}

interface Statement {
  predicateType?: string;
  subject?: Array<{ digest?: { sha256?: string } }>;
  predicate?: SpdxDocument;
}

/** The SPDX documents of verified attestations whose subject is `digest` (cosign prints one envelope a line). */
export function attestedSboms(stdout: string, digest: string): SpdxDocument[] {
  const hex = digest.replace(/^sha256:/, "");
  const documents: SpdxDocument[] = [];
  for (const line of stdout.split("\n")) {
    if (line.trim() === "") continue;
    let statement: Statement;
    try {
      const envelope = JSON.parse(line) as Envelope;
      statement = JSON.parse(Buffer.from(envelope.payload ?? "", "base64").toString("utf8")) as Statement;
    } catch {
      continue;
    }
    if (statement.predicateType !== SPDX_PREDICATE_TYPE) continue;
    if (!statement.subject?.some((s) => s.digest?.sha256 === hex)) continue;
    const document = statement.predicate;
    if (document?.spdxVersion === "SPDX-2.3" && describedDigest(document) === digest)
      documents.push(document);
  }
  return documents;
}

export async function checkSignatures(
  ref: ImageReference,
  image: ImageInspection,
  requirements: SignatureRequirements,
): Promise<SignatureCheck> {
  const repository = `${ref.registry}/${ref.name}`;
  const problems: string[] = [];
  const sboms: VerifiedSbom[] = [];
  let signed = false;
  // No credentials: cosign reads the registry as an anonymous user does.
  await withCosignHome(ref.registry, undefined, async (home) => {
    const env = { ...requirements.env, DOCKER_CONFIG: home.dockerConfig };
    const run = (args: string[]) => runCosign({ binary: requirements.cosign, env }, args);
    if (requirements.signature) {
      const result = await run(verifyArgs(requirements.identity, `${repository}@${image.digest}`));
      if (result.code === 0) signed = true;
      else problems.push(verifyFailure(result, "the image index", image.digest, requirements.identity));
    }
    if (requirements.sbom) {
      for (const platform of image.platforms.filter((p) => !p.attestation)) {
        const result = await run(
          verifyAttestationArgs(requirements.identity, `${repository}@${platform.digest}`),
        );
        if (result.code !== 0) {
          problems.push(verifyFailure(result, platform.platform, platform.digest, requirements.identity));
          continue;
        }
        const document = attestedSboms(result.stdout, platform.digest)[0];
        if (document === undefined) {
          problems.push(
            `${platform.platform} ${platform.digest} has a verified attestation, but none is an SPDX 2.3 SBOM of this digest`,
          );
        } else sboms.push({ platform: platform.platform, digest: platform.digest, document });
      }
    }
  });
  return { signed, sboms, problems };
}
