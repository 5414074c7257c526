/**
 * Helm's provenance file, `<name>-<version>.tgz.prov` (pkg/provenance of Helm 3 and 4): an OpenPGP
 * clearsigned message whose text is the chart's Chart.yaml, the YAML document end marker `...`,
 * then `files:` mapping the archive's file name to `sha256:<hex>` of its bytes. Helm verifies the
 * signature against a binary keyring, then compares the digest of the archive it downloaded with
 * the one signed; it reads the text after the first `\n...\n` only, so a Chart.yaml holding a
 * `...` line of its own is refused here.
 *
 * The signature is made with SHA-512 (what `helm package --sign` uses). A signature carries its
 * time, so two signatures of the same archive differ in bytes: "the same provenance" is decided by
 * what it signs and who signed it (sameSigner, verifyProvenance), never by comparing bytes.
 */
import { load } from "js-yaml";
import * as openpgp from "openpgp";
import { ReleaseError } from "../errors.js";
import { fingerprintOf, messageOf, type SigningKey } from "./keys.js";

/** How Helm separates the chart metadata from the checksums in the signed text. */
const DOCUMENT_END = "\n...\n";

export interface ProvenanceSubject {
  /** The archive's file name, `<name>-<version>.tgz`, as Helm looks it up. */
  archiveName: string;
  /** Lowercase hex SHA-256 of the archive's bytes. */
  digest: string;
  /** The Chart.yaml the archive holds (our archives hold the re-emitted form, emit-chart-yaml.ts). */
  chartYaml: string;
}

export interface ParsedProvenance {
  /** The signed Chart.yaml text. */
  chartYaml: string;
  /** File name -> `sha256:<hex>`, as signed. */
  files: Record<string, string>;
  /** Key IDs (16 hex digits, lower case) of the signatures, read from the signature packets. */
  signingKeyIds: string[];
  message: openpgp.CleartextMessage;
}

export interface VerifiedProvenance {
  archiveName: string;
  digest: string;
  /** Fingerprint of the key that signed (upper-case hex). */
  signedBy: string;
  /** The user IDs of that key, e.g. `kube9 charts <charts@kube9.io>`. */
  signerUserIds: string[];
  signedAt: string | undefined;
}

/** The clearsigned text: Chart.yaml, `...`, then the checksum of the archive. */
export function provenanceText(subject: ProvenanceSubject): string {
  const chartYaml = subject.chartYaml.endsWith("\n") ? subject.chartYaml : `${subject.chartYaml}\n`;
  if (`\n${chartYaml}`.includes(DOCUMENT_END)) {
    throw new ReleaseError(
      "CHART_INVALID",
      "Chart.yaml holds a `...` line, which ends Helm's provenance metadata",
      {
        file: subject.archiveName,
        field: "Chart.yaml",
        fix: "remove the `...` line from Chart.yaml",
      },
    );
  }
  // Helm writes the YAML of the metadata (ending in a newline), then "\n...\n", then the sums.
  return `${chartYaml}${DOCUMENT_END}files:\n  ${subject.archiveName}: sha256:${subject.digest}`;
}

export async function signProvenance(subject: ProvenanceSubject, key: SigningKey): Promise<string> {
  const message = await openpgp.createCleartextMessage({ text: provenanceText(subject) });
  try {
    const signed = await openpgp.sign({
      message,
      signingKeys: key.privateKey,
      config: { preferredHashAlgorithm: openpgp.enums.hash.sha512 },
    });
    // OpenPGP.js writes the text with CRLF; Helm writes LF. A text signature covers the lines, not
    // their endings, so the file is written like Helm's.
    return signed.replaceAll("\r\n", "\n");
  } catch (error) {
    throw new ReleaseError("KEY_INVALID", `cannot sign ${subject.archiveName}: ${messageOf(error)}`, {
      fix: "check that the signing key is not expired or revoked",
      cause: error,
    });
  }
}

/** Reads a .prov without checking its signature: what it signs and which key IDs signed it. */
export async function parseProvenance(text: string, file: string): Promise<ParsedProvenance> {
  let message: openpgp.CleartextMessage;
  try {
    message = await openpgp.readCleartextMessage({ cleartextMessage: text });
  } catch (error) {
    throw invalid(file, `not an OpenPGP clearsigned message: ${messageOf(error)}`);
  }
  const signed = message.getText();
  const cut = signed.indexOf(DOCUMENT_END);
  if (cut < 0) throw invalid(file, "the signed text has no `...` line between Chart.yaml and the checksums");
  const rest = signed.slice(cut + DOCUMENT_END.length);
  const next = rest.indexOf(DOCUMENT_END);
  let sums: unknown;
  try {
    sums = load(next < 0 ? rest : rest.slice(0, next));
  } catch (error) {
    throw invalid(file, `the checksums are not YAML: ${messageOf(error)}`);
  }
  const files = (sums as { files?: unknown } | null)?.files;
  if (files === null || typeof files !== "object" || Array.isArray(files)) {
    throw invalid(file, "the signed text has no `files:` map of checksums");
  }
  const entries = Object.entries(files as Record<string, unknown>);
  if (entries.some(([, value]) => typeof value !== "string")) {
    throw invalid(file, "a checksum in `files:` is not a string");
  }
  return {
    chartYaml: signed.slice(0, cut),
    files: Object.fromEntries(entries) as Record<string, string>,
    signingKeyIds: message.getSigningKeyIDs().map((id) => id.toHex()),
    message,
  };
}

