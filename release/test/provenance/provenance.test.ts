import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { generateTestKey, type TestKey } from "../../../test/support/pgp-keys.js";
import { readPublicKey, readPublicKeys, readSigningKey, type SigningKey } from "../../src/provenance/keys.js";
import {
  parseProvenance,
  provenanceText,
  sameSignedContent,
  signProvenance,
  verifyProvenance,
} from "../../src/provenance/provenance.js";
import { rejectionOf as rejection } from "../support/refusal.js";

const CHART_YAML = "apiVersion: v2\nname: demo\nversion: 1.2.3\n";
const ARCHIVE = new TextEncoder().encode("pretend these are the bytes of demo-1.2.3.tgz");
const subject = {
  archiveName: "demo-1.2.3.tgz",
  digest: createHash("sha256").update(ARCHIVE).digest("hex"),
  chartYaml: CHART_YAML,
};

let ours: TestKey;
let theirs: TestKey;
let signer: SigningKey;

beforeAll(async () => {
  [ours, theirs] = await Promise.all([generateTestKey("Ours"), generateTestKey("Theirs")]);
  signer = await readSigningKey(ours.armoredPrivate, "ours.asc", undefined);
}, 60_000);

describe("the provenance text", () => {
  it("is Chart.yaml, the YAML document end, then the archive's checksum, as Helm writes it", () => {
    expect(provenanceText(subject)).toBe(
      `${CHART_YAML}\n...\nfiles:\n  demo-1.2.3.tgz: sha256:${subject.digest}`,
    );
  });

  it("refuses a Chart.yaml with a `...` line, which would cut Helm's metadata short", () => {
    expect(() => provenanceText({ ...subject, chartYaml: `${CHART_YAML}...\nx: 1\n` })).toThrow(
      /`\.\.\.` line/,
    );
  });
});

describe("sign and verify", () => {
  it("writes a clearsigned SHA-512 message that verifies for the archive with the public key", async () => {
    const prov = await signProvenance(subject, signer);
    expect(prov.startsWith("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\napiVersion: v2\n")).toBe(
      true,
    );
    expect(prov).toContain(
      `\n...\nfiles:\n  demo-1.2.3.tgz: sha256:${subject.digest}\n-----BEGIN PGP SIGNATURE-----`,
    );
    const keys = await readPublicKeys(ours.binaryPublic, "pubkey.gpg");
    const verified = await verifyProvenance(prov, subject, keys, "demo-1.2.3.tgz.prov");
    expect(verified.signedBy).toBe(ours.fingerprint);
    expect(verified.signerUserIds).toEqual(["Ours <ours@example.test>"]);
    expect(Date.parse(verified.signedAt ?? "")).toBeGreaterThan(Date.now() - 60_000);
  });

  it("parses what it signs and who signed it without a key", async () => {
    const parsed = await parseProvenance(await signProvenance(subject, signer), "x.prov");
    expect(parsed.files).toEqual({ "demo-1.2.3.tgz": `sha256:${subject.digest}` });
    expect(parsed.chartYaml).toBe(CHART_YAML);
    expect(parsed.signingKeyIds).toEqual([ours.fingerprint.slice(-16).toLowerCase()]);
  });

  it("fails for other archive bytes", async () => {
    const prov = await signProvenance(subject, signer);
    const keys = await readPublicKeys(ours.binaryPublic, "k");
    const failure = await rejection(
      verifyProvenance(prov, { ...subject, digest: "0".repeat(64) }, keys, "p"),
    );
    expect(failure).toMatchObject({ code: "VERIFY_FAILED", field: "files.demo-1.2.3.tgz" });
    expect(failure.message).toContain(`signs sha256:${subject.digest}`);
  });

  it("fails for an archive of another name", async () => {
    const prov = await signProvenance(subject, signer);
    const keys = await readPublicKeys(ours.binaryPublic, "k");
    const failure = await rejection(
      verifyProvenance(prov, { ...subject, archiveName: "demo-1.2.4.tgz" }, keys, "p"),
    );
    expect(failure.message).toContain("no checksum for demo-1.2.4.tgz");
  });

  it("fails when the signed text was changed", async () => {
    const prov = await signProvenance(subject, signer);
    const tampered = prov.replace("version: 1.2.3", "version: 1.2.4");
    expect(tampered).not.toBe(prov);
    const keys = await readPublicKeys(ours.binaryPublic, "k");
    const failure = await rejection(verifyProvenance(tampered, subject, keys, "p"));
    expect(failure.code).toBe("VERIFY_FAILED");
    expect(failure.message).toContain("signature does not verify");
  });

  it("fails with another key, naming the signer's key ID", async () => {
    const prov = await signProvenance(subject, signer);
    const keys = await readPublicKeys(new TextEncoder().encode(theirs.armoredPublic), "theirs.asc");
    const failure = await rejection(verifyProvenance(prov, subject, keys, "p"));
    expect(failure.message).toContain(ours.fingerprint.slice(-16));
    expect(failure.message).toContain(theirs.fingerprint);
  });

  it.each([
    [
      "text that is not a signed message",
      "files:\n  demo-1.2.3.tgz: sha256:00\n",
      "not an OpenPGP clearsigned message",
    ],
  ])("refuses %s", async (_name, text, message) => {
    expect((await rejection(parseProvenance(text, "p"))).message).toContain(message);
  });

  it("refuses a signed message without the `...` separator or without files", async () => {
    const { createCleartextMessage, sign } = await import("openpgp");
    const noSeparator = await sign({
      message: await createCleartextMessage({ text: "name: demo\nfiles: {}\n" }),
      signingKeys: signer.privateKey,
    });
    expect((await rejection(parseProvenance(noSeparator, "p"))).message).toContain("no `...` line");
    const noFiles = await sign({
      message: await createCleartextMessage({ text: "name: demo\n\n...\nimages: {}\n" }),
      signingKeys: signer.privateKey,
    });
    expect((await rejection(parseProvenance(noFiles, "p"))).message).toContain("no `files:` map");
  });

  it("tells two signatures of the same archive by the same key from others, although their bytes differ", async () => {
    const [first, second] = [await signProvenance(subject, signer), await signProvenance(subject, signer)];
    expect(first).not.toBe(second);
    const other = await readSigningKey(theirs.armoredPrivate, "theirs", undefined);
    const parse = (text: string) => parseProvenance(text, "p");
    expect(sameSignedContent(await parse(first), await parse(second))).toBe(true);
    expect(sameSignedContent(await parse(first), await parse(await signProvenance(subject, other)))).toBe(
      false,
    );
    const otherBytes = await signProvenance({ ...subject, digest: "1".repeat(64) }, signer);
    expect(sameSignedContent(await parse(first), await parse(otherBytes))).toBe(false);
  });
});

