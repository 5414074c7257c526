/**
 * Checks the .prov users get next to an archive, as `helm install --verify` does: Helm downloads
 * `<archive URL>.prov` and checks the signature against the keyring and the archive's digest under
 * the archive's file name (the last segment of its URL). With keys given, the .prov is required;
 * without, one that is served must at least sign the archive's digest (its signature unchecked).
 */
import { ReleaseError } from "../errors.js";
import type { Store } from "../storage/store.js";
import { messageOf, type PublicKey } from "./keys.js";
import { parseProvenance, verifyProvenance } from "./provenance.js";
import { provenanceKey } from "./publish-provenance.js";

export type ProvenanceFetch = (archiveUrl: string) => Promise<{ text: string; location: string } | undefined>;

export interface ProvenanceCheck {
  location: string;
  /** Whether the signature was checked against a given key (else only the signed digest). */
  signatureChecked: boolean;
  signedBy: string | null;
  signerUserIds: string[];
  signedAt: string | null;
}

export function httpProvenanceFetch(repositoryUrl: string, timeoutMs = 60_000): ProvenanceFetch {
  const base = repositoryUrl.endsWith("/") ? repositoryUrl : `${repositoryUrl}/`;
  return async (archiveUrl) => {
    const location = `${new URL(archiveUrl, base).toString()}.prov`;
    let response: Response;
    try {
      response = await fetch(location, {
        signal: AbortSignal.timeout(timeoutMs),
        headers: { "User-Agent": "kube9-release" },
      });
    } catch (error) {
      throw new ReleaseError("VERIFY_FAILED", `cannot download: ${messageOf(error)}`, {
        file: location,
        fix: "check the repository URL and that the server answers",
        cause: error,
      });
    }
    // S3 behind CloudFront answers 403 for a key that does not exist.
    if (response.status === 404 || response.status === 403) return undefined;
    if (!response.ok) {
      throw new ReleaseError("VERIFY_FAILED", `HTTP ${response.status} ${response.statusText}`, {
        file: location,
        fix: "check the server",
      });
    }
    return { text: await response.text(), location };
  };
}

export function storeProvenanceFetch(store: Store): ProvenanceFetch {
  return async (archiveUrl) => {
    const key = provenanceKey(archiveFileName(archiveUrl));
    const object = await store.get(key);
    return object === undefined
      ? undefined
      : { text: new TextDecoder().decode(object.body), location: `${store.location}/${key}` };
  };
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
