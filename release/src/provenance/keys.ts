/**
 * The OpenPGP keys of chart provenance: the maintainers' private signing key (armored, optionally
 * passphrase-protected) and the public keys users verify with (armored or binary, one key or a
 * keyring). Only version 4 RSA keys are taken: Helm 3 and Helm 4 both verify with the Go OpenPGP
 * library of ProtonMail (v1), which reads v4 keys, and RSA is the algorithm every Helm release and
 * every GnuPG verifies; other kinds are refused here rather than published and then rejected by users.
 */
import * as openpgp from "openpgp";
import { ReleaseError } from "../errors.js";

/** A public key, as the other modules name it (they need not import the OpenPGP library). */
export type PublicKey = openpgp.PublicKey;

export interface SigningKey {
  privateKey: openpgp.PrivateKey;
  publicKey: openpgp.PublicKey;
  /** Upper-case hex fingerprint of the primary key, as GnuPG and Artifact Hub show it. */
  fingerprint: string;
}

const ARMOR = "-----BEGIN PGP";
const KEY_FIX_GENERATE =
  "generate an RSA key (docs/verifying.md: one-time key setup) and export it armored with `gpg --armor --export-secret-keys`";

export function fingerprintOf(key: openpgp.Key): string {
  return key.getFingerprint().toUpperCase();
}

/** Reads the private signing key; `passphrase` unlocks a protected key. */
export async function readSigningKey(
  text: string,
  source: string,
  passphrase: string | undefined,
): Promise<SigningKey> {
  let key: openpgp.PrivateKey;
  try {
    key = await openpgp.readPrivateKey({ armoredKey: text });
  } catch (error) {
    throw new ReleaseError("KEY_INVALID", `not an armored OpenPGP private key: ${messageOf(error)}`, {
      file: source,
      fix: text.includes("PUBLIC KEY BLOCK")
        ? "this is a public key; give the private key (`gpg --armor --export-secret-keys <fingerprint>`)"
        : KEY_FIX_GENERATE,
      cause: error,
    });
  }
  requireHelmCompatible(key, source);
  if (!key.isDecrypted()) {
    if (passphrase === undefined) {
      throw new ReleaseError(
        "KEY_INVALID",
        "the private key is protected by a passphrase and none was given",
        {
          file: source,
          fix: "set KUBE9_SIGNING_PASSPHRASE or give --sign-passphrase-file <file>",
        },
      );
    }
    try {
      key = await openpgp.decryptKey({ privateKey: key, passphrase });
    } catch (error) {
      throw new ReleaseError("KEY_INVALID", `cannot unlock the private key: ${messageOf(error)}`, {
        file: source,
        fix: "give the key's passphrase (KUBE9_SIGNING_PASSPHRASE or --sign-passphrase-file)",
        cause: error,
      });
    }
  }
  try {
    await key.getSigningKey();
  } catch (error) {
    throw new ReleaseError("KEY_INVALID", `the key cannot sign: ${messageOf(error)}`, {
      file: source,
      fix: "use a key that is not expired or revoked and has a signing (sub)key",
      cause: error,
    });
  }
  return { privateKey: key, publicKey: key.toPublic(), fingerprint: fingerprintOf(key) };
}

/** Reads one public key or a keyring, armored or binary (the form Helm's --keyring takes). */
export async function readPublicKeys(bytes: Uint8Array, source: string): Promise<openpgp.PublicKey[]> {
  const text = new TextDecoder().decode(bytes.subarray(0, 64));
  let keys: openpgp.Key[];
  try {
    keys = text.trimStart().startsWith(ARMOR)
      ? await openpgp.readKeys({ armoredKeys: new TextDecoder().decode(bytes) })
      : await openpgp.readKeys({ binaryKeys: bytes });
  } catch (error) {
    throw new ReleaseError("KEY_INVALID", `not an OpenPGP public key or keyring: ${messageOf(error)}`, {
      file: source,
      fix: "give the repository's public key (pubkey.asc or pubkey.gpg) or a keyring exported with `gpg --export`",
      cause: error,
    });
  }
  if (keys.length === 0) {
    throw new ReleaseError("KEY_INVALID", "the file holds no key", {
      file: source,
      fix: "give the repository's public key (pubkey.asc or pubkey.gpg)",
    });
  }
  // A private key given as a keyring verifies too; only its public part is used.
  return keys.map((key) => key.toPublic());
}

/** The one key a repository publishes: several keys in the file would leave users guessing. */
export async function readPublicKey(bytes: Uint8Array, source: string): Promise<openpgp.PublicKey> {
  const keys = await readPublicKeys(bytes, source);
  const [key] = keys;
  if (key === undefined || keys.length > 1) {
    throw new ReleaseError("KEY_INVALID", `the file holds ${keys.length} keys; a repository publishes one`, {
      file: source,
      fix: "export only the signing key: `gpg --armor --export <fingerprint>`",
    });
  }
  requireHelmCompatible(key, source);
  return key;
}

/** The binary form: what `helm verify --keyring` and `helm install --verify --keyring` read. */
export function binaryKeyring(key: openpgp.PublicKey): Uint8Array {
  return key.write();
}

export function armoredPublicKey(key: openpgp.PublicKey): string {
  return key.armor();
}

function requireHelmCompatible(key: openpgp.Key, source: string): void {
  const { algorithm, bits } = key.getAlgorithmInfo();
  if (key.keyPacket.version !== 4 || algorithm !== "rsaEncryptSign") {
    throw new ReleaseError(
      "KEY_INVALID",
      `a version ${key.keyPacket.version} ${algorithm} key; Helm verifies provenance made with version 4 RSA keys`,
      { file: source, fix: KEY_FIX_GENERATE },
    );
  }
  if (bits !== undefined && bits < 2048) {
    throw new ReleaseError("KEY_INVALID", `an RSA key of ${bits} bits is too weak to sign releases`, {
      file: source,
      fix: "generate an RSA key of 3072 or 4096 bits",
    });
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export interface GeneratedSigningKey {
  armoredPrivateKey: string;
  armoredPublicKey: string;
  passphrase: string;
  fingerprint: string;
}

/**
 * A new RSA 3072 signing key protected by `passphrase`, of the kind both Helm versions verify: for
 * rehearsals, which stand in for the maintainers' key with one of their own.
 */
export async function generateSigningKey(
  name: string,
  email: string,
  passphrase: string,
): Promise<GeneratedSigningKey> {
  const generated = await openpgp.generateKey({
    type: "rsa",
    rsaBits: 3072,
    userIDs: [{ name, email }],
    passphrase,
    format: "armored",
  });
  const publicKey = await openpgp.readKey({ armoredKey: generated.publicKey });
  return {
    armoredPrivateKey: generated.privateKey,
    armoredPublicKey: generated.publicKey,
    passphrase,
    fingerprint: fingerprintOf(publicKey),
  };
}