describe("keys", () => {
  it("unlocks a protected key with its passphrase and refuses without it or with a wrong one", async () => {
    const locked = await generateTestKey("Locked", { passphrase: "correct horse" });
    expect((await readSigningKey(locked.armoredPrivate, "k", "correct horse")).fingerprint).toBe(
      locked.fingerprint,
    );
    expect(await rejection(readSigningKey(locked.armoredPrivate, "k", undefined))).toMatchObject({
      code: "KEY_INVALID",
      message: expect.stringContaining("protected by a passphrase"),
    });
    expect((await rejection(readSigningKey(locked.armoredPrivate, "k", "wrong"))).message).toContain(
      "cannot unlock",
    );
  }, 30_000);

  it("refuses a public key given as the signing key", async () => {
    expect(await rejection(readSigningKey(ours.armoredPublic, "pub.asc", undefined))).toMatchObject({
      code: "KEY_INVALID",
      message: expect.stringContaining("not an armored OpenPGP private key"),
    });
  });

  it("refuses an elliptic-curve key, which it does not publish for Helm", async () => {
    const ecc = await generateTestKey("Curve", { type: "ecc" });
    expect((await rejection(readSigningKey(ecc.armoredPrivate, "k", undefined))).message).toContain(
      "version 4 RSA keys",
    );
  });

  it("reads a public key armored or binary, and a keyring of several keys", async () => {
    const armored = await readPublicKey(new TextEncoder().encode(ours.armoredPublic), "a");
    const binary = await readPublicKey(ours.binaryPublic, "b");
    expect(armored.getFingerprint()).toBe(binary.getFingerprint());
    const ring = new Uint8Array([...ours.binaryPublic, ...theirs.binaryPublic]);
    expect((await readPublicKeys(ring, "ring")).length).toBe(2);
    expect((await rejection(readPublicKey(ring, "ring"))).message).toContain("holds 2 keys");
    expect((await rejection(readPublicKeys(new TextEncoder().encode("not a key"), "x"))).code).toBe(
      "KEY_INVALID",
    );
  });
});
