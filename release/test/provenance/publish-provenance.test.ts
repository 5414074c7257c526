import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { generateTestKey, type TestKey } from "../../../test/support/pgp-keys.js";
import { repoRoot } from "../../../test/support/tools.js";
import { emitChartYaml } from "../../src/chart/emit-chart-yaml.js";
import { isReleaseError, ReleaseError } from "../../src/errors.js";
import { cacheControlOf, INDEX } from "../../src/policy/repository-policy.js";
import { readSigningKey, type SigningKey } from "../../src/provenance/keys.js";
import { signProvenance, verifyProvenance } from "../../src/provenance/provenance.js";
import { publishPublicKey } from "../../src/provenance/publish-provenance.js";
import { type PackagedChart, packagedChartFrom } from "../../src/publish/chart-source.js";
import { planPublish } from "../../src/publish/plan.js";
import { applyPublish, type SignedObjects } from "../../src/publish/publish-chart.js";
import { readIndex } from "../../src/publish/read-index.js";
import { DirectoryStore } from "../../src/storage/directory-store.js";
import { objectPolicyFor } from "../../src/storage/object-policy.js";
import type { Store } from "../../src/storage/store.js";
import { rejectionOf as failure } from "../support/refusal.js";

const quiet = {
  now: () => new Date("2026-01-02T03:04:05.000Z"),
  log: () => undefined,
  delay: async () => undefined,
};

let ours: { test: TestKey; signer: SigningKey };
let theirs: { test: TestKey; signer: SigningKey };
let chart: PackagedChart;
let root: string;
let store: DirectoryStore;

beforeAll(async () => {
  const load = async (name: string) => {
    const test = await generateTestKey(name);
    return { test, signer: await readSigningKey(test.armoredPrivate, name, undefined) };
  };
  [ours, theirs] = await Promise.all([load("Ours"), load("Theirs")]);
  chart = await packagedChartFrom({
    path: join(repoRoot, "charts", "kube9-operator"),
    version: "1.0.0",
    appVersion: "1.0.0",
    sourceDateEpoch: async () => 1_700_000_000,
  });
}, 60_000);

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "kube9-prov-"));
  store = new DirectoryStore(join(root, "repo"));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function sign(by: SigningKey, digest = chart.digest): Promise<string> {
  return signProvenance(
    { archiveName: chart.fileName, digest, chartYaml: emitChartYaml(chart.metadata) },
    by,
  );
}

async function publishSigned(target: Store, signing: SignedObjects) {
  const planned = await planPublish(target, chart, quiet);
  return applyPublish(target, chart, planned, { ...quiet, signing });
}

function text(object: { body: Uint8Array } | undefined): string {
  return new TextDecoder().decode(object?.body);
}

