import { describe, expect, it } from "vitest";
import { type KeylessSettings, keylessToKey } from "../../src/rehearse/stand-ins/keyless-cosign.js";
import { GITHUB_OIDC_ISSUER, workflowIdentity } from "../../src/rehearse/stand-ins/sigstore.js";

const identity = workflowIdentity(
  "alto9/kube9-operator",
  ".github/workflows/release-image.yml",
  "refs/tags/v1.2.3",
);
const settings: KeylessSettings = {
  cosign: "/bin/cosign",
  key: "/k/cosign.key",
  publicKey: "/k/cosign.pub",
  password: "pw",
  signingConfig: "/k/sc.json",
  trustedRoot: "/k/tr.json",
  identity,
  issuer: GITHUB_OIDC_ISSUER,
};

describe("the rehearsal's keyless stand-in", () => {
  it("names the identity GitHub certifies: the signing workflow at the release's ref", () => {
    expect(identity).toBe(
      "https://github.com/alto9/kube9-operator/.github/workflows/release-image.yml@refs/tags/v1.2.3",
    );
  });

  it("signs and attests with the rehearsal key where the workflow signs keyless", () => {
    expect(keylessToKey(["sign", "--yes", "r@d"], settings)).toEqual({
      args: [
        "sign",
        "--key",
        "/k/cosign.key",
        "--signing-config",
        "/k/sc.json",
        "--trusted-root",
        "/k/tr.json",
        "--yes",
        "r@d",
      ],
    });
    expect(keylessToKey(["attest", "--yes", "--type", "spdxjson", "r@d"], settings)).toMatchObject({
      args: [
        "attest",
        "--key",
        "/k/cosign.key",
        "--signing-config",
        "/k/sc.json",
        "--trusted-root",
        "/k/tr.json",
        "--yes",
        "--type",
        "spdxjson",
        "r@d",
      ],
    });
  });

  it("refuses a key in a signing command: the release signs keyless", () => {
    expect(keylessToKey(["sign", "--key", "x.key", "r@d"], settings)).toEqual({
      error: "the release signs keyless: the rehearsal stands in for keyless signing only",
    });
  });

  it("verifies the exact identity and issuer with the rehearsal's public key", () => {
    expect(
      keylessToKey(
        [
          "verify",
          "--certificate-identity",
          identity,
          `--certificate-oidc-issuer=${GITHUB_OIDC_ISSUER}`,
          "--output",
          "json",
          "r@d",
        ],
        settings,
      ),
    ).toEqual({
      args: ["verify", "--key", "/k/cosign.pub", "--insecure-ignore-tlog=true", "--output", "json", "r@d"],
    });
  });

  it("fails a verify naming another identity, another issuer, or a pattern", () => {
    const other = identity.replace("v1.2.3", "v9.9.9");
    expect(
      keylessToKey(
        ["verify", "--certificate-identity", other, "--certificate-oidc-issuer", GITHUB_OIDC_ISSUER, "r"],
        settings,
      ),
    ).toMatchObject({
      error: expect.stringContaining("no matching signatures"),
    });
    expect(
      keylessToKey(
        [
          "verify-attestation",
          "--certificate-identity",
          identity,
          "--certificate-oidc-issuer",
          "https://other",
          "r",
        ],
        settings,
      ),
    ).toMatchObject({
      error: expect.stringContaining("the issuer is"),
    });
    expect(keylessToKey(["verify", "--certificate-identity-regexp", ".*", "r"], settings)).toMatchObject({
      error: expect.stringContaining("exact identities"),
    });
  });

  it("passes other commands through", () => {
    expect(keylessToKey(["version"], settings)).toEqual({ args: ["version"] });
    expect(keylessToKey(["verify", "--key", "a.pub", "r"], settings)).toEqual({
      args: ["verify", "--key", "a.pub", "r"],
    });
  });
});
