import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ImageInspection } from "../../../src/image/inspect.js";
import {
  attestArgs,
  signArgs,
  verifyArgs,
  verifyAttestationArgs,
} from "../../../src/image/sign/cosign-args.js";
import { dockerConfigJson } from "../../../src/image/sign/cosign-home.js";
import { pairSboms, readSbomFiles } from "../../../src/image/sign/sign-image.js";
import { attestedSboms, verifyFailure } from "../../../src/image/sign/verify-signature.js";
import { runInProcess } from "../../support/in-process-cli.js";

const dir = mkdtempSync(join(tmpdir(), "image-sign-unit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const digest = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const offline = { signingConfig: "/s.json", trustedRoot: "/t.json" };
const sbom = (described: string) => ({
  spdxVersion: "SPDX-2.3",
  packages: [{ SPDXID: "SPDXRef-Image", versionInfo: described }],
  relationships: [
    { spdxElementId: "SPDXRef-DOCUMENT", relationshipType: "DESCRIBES", relatedSpdxElement: "SPDXRef-Image" },
  ],
});
const image: ImageInspection = {
  reference: "r/x:1",
  digest: digest(1),
  mediaType: "application/vnd.oci.image.index.v1+json",
  platforms: [
    {
      platform: "linux/amd64",
      digest: digest(2),
      attestation: false,
      compressedBytes: 1,
      layers: 1,
      labels: {},
    },
    {
      platform: "linux/arm64",
      digest: digest(3),
      attestation: false,
      compressedBytes: 1,
      layers: 1,
      labels: {},
    },
  ],
};

describe("cosign command lines", () => {
  it("sign keyless with nothing but --yes; with a key, no transparency log and no public trust root", () => {
    expect(signArgs({ kind: "keyless" }, "r/x@d")).toEqual(["sign", "--yes", "r/x@d"]);
    expect(signArgs({ kind: "key", keyFile: "/k" }, "r/x@d", offline)).toEqual([
      "sign",
      "--key",
      "/k",
      "--signing-config",
      "/s.json",
      "--trusted-root",
      "/t.json",
      "--yes",
      "r/x@d",
    ]);
    expect(attestArgs({ kind: "keyless" }, "r/x@d", "/p.json")).toEqual([
      "attest",
      "--yes",
      "--type",
      "spdxjson",
      "--predicate",
      "/p.json",
      "r/x@d",
    ]);
  });

  it("verify against a key without the log, or against an exact keyless identity", () => {
    expect(verifyArgs({ kind: "key", publicKeyFile: "/p" }, "r/x@d")).toEqual([
      "verify",
      "--key",
      "/p",
      "--insecure-ignore-tlog=true",
      "--output",
      "json",
      "r/x@d",
    ]);
    expect(
      verifyAttestationArgs({ kind: "keyless", identity: "https://id", issuer: "https://iss" }, "r/x@d"),
    ).toEqual([
      "verify-attestation",
      "--certificate-identity",
      "https://id",
      "--certificate-oidc-issuer",
      "https://iss",
      "--type",
      "spdxjson",
      "--output",
      "json",
      "r/x@d",
    ]);
  });

  it("give cosign the push credential in a Docker config, and nothing when anonymous", () => {
    expect(JSON.parse(dockerConfigJson("ghcr.io", { username: "u", password: "p" }))).toEqual({
      auths: { "ghcr.io": { auth: Buffer.from("u:p").toString("base64") } },
    });
    expect(JSON.parse(dockerConfigJson("ghcr.io", undefined))).toEqual({ auths: {} });
  });
});

describe("what a failed verify means", () => {
  const key = { kind: "key" as const, publicKeyFile: "/p.pub" };
  const failed = (stderr: string) => ({ code: 1, stdout: "", stderr });
  it.each([
    ["Error: no signatures found\nerror during command execution: no signatures found", "is not signed"],
    ["WARNING: x\nError: no matching attestations: \n", "has no SBOM attestation"],
    [
      "Error: none of the attestations matched the predicate type: spdxjson, found: x",
      "has no SBOM attestation",
    ],
    [
      "Error: no matching attestations: failed to verify signature: accepted signatures do not match threshold",
      "does not verify with the public key /p.pub",
    ],
    ["Error: image tag not found: GET ...", "cosign could not verify it: image tag not found"],
  ])("%s", (stderr, meaning) => {
    expect(verifyFailure(failed(stderr), "the image index", digest(1), key)).toContain(meaning);
  });
});

describe("attested SBOMs", () => {
  const line = (statement: unknown) =>
    JSON.stringify({
      payloadType: "application/vnd.in-toto+json",
      payload: Buffer.from(JSON.stringify(statement)).toString("base64"),
    });
  const hex = digest(2).slice(7);
  it("keep only SPDX 2.3 documents about the digest verified", () => {
    const good = {
      predicateType: "https://spdx.dev/Document",
      subject: [{ digest: { sha256: hex } }],
      predicate: sbom(digest(2)),
    };
    const stdout = [
      line(good),
      line({ ...good, predicateType: "https://slsa.dev/provenance/v1" }),
      line({ ...good, subject: [{ digest: { sha256: digest(3).slice(7) } }] }),
      line({ ...good, predicate: sbom(digest(3)) }),
      "not json",
    ].join("\n");
    expect(attestedSboms(stdout, digest(2))).toEqual([good.predicate]);
  });
});

describe("SBOM files for image sign", () => {
  it("pairs every platform with the SBOM describing its digest", async () => {
    writeFileSync(join(dir, "a.spdx.json"), JSON.stringify(sbom(digest(2))));
    writeFileSync(join(dir, "b.spdx.json"), JSON.stringify(sbom(digest(3))));
    const files = await readSbomFiles([join(dir, "b.spdx.json"), join(dir, "a.spdx.json")]);
    expect(pairSboms(image, files).map((p) => [p.platform, p.file])).toEqual([
      ["linux/amd64", join(dir, "a.spdx.json")],
      ["linux/arm64", join(dir, "b.spdx.json")],
    ]);
  });

  it("names each platform without an SBOM", async () => {
    const files = await readSbomFiles([join(dir, "a.spdx.json")]);
    expect(() => pairSboms(image, files)).toThrow(`no SBOM for linux/arm64 (${digest(3)})`);
  });

  it("refuses a file that is not an image platform's SPDX 2.3 SBOM", async () => {
    writeFileSync(join(dir, "c.spdx.json"), JSON.stringify({ spdxVersion: "SPDX-2.2" }));
    await expect(readSbomFiles([join(dir, "c.spdx.json")])).rejects.toThrow(
      expect.objectContaining({ code: "USAGE", file: join(dir, "c.spdx.json") }),
    );
  });
});

describe("image sign and image verify: usage errors exit 2 before cosign runs", () => {
  const run = (argv: string[], env: Record<string, string> = {}) => runInProcess(argv, { cwd: dir, env });
  it("keyless signing outside GitHub Actions", async () => {
    const result = await run([
      "image",
      "sign",
      `127.0.0.1:1/x@${digest(1)}`,
      "--sbom-dir",
      dir,
      "--cosign",
      "/nonexistent",
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("keyless signing needs GitHub Actions' OIDC token");
  });

  it("a key and a keyless identity together", async () => {
    const result = await run([
      "image",
      "verify",
      "127.0.0.1:1/x:1",
      "--require-signature",
      "--key",
      "k.pub",
      "--certificate-identity",
      "x",
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("not both");
  });

  it("a keyless identity without its issuer, and a bad --digest", async () => {
    const noIssuer = await run([
      "image",
      "verify",
      "127.0.0.1:1/x:1",
      "--require-sbom",
      "--certificate-identity",
      "x",
    ]);
    expect(noIssuer.code).toBe(2);
    expect(noIssuer.stderr).toContain("--certificate-oidc-issuer");
    const badDigest = await run(["image", "verify", "127.0.0.1:1/x:1", "--digest", "sha256:abc"]);
    expect(badDigest.code).toBe(2);
    expect(badDigest.stderr).toContain("--digest");
  });
});
