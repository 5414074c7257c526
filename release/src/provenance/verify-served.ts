/**
 * Checks the .prov users get next to an archive, as `helm install --verify` does: Helm downloads
 * `<archive URL>.prov` and checks the signature against the keyring and the archive's digest under
 * the archive's file name (the last segment of its URL). With keys given, the .prov is required;
 * without, one that is served must at least sign the archive's digest (its signature unchecked).
 */
import { ReleaseError } from "../errors.js";
import type { PublicKey } from "./keys.js";
import { parseProvenance, verifyProvenance } from "./provenance.js";

/**
 * Reads the `.prov` of an archive where users get it (publish/repository-reader.ts, through the
 * public URL or the store); undefined when none is served.
 */
export type ProvenanceFetch = (archiveUrl: string) => Promise<{ text: string; location: string } | undefined>;

export interface ProvenanceCheck {
  location: string;
  /** Whether the signature was checked against a given key (else only the signed digest). */
  signatureChecked: boolean;
  signedBy: string | null;
  signerUserIds: string[];
  signedAt: string | null;
}

export async function checkServedProvenance(
  fetchProvenance: ProvenanceFetch,
  archive: { url: string; digest: string },
  keys: PublicKey[] | undefined,
): Promise<ProvenanceCheck | undefined> {
  const archiveName = archiveFileName(archive.url);
  const served = await fetchProvenance(archive.url);
  if (served === undefined) {
    if (keys === undefined) return undefined;
    throw new ReleaseError("VERIFY_FAILED", `${archiveName} has no provenance file (${archiveName}.prov)`, {
      file: archive.url,
      fix: "publish the chart signed (`chart publish --sign-key`); `helm install --verify` fails without it",
    });
  }
  if (keys !== undefined) {
    const verified = await verifyProvenance(
      served.text,
      { archiveName, digest: archive.digest },
      keys,
      served.location,
    );
    return {
      location: served.location,
      signatureChecked: true,
      signedBy: verified.signedBy,
      signerUserIds: verified.signerUserIds,
      signedAt: verified.signedAt ?? null,
    };
  }
  const parsed = await parseProvenance(served.text, served.location);
  const claimed = parsed.files[archiveName];
  if (claimed !== `sha256:${archive.digest}`) {
    throw new ReleaseError(
      "VERIFY_FAILED",
      `the provenance signs ${claimed ?? "no checksum"} for ${archiveName}, the archive is sha256:${archive.digest}`,
      {
        file: served.location,
        field: `files.${archiveName}`,
        fix: "the archive or its .prov was replaced after publishing",
      },
    );
  }
  return {
    location: served.location,
    signatureChecked: false,
    signedBy: null,
    signerUserIds: [],
    signedAt: null,
  };
}

/** Helm names the downloaded archive (and looks it up in the .prov) by its URL's last path segment. */
export function archiveFileName(archiveUrl: string): string {
  const path = /^[a-z][a-z0-9+.-]*:/i.test(archiveUrl)
    ? new URL(archiveUrl).pathname
    : (archiveUrl.split(/[?#]/)[0] ?? "");
  return decodeURIComponent(path.split("/").pop() ?? "");
}