describe("a signed publish", () => {
  it("stores the public key, the archive and its .prov, then the index", async () => {
    const result = await publishSigned(store, {
      provenance: await sign(ours.signer),
      publicKey: ours.signer.publicKey,
    });
    expect(result).toMatchObject({
      archive: "uploaded",
      provenance: "uploaded",
      publicKey: "uploaded",
      index: "created",
    });
    expect(readdirSync(join(root, "repo")).sort()).toEqual([
      "index.yaml",
      "kube9-operator-1.0.0.tgz",
      "kube9-operator-1.0.0.tgz.prov",
      "pubkey.asc",
      "pubkey.gpg",
    ]);
    const stored = text(await store.get("kube9-operator-1.0.0.tgz.prov"));
    const verified = await verifyProvenance(
      stored,
      { archiveName: chart.fileName, digest: chart.digest },
      [ours.signer.publicKey],
      "prov",
    );
    expect(verified.signedBy).toBe(ours.test.fingerprint);
    expect(text(await store.get("pubkey.asc"))).toContain("BEGIN PGP PUBLIC KEY BLOCK");
    expect(
      Buffer.from((await store.get("pubkey.gpg"))?.body ?? []).equals(Buffer.from(ours.test.binaryPublic)),
    ).toBe(true);
  });

  it("counts a re-run as done although the new signature has other bytes, and keeps the first one", async () => {
    const first = await sign(ours.signer);
    await publishSigned(store, { provenance: first, publicKey: ours.signer.publicKey });
    const second = await sign(ours.signer);
    expect(second).not.toBe(first);
    const again = await publishSigned(store, { provenance: second, publicKey: ours.signer.publicKey });
    expect(again).toMatchObject({
      archive: "already-stored",
      provenance: "already-stored",
      publicKey: "already-stored",
      index: "unchanged",
    });
    expect(text(await store.get("kube9-operator-1.0.0.tgz.prov"))).toBe(first);
  });

  it("counts a re-run as done without a public key when the .prov signs the same digest with the same key", async () => {
    await publishSigned(store, { provenance: await sign(ours.signer) });
    expect((await publishSigned(store, { provenance: await sign(ours.signer) })).provenance).toBe(
      "already-stored",
    );
  });

  it("refuses a stored .prov signed by another key, and one for other bytes", async () => {
    await publishSigned(store, { provenance: await sign(theirs.signer) });
    const byKey = await failure(
      publishSigned(store, { provenance: await sign(ours.signer), publicKey: ours.signer.publicKey }),
    );
    expect(byKey.code).toBe("VERSION_CONFLICT");
    const other = await failure(publishSigned(store, { provenance: await sign(ours.signer) }));
    expect(other).toMatchObject({
      code: "VERSION_CONFLICT",
      file: `${store.location}/kube9-operator-1.0.0.tgz.prov`,
    });
    expect(other.message).toContain("not this release's");

    const fresh = new DirectoryStore(join(root, "fresh"));
    await publishSigned(fresh, { provenance: await sign(ours.signer, "0".repeat(64)) });
    const byDigest = await failure(
      publishSigned(fresh, { provenance: await sign(ours.signer), publicKey: ours.signer.publicKey }),
    );
    expect(byDigest.message).toContain(`signs sha256:${"0".repeat(64)}`);
  });

  it("refuses to publish under another key than the repository's, writing nothing", async () => {
    await publishPublicKey(store, theirs.signer.publicKey, () => undefined);
    const refused = await failure(
      publishSigned(store, { provenance: await sign(ours.signer), publicKey: ours.signer.publicKey }),
    );
    expect(refused.code).toBe("VERSION_CONFLICT");
    expect(refused.message).toContain(`publishes key ${theirs.test.fingerprint}`);
    expect(readdirSync(join(root, "repo")).sort()).toEqual(["pubkey.asc", "pubkey.gpg"]);
  });

  it("completes an archive whose .prov upload failed when the same command runs again", async () => {
    let failProvenance = true;
    const flaky: Store = {
      location: store.location,
      get: (key) => store.get(key),
      list: () => store.list(),
      putIfMatch: (key, body, etag, options) => store.putIfMatch(key, body, etag, options),
      putIfAbsent: (key, body, options) => {
        if (key.endsWith(".prov") && failProvenance) {
          failProvenance = false;
          return Promise.reject(new ReleaseError("STORAGE_FAILED", "connection reset", { file: key }));
        }
        return store.putIfAbsent(key, body, options);
      },
    };
    const signing = { provenance: await sign(ours.signer), publicKey: ours.signer.publicKey };
    const first = await failure(publishSigned(flaky, signing));
    expect(first.code).toBe("STORAGE_FAILED");
    // The index does not name the version before its .prov is stored.
    expect(await readIndex(store)).toBeUndefined();
    expect(await store.get("kube9-operator-1.0.0.tgz")).toBeDefined();
    const rerun = await publishSigned(flaky, { ...signing, provenance: await sign(ours.signer) });
    expect(rerun).toMatchObject({ archive: "already-stored", provenance: "uploaded", index: "created" });
    expect(isReleaseError(first)).toBe(true);
  });
});

describe("the public key's object policy", () => {
  it("serves pubkey.asc and pubkey.gpg, at the root or under a prefix, as keys with a short cache", () => {
    for (const key of ["pubkey.asc", "pubkey.gpg", "charts/pubkey.asc"]) {
      expect(objectPolicyFor(key)).toEqual({
        contentType: "application/pgp-keys",
        cacheControl: cacheControlOf(INDEX.cache),
        compressible: false,
      });
    }
    expect(objectPolicyFor("notpubkey.asc").contentType).toBe("application/octet-stream");
  });
});
