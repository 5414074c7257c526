/** `repo verify`'s request (each flag checked before the repository is read) and what it prints for each provenance. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderRepoVerify, type VerifyFlags, verifyRequest } from "../../src/cli/commands/repo-verify.js";
import type { ProvenanceCheck } from "../../src/provenance/verify-served.js";
import type { VerifyResult } from "../../src/publish/verify.js";
import { cliContext } from "../support/cli-context.js";
import { rejectionOf } from "../support/refusal.js";

let cwd: string;

beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), "kube9-repo-verify-"));
});

afterAll(() => {
  rmSync(cwd, { recursive: true, force: true });
});

const flags = (extra: Partial<VerifyFlags> = {}): VerifyFlags => ({
  url: "https://charts.example.test/",
  chart: "kube9-operator",
  version: "1.0.0",
  ...extra,
});

describe("verifyRequest", () => {
  it.each([
    [{ url: "charts.example.test" }, "--url"],
    [{ publicKey: "a.asc", keyring: "b.gpg" }, "--keyring"],
    [{ publicKey: "missing.asc" }, "--public-key"],
  ])("refuses %j as usage, naming %s", async (extra, field) => {
    const error = await rejectionOf(verifyRequest(flags(extra), cliContext(cwd)), "USAGE");
    expect(error.field).toBe(field);
  });

  it("checks the URL before reading a key file", async () => {
    const error = await rejectionOf(
      verifyRequest(flags({ url: "charts.example.test", publicKey: "missing.asc" }), cliContext(cwd)),
      "USAGE",
    );
    expect(error.field).toBe("--url");
  });

  it("keeps the URL without its trailing slash and the digest in lower case; no key, no keys", async () => {
    expect(await verifyRequest(flags({ digest: "ABCDEF" }), cliContext(cwd))).toEqual({
      url: "https://charts.example.test",
      chart: "kube9-operator",
      version: "1.0.0",
      expectedDigest: "abcdef",
      keys: undefined,
    });
  });
});

const result: VerifyResult = {
  chart: "kube9-operator",
  version: "1.0.0",
  appVersion: undefined,
  index: "https://c.example.test/index.yaml",
  archive: "https://c.example.test/kube9-operator-1.0.0.tgz",
  digest: "d1",
  size: 7779,
  versions: ["1.0.0"],
};

const head = [
  "OK kube9-operator 1.0.0 (app -)",
  "  index   https://c.example.test/index.yaml",
  "  archive https://c.example.test/kube9-operator-1.0.0.tgz (7779 bytes)",
  "  sha256  d1 matches the index",
];

const summaryHead =
  "### Verified kube9-operator 1.0.0\n\n- index: https://c.example.test/index.yaml\n- archive: https://c.example.test/kube9-operator-1.0.0.tgz\n- sha256: `d1`\n- provenance: ";

const digestOnly: ProvenanceCheck = {
  location: "https://c.example.test/kube9-operator-1.0.0.tgz.prov",
  signatureChecked: false,
  signedBy: null,
  signerUserIds: [],
  signedAt: null,
};

describe("renderRepoVerify", () => {
  it("says an unsigned chart is unsigned, and gives provenance null in JSON", () => {
    const rendering = renderRepoVerify({ result, provenance: undefined });
    expect(rendering.data).toEqual({ ...result, provenance: null });
    expect(Object.keys(rendering.data as object)).toEqual([...Object.keys(result), "provenance"]);
    expect(rendering.human).toBe([...head, "  provenance: none served (unsigned)"].join("\n"));
    expect(rendering.summary).toBe(`${summaryHead}none`);
  });

  it("says a .prov checked without a key signs the digest only", () => {
    const rendering = renderRepoVerify({
      result: { ...result, appVersion: "1.0.0" },
      provenance: digestOnly,
    });
    expect(rendering.human.split("\n")).toEqual([
      "OK kube9-operator 1.0.0 (app 1.0.0)",
      ...head.slice(1),
      "  provenance https://c.example.test/kube9-operator-1.0.0.tgz.prov: signs this digest; signature not checked (give --public-key)",
    ]);
    expect(rendering.summary).toBe(`${summaryHead}digest only (no key given)`);
  });

  it("names the signer of a checked signature", () => {
    const signed = {
      ...digestOnly,
      signatureChecked: true,
      signedBy: "ABC123",
      signerUserIds: ["t <t@example.test>", "u"],
      signedAt: "2026-01-01T00:00:00.000Z",
    };
    const rendering = renderRepoVerify({ result, provenance: signed });
    expect(rendering.human.split("\n").at(-1)).toBe(
      "  provenance https://c.example.test/kube9-operator-1.0.0.tgz.prov: signed by ABC123 (t <t@example.test>, u) at 2026-01-01T00:00:00.000Z, signs this digest",
    );
    expect(renderRepoVerify({ result, provenance: { ...signed, signedAt: null } }).human).toMatch(/ at \?, /);
    expect(rendering.summary).toBe(`${summaryHead}signed by \`ABC123\``);
  });
});
