/**
 * OpenPGP keys made by the tests themselves (nothing secret is committed): RSA 2048, the quickest
 * size the signing code accepts, in the forms maintainers and users handle.
 */
import * as openpgp from "openpgp";

export interface TestKey {
  /** Armored private key, as `gpg --armor --export-secret-keys` writes it. */
  armoredPrivate: string;
  /** Armored public key (what a repository serves as pubkey.asc). */
  armoredPublic: string;
  /** Binary public key: the keyring form `helm --keyring` reads. */
  binaryPublic: Uint8Array;
  /** Upper-case hex fingerprint. */
  fingerprint: string;
}

export async function generateTestKey(
  name: string,
  options: { passphrase?: string; type?: "rsa" | "ecc" } = {},
): Promise<TestKey> {
  const generated = await openpgp.generateKey({
    ...(options.type === "ecc" ? { type: "ecc" as const } : { type: "rsa" as const, rsaBits: 2048 }),
    userIDs: [{ name, email: `${name.toLowerCase().replaceAll(" ", "-")}@example.test` }],
    ...(options.passphrase === undefined ? {} : { passphrase: options.passphrase }),
    format: "armored",
  });
  const publicKey = await openpgp.readKey({ armoredKey: generated.publicKey });
  return {
    armoredPrivate: generated.privateKey,
    armoredPublic: generated.publicKey,
    binaryPublic: publicKey.write(),
    fingerprint: publicKey.getFingerprint().toUpperCase(),
  };
}