/** Checks the signature over the text; returns when it was made, if the signature says. */
async function verifySignature(
  parsed: ParsedProvenance,
  keys: openpgp.PublicKey[],
  file: string,
): Promise<Date | undefined> {
  try {
    const result = await openpgp.verify({
      message: parsed.message,
      verificationKeys: keys,
      expectSigned: true,
    });
    const [first] = result.signatures;
    if (first === undefined) return undefined;
    const signature = await first.signature;
    return signature.packets[0]?.created ?? undefined;
  } catch (error) {
    throw new ReleaseError("VERIFY_FAILED", `the signature does not verify: ${messageOf(error)}`, {
      file,
      fix: "the .prov was changed after signing; publish it again from the signed release",
    });
  }
}

/** The signed checksums name the archive, with its digest. */
function checkSignedDigest(
  parsed: ParsedProvenance,
  subject: Pick<ProvenanceSubject, "archiveName" | "digest">,
  file: string,
): void {
  const expected = `sha256:${subject.digest}`;
  const claimed = parsed.files[subject.archiveName];
  if (claimed === undefined) {
    throw new ReleaseError("VERIFY_FAILED", `the provenance has no checksum for ${subject.archiveName}`, {
      file,
      field: "files",
      fix: `it signs ${Object.keys(parsed.files).join(", ") || "nothing"}; the .prov belongs to another archive`,
    });
  }
  if (claimed !== expected) {
    throw new ReleaseError(
      "VERIFY_FAILED",
      `the archive has ${expected} but its provenance signs ${claimed}`,
      {
        file,
        field: `files.${subject.archiveName}`,
        fix: "the archive or its .prov was replaced; a published version is never rebuilt",
      },
    );
  }
}

/**
 * What `helm verify` checks: a signature by one of `keys` over the text, and the archive's digest
 * in it under the archive's name. Throws VERIFY_FAILED naming what does not match.
 */
export async function verifyProvenance(
  text: string,
  subject: Pick<ProvenanceSubject, "archiveName" | "digest">,
  keys: openpgp.PublicKey[],
  file: string,
): Promise<VerifiedProvenance> {
  const parsed = await parseProvenance(text, file);
  const signer = keys.find((key) =>
    parsed.signingKeyIds.some((id) => key.getKeyIDs().some((keyId) => keyId.toHex() === id)),
  );
  if (signer === undefined) {
    throw new ReleaseError(
      "VERIFY_FAILED",
      `signed by key ${parsed.signingKeyIds.join(", ").toUpperCase() || "(none)"}, which is not the given key (${keys.map(fingerprintOf).join(", ")})`,
      {
        file,
        fix: "verify with the repository's public key (pubkey.asc); a .prov signed by another key is not ours",
      },
    );
  }
  const signedAt = await verifySignature(parsed, keys, file);
  checkSignedDigest(parsed, subject, file);
  return {
    archiveName: subject.archiveName,
    digest: subject.digest,
    signedBy: fingerprintOf(signer),
    signerUserIds: signer.getUserIDs(),
    signedAt: signedAt?.toISOString(),
  };
}

/** Whether two .prov sign the same archive digest with the same key (their bytes differ by the time). */
export function sameSignedContent(a: ParsedProvenance, b: ParsedProvenance): boolean {
  const sameFiles =
    Object.keys(a.files).length === Object.keys(b.files).length &&
    Object.entries(a.files).every(([name, sum]) => b.files[name] === sum);
  const sameKeys =
    a.signingKeyIds.length > 0 &&
    a.signingKeyIds.length === b.signingKeyIds.length &&
    a.signingKeyIds.every((id) => b.signingKeyIds.includes(id));
  return sameFiles && sameKeys;
}

function invalid(file: string, message: string): ReleaseError {
  return new ReleaseError("VERIFY_FAILED", message, {
    file,
    fix: "a .prov is the clearsigned file `helm package --sign` or `kube9-release chart package --sign-key` writes",
  });
}
