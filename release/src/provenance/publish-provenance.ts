/**
 * The signed objects of a repository: the public key at its root (pubkey.asc armored, pubkey.gpg
 * the binary keyring Helm's --keyring reads) and `<archive>.prov` next to each signed archive.
 * Both are written create-only before the index names the version, so a user who sees the version
 * can verify it. A re-run finds them stored: a key with the same fingerprint, a .prov that signs
 * the same archive digest with the same key, count as done (a new signature differs in bytes only
 * by its time); anything else is refused, never replaced.
 */
import { isReleaseError, ReleaseError } from "../errors.js";
import { objectPolicyFor } from "../storage/object-policy.js";
import type { Store } from "../storage/store.js";
import {
  armoredPublicKey,
  binaryKeyring,
  fingerprintOf,
  messageOf,
  type PublicKey,
  readPublicKeys,
} from "./keys.js";
import { parseProvenance, sameSignedContent, verifyProvenance } from "./provenance.js";

/** Where a repository serves its public key, relative to the repository's URL. */
export const PUBLIC_KEY_ARMORED = "pubkey.asc";
export const PUBLIC_KEY_KEYRING = "pubkey.gpg";

export type Written = "uploaded" | "already-stored";

/** The archive a .prov belongs to: its file name and the lowercase hex SHA-256 of its bytes. */
export interface SignedArchive {
  fileName: string;
  digest: string;
}

export function provenanceKey(archiveName: string): string {
  return `${archiveName}.prov`;
}

/** Publishes the public key; refuses (before anything else is written) when the repository has another. */
export async function publishPublicKey(
  store: Store,
  key: PublicKey,
  log: (line: string) => void,
): Promise<Written> {
  const forms: Array<[string, Uint8Array]> = [
    [PUBLIC_KEY_ARMORED, new TextEncoder().encode(armoredPublicKey(key))],
    [PUBLIC_KEY_KEYRING, binaryKeyring(key)],
  ];
  // Checked first for both: a conflict leaves the repository as it was.
  const stored = await Promise.all(forms.map(([name]) => store.get(name)));
  for (const [i, [name]] of forms.entries()) {
    const existing = stored[i];
    if (existing !== undefined) await requireSameKey(store, name, existing.body, key);
  }
  let written: Written = "already-stored";
  for (const [i, [name, body]] of forms.entries()) {
    if (stored[i] !== undefined) continue;
    if ((await createOrFind(store, name, body)) === "uploaded") {
      written = "uploaded";
      log(`${name}: uploaded (key ${fingerprintOf(key)})`);
    } else {
      const again = await store.get(name);
      if (again !== undefined) await requireSameKey(store, name, again.body, key);
    }
  }
  if (written === "already-stored")
    log(`${PUBLIC_KEY_ARMORED}, ${PUBLIC_KEY_KEYRING}: already hold key ${fingerprintOf(key)}`);
  return written;
}

/**
 * Uploads `<archive>.prov`. An existing one counts as done when it verifies for this archive with
 * `key` (or, with no key given, signs the same digest with the same key ID as ours).
 */
export async function publishProvenance(
  store: Store,
  chart: SignedArchive,
  provenance: string,
  key: PublicKey | undefined,
  log: (line: string) => void,
): Promise<Written> {
  const name = provenanceKey(chart.fileName);
  const body = new TextEncoder().encode(provenance);
  if ((await createOrFind(store, name, body)) === "uploaded") {
    log(`${name}: uploaded`);
    return "uploaded";
  }
  const existing = await store.get(name);
  if (existing === undefined) {
    throw new ReleaseError("STORAGE_FAILED", `${name} was reported as existing but cannot be read back`, {
      file: `${store.location}/${name}`,
      fix: "run the same command again",
    });
  }
  const location = `${store.location}/${name}`;
  const text = new TextDecoder().decode(existing.body);
  try {
    if (key !== undefined) {
      await verifyProvenance(text, { archiveName: chart.fileName, digest: chart.digest }, [key], location);
    } else if (
      !sameSignedContent(await parseProvenance(text, location), await parseProvenance(provenance, name))
    ) {
      throw new ReleaseError("VERIFY_FAILED", "it signs other bytes or was signed by another key", {
        file: location,
      });
    }
  } catch (error) {
    if (!isReleaseError(error, "VERIFY_FAILED")) throw error;
    throw new ReleaseError(
      "VERSION_CONFLICT",
      `${chart.fileName} already has a provenance file that is not this release's: ${error.message}`,
      {
        file: location,
        fix: "a published .prov is never replaced; if the archive is ours, remove the foreign .prov by hand after checking it, then run again",
      },
    );
  }
  log(`${name}: already stored, signing this archive with the same key (a retry); going on`);
  return "already-stored";
}

async function createOrFind(store: Store, name: string, body: Uint8Array): Promise<Written> {
  const policy = objectPolicyFor(name);
  try {
    await store.putIfAbsent(name, body, {
      contentType: policy.contentType,
      cacheControl: policy.cacheControl,
    });
    return "uploaded";
  } catch (error) {
    if (!isReleaseError(error, "PRECONDITION_FAILED")) throw error;
    return "already-stored";
  }
}

async function requireSameKey(store: Store, name: string, body: Uint8Array, key: PublicKey): Promise<void> {
  const location = `${store.location}/${name}`;
  let stored: PublicKey[];
  try {
    stored = await readPublicKeys(body, location);
  } catch (error) {
    throw new ReleaseError(
      "VERSION_CONFLICT",
      `the repository's ${name} is not a public key: ${messageOf(error)}`,
      {
        file: location,
        fix: `restore ${name} from the maintainers' key (docs/verifying.md), then run again`,
      },
    );
  }
  const fingerprints = stored.map(fingerprintOf);
  if (fingerprints.length !== 1 || fingerprints[0] !== fingerprintOf(key)) {
    throw new ReleaseError(
      "VERSION_CONFLICT",
      `the repository publishes key ${fingerprints.join(", ")}, not the signing key ${fingerprintOf(key)}`,
      {
        file: location,
        fix: "sign with the repository's key; rotating the key is a deliberate change (docs/verifying.md), not a publish",
      },
    );
  }
}
