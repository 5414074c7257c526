/**
 * Chart provenance as users check it: charts signed with `chart package --sign-key` and
 * `chart publish --sign-key`, served by `repo serve`, verified by the real Helm 3 and Helm 4
 * (`helm pull --verify`, `helm verify`, `helm install --verify` against the Kubernetes API
 * stand-in, client-side dry run) with the binary keyring the repository serves, and by
 * `kube9-release repo verify --public-key`. A tampered archive, a tampered .prov and a wrong key
 * each fail; a re-run publish is a no-op. The verification commands of docs/verifying.md run here.
 *
 * One server, one repository per folder: good/ (signed), archive-tampered/ (another 1.0.0 archive
 * with the genuine .prov of good/), prov-tampered/ (good/ with a changed .prov), unsigned/.
 */
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runRelease, type ServedRepository, serveRepository } from "../support/cli.js";
import { shellBlocks } from "../support/doc-blocks.js";
import { type Helm, helmRunner } from "../support/helm.js";
import { type KubeApiStandIn, startKubeApiStandIn } from "../support/kube-api-stand-in.js";
import { generateTestKey, type TestKey } from "../support/pgp-keys.js";
import { helmClients, repoRoot } from "../support/tools.js";
import { linkedBin, requireLinkedBin } from "../support/user-environment.js";

const THIS_TEST = "test/e2e/chart-provenance.test.ts";
const PUBLIC_REPOSITORY = "https://charts.kube9.io";
const PASSPHRASE = "test passphrase, not a secret";
const ARCHIVE = "kube9-operator-1.0.0.tgz";

let work: string;
let served: ServedRepository;
let cluster: KubeApiStandIn;
let ours: TestKey;
let theirs: TestKey;

const repoDir = (name: string) => join(work, "served", name);
const repoUrl = (name: string) => `${served.url}/${name}`;

function release(args: string[], env: Record<string, string> = {}) {
  return runRelease(args, { cwd: work, env: { KUBE9_SIGNING_PASSPHRASE: undefined, ...env } });
}

/** `chart publish <source> --repo <repo> [--version V --app-version V] ...extra`. */
function publish(source: string, repo: string, version: string | undefined, extra: string[] = [], env = {}) {
  const versions = version === undefined ? [] : ["--version", version, "--app-version", version];
  return release(["chart", "publish", source, "--repo", repo, ...versions, ...extra], env);
}

function expectOk(run: { status: number; stdout: string; stderr: string }): void {
  if (run.status !== 0) throw new Error(`exit ${run.status}\n${run.stdout}\n${run.stderr}`);
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "kube9-provenance-e2e-"));
  [ours, theirs] = await Promise.all([
    generateTestKey("kube9 test charts", { passphrase: PASSPHRASE }),
    generateTestKey("someone else"),
  ]);
  writeFileSync(join(work, "signing-key.asc"), ours.armoredPrivate);
  writeFileSync(join(work, "passphrase"), `${PASSPHRASE}\n`);
  writeFileSync(join(work, "pubkey.asc"), ours.armoredPublic);
  writeFileSync(join(work, "theirs.gpg"), theirs.binaryPublic);
  cpSync(join(repoRoot, "charts", "kube9-operator"), join(work, "chart"), { recursive: true });

  // 1.0.0: packaged and signed with the key from the environment (as CI does), then published with its .prov.
  expectOk(
    release(
      [
        "chart",
        "package",
        "chart",
        "--version",
        "1.0.0",
        "--app-version",
        "1.0.0",
        "--out",
        "dist",
        "--sign-key",
        "env:KUBE9_SIGNING_KEY",
      ],
      { KUBE9_SIGNING_KEY: ours.armoredPrivate, KUBE9_SIGNING_PASSPHRASE: PASSPHRASE },
    ),
  );
  expectOk(publish(`dist/${ARCHIVE}`, repoDir("good"), undefined, ["--public-key", "pubkey.asc"]));
  // 1.1.0: signed while publishing, the key from a file and its passphrase from a file.
  expectOk(
    publish("chart", repoDir("good"), "1.1.0", [
      "--sign-key",
      "signing-key.asc",
      "--sign-passphrase-file",
      "passphrase",
    ]),
  );

  // Another 1.0.0 (other bytes, its index digest consistent) served with the genuine .prov.
  cpSync(join(work, "chart"), join(work, "evil-chart"), { recursive: true });
  const chartYaml = join(work, "evil-chart", "Chart.yaml");
  writeFileSync(
    chartYaml,
    readFileSync(chartYaml, "utf8").replace(/^description: .*$/m, "description: not ours"),
  );
  expectOk(publish("evil-chart", repoDir("archive-tampered"), "1.0.0"));
  for (const file of [`${ARCHIVE}.prov`, "pubkey.asc", "pubkey.gpg"]) {
    cpSync(join(repoDir("good"), file), join(repoDir("archive-tampered"), file));
  }
  // good/ with one word of the signed Chart.yaml changed in 1.0.0's .prov.
  cpSync(repoDir("good"), repoDir("prov-tampered"), { recursive: true });
  const prov = join(repoDir("prov-tampered"), `${ARCHIVE}.prov`);
  const genuine = readFileSync(prov, "utf8");
  const tampered = genuine.replace("kubernetes", "kubernetez");
  expect(tampered).not.toBe(genuine);
  writeFileSync(prov, tampered);
  expectOk(publish("chart", repoDir("unsigned"), "1.0.0"));

  served = await serveRepository("served", work);
  cluster = await startKubeApiStandIn();
  cluster.writeKubeconfig(join(work, "kubeconfig"), "kube9");
}, 120_000);

afterAll(async () => {
  await served?.stop();
  await cluster?.close();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe("publishing signed", () => {
  it("serves the archive's .prov and the public key, armored and as a keyring", async () => {
    expect(readdirSync(repoDir("good")).sort()).toEqual([
      "index.yaml",
      ARCHIVE,
      `${ARCHIVE}.prov`,
      "kube9-operator-1.1.0.tgz",
      "kube9-operator-1.1.0.tgz.prov",
      "pubkey.asc",
      "pubkey.gpg",
    ]);
    const keyring = await fetch(`${repoUrl("good")}/pubkey.gpg`);
    expect(keyring.headers.get("content-type")).toBe("application/pgp-keys");
    expect(Buffer.from(await keyring.arrayBuffer()).equals(Buffer.from(ours.binaryPublic))).toBe(true);
    const prov = await fetch(`${repoUrl("good")}/${ARCHIVE}.prov`);
    expect(prov.headers.get("content-type")).toBe("application/pgp-signature");
    expect(await prov.text()).toContain(`files:\n  ${ARCHIVE}: sha256:`);
  });

  it("is a no-op when run again, though a new signature would differ in bytes", () => {
    const before = readFileSync(join(repoDir("good"), `${ARCHIVE}.prov`));
    const index = readFileSync(join(repoDir("good"), "index.yaml"));
    const again = publish(
      "chart",
      repoDir("good"),
      "1.0.0",
      ["--sign-key", "env:KUBE9_SIGNING_KEY", "--json"],
      { KUBE9_SIGNING_KEY: ours.armoredPrivate, KUBE9_SIGNING_PASSPHRASE: PASSPHRASE },
    );
    expectOk(again);
    const result = (JSON.parse(again.stdout) as { result: Record<string, string> }).result;
    expect(result).toMatchObject({
      archive: "already-stored",
      provenance: "already-stored",
      publicKey: "already-stored",
      index: "unchanged",
    });
    expect(readFileSync(join(repoDir("good"), `${ARCHIVE}.prov`)).equals(before)).toBe(true);
    expect(readFileSync(join(repoDir("good"), "index.yaml")).equals(index)).toBe(true);
  });

  it("refuses to sign with another key than the repository's", () => {
    writeFileSync(join(work, "theirs-private.asc"), theirs.armoredPrivate);
    const refused = publish("chart", repoDir("good"), "1.2.0", [
      "--sign-key",
      "theirs-private.asc",
      "--json",
    ]);
    expect(refused.status).toBe(1);
    const error = (JSON.parse(refused.stdout) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe("VERSION_CONFLICT");
    expect(error.message).toContain(`publishes key ${ours.fingerprint}`);
    expect(readdirSync(repoDir("good"))).not.toContain("kube9-operator-1.2.0.tgz");
  });
});

describe.each(helmClients())("$label verifies with the served keyring", ({ label, path }) => {
  let helm: Helm;
  let home: string;

  beforeAll(async () => {
    home = join(work, label);
    helm = helmRunner(path, home, join(work, "kubeconfig"));
    writeFileSync(
      join(home, "pubkey.gpg"),
      Buffer.from(await (await fetch(`${repoUrl("good")}/pubkey.gpg`)).arrayBuffer()),
    );
  });

  /**
   * Each repository in a client of its own: Helm 4 caches an archive and its .prov by the archive's
   * digest, so a client that fetched good/ would take the genuine .prov of the same archive from
   * its cache instead of the tampered one served.
   */
  const install = async (repo: string, keyring: string) => {
    const client = helmRunner(
      path,
      join(home, `client-${repo}-${keyring.replace(/\W/g, "")}`),
      join(work, "kubeconfig"),
    );
    const added = await client("repo", "add", repo, repoUrl(repo));
    expect(added.status, added.stderr).toBe(0);
    return client(
      "install",
      "kube9-operator",
      `${repo}/kube9-operator`,
      "--version",
      "1.0.0",
      "--verify",
      "--keyring",
      join(home, keyring),
      "--dry-run=client",
      "--disable-openapi-validation",
      "--namespace",
      "kube9",
    );
  };

  it("pulls with --verify and verifies the archive with helm verify", async () => {
    const dest = join(home, "pulled");
    mkdirSync(dest, { recursive: true });
    expect((await helm("repo", "add", "good", repoUrl("good"))).status).toBe(0);
    const pulled = await helm(
      "pull",
      "good/kube9-operator",
      "--version",
      "1.0.0",
      "--verify",
      "--keyring",
      "pubkey.gpg",
      "--destination",
      dest,
    );
    expect(pulled.status, pulled.stderr).toBe(0);
    expect(readdirSync(dest).sort()).toEqual([ARCHIVE, `${ARCHIVE}.prov`]);
    const verified = await helm("verify", join(dest, ARCHIVE), "--keyring", "pubkey.gpg");
    expect(verified.status, verified.stderr).toBe(0);
    expect(verified.stdout).toContain(`Using Key With Fingerprint: ${ours.fingerprint}`);
    expect(verified.stdout).toContain("Signed by: kube9 test charts <kube9-test-charts@example.test>");
  });

  it("installs with --verify", async () => {
    const installed = await install("good", "pubkey.gpg");
    expect(installed.status, installed.stderr).toBe(0);
    expect(installed.stdout).toContain("NAME: kube9-operator");
  });

  it("refuses a tampered archive", async () => {
    const refused = await install("archive-tampered", "pubkey.gpg");
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/sha256 sum does not match/);
  });

  it("refuses a tampered .prov", async () => {
    const refused = await install("prov-tampered", "pubkey.gpg");
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/openpgp: invalid signature/);
  });

  it("refuses a chart signed by a key that is not in the keyring", async () => {
    cpSync(join(work, "theirs.gpg"), join(home, "theirs.gpg"));
    const refused = await install("good", "theirs.gpg");
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/signature made by unknown entity/);
  });
});

describe("repo verify --public-key", () => {
  const verify = (repo: string, ...extra: string[]) =>
    release(["repo", "verify", "--url", repoUrl(repo), "--version", "1.0.0", "--json", ...extra]);
  const error = (run: { stdout: string }) =>
    (JSON.parse(run.stdout) as { error: { code: string; message: string; file?: string } }).error;

  it("checks the digest and the signature of the served .prov", () => {
    const run = verify("good", "--public-key", "pubkey.asc");
    expectOk(run);
    const result = JSON.parse(run.stdout) as { provenance: Record<string, unknown> };
    expect(result.provenance).toMatchObject({
      location: `${repoUrl("good")}/${ARCHIVE}.prov`,
      signatureChecked: true,
      signedBy: ours.fingerprint,
    });
  });

  it("checks the signed digest only when no key is given", () => {
    const run = verify("good");
    expectOk(run);
    expect(
      (JSON.parse(run.stdout) as { provenance: { signatureChecked: boolean } }).provenance.signatureChecked,
    ).toBe(false);
  });

  it.each([
    [
      "a tampered archive",
      "archive-tampered",
      ["--public-key", "pubkey.asc"],
      /the archive has sha256:\w+ but its provenance signs/,
    ],
    ["a tampered .prov", "prov-tampered", ["--keyring", "pubkey.asc"], /signature does not verify/],
    ["a wrong key", "good", ["--keyring", "theirs.gpg"], /not the given key/],
    ["a key given and no .prov", "unsigned", ["--public-key", "pubkey.asc"], /has no provenance file/],
  ])("fails for %s", (_name, repo, flags, message) => {
    const run = verify(repo, ...flags);
    expect(run.status).toBe(1);
    expect(error(run)).toMatchObject({ code: "VERIFY_FAILED", message: expect.stringMatching(message) });
  });

  it("fails for a tampered archive even without a key: the .prov signs other bytes", () => {
    const run = verify("archive-tampered");
    expect(run.status).toBe(1);
    expect(error(run).message).toContain("the provenance signs sha256:");
  });
});

describe("the chart verification commands of docs/verifying.md", () => {
  const file = "docs/verifying.md";
  const blocks = shellBlocks(readFileSync(join(repoRoot, file), "utf8"), file).filter(
    (block) => block.marker?.kind === "doc-test" && block.marker.runner === THIS_TEST,
  );

  it("has the commands to run", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
  });

  describe.each(helmClients())("with $label", ({ label, path }) => {
    let home: string;
    beforeAll(() => {
      requireLinkedBin();
      home = mkdtempSync(join(work, `docs-${label}-`));
      mkdirSync(join(home, ".kube"));
      cluster.writeKubeconfig(join(home, ".kube", "config"), "default");
    });

    // One reader, one folder: the blocks run in order, as a reader runs them one after the other.
    for (const block of blocks) {
      it(`${file}:${block.line}: ${block.code.trim().split("\n")[0]}`, async () => {
        const script = block.code
          .replaceAll(PUBLIC_REPOSITORY, repoUrl("good"))
          .split("\n")
          .map((line) =>
            /^\s*helm install\b/.test(line) ? `${line} --dry-run=client --disable-openapi-validation` : line,
          )
          .join("\n");
        const result = await new Promise<{ status: number; output: string }>((resolve) => {
          execFile(
            "bash",
            ["-e", "-o", "pipefail", "-c", script],
            {
              cwd: home,
              env: {
                PATH: [dirname(path), dirname(linkedBin), process.env.PATH ?? ""].join(delimiter),
                HOME: home,
              },
              encoding: "utf8",
            },
            (error, stdout, stderr) =>
              resolve({
                status: error === null ? 0 : typeof error.code === "number" ? error.code : -1,
                output: `${stdout}\n${stderr}`,
              }),
          );
        });
        if (result.status !== 0) throw new Error(`exit ${result.status}:\n${result.output}`);
        expect(result.output).not.toContain("internal error");
        if (/^\s*helm verify\b/m.test(block.code)) {
          expect(result.output).toContain(`Using Key With Fingerprint: ${ours.fingerprint}`);
        }
      });
    }
  });
});

describe("bad signing input: a clear error, the exit code, nothing written", () => {
  const failure = (run: { status: number; stdout: string }) => ({
    status: run.status,
    ...(JSON.parse(run.stdout) as { error: { code: string; message: string; field?: string; fix?: string } })
      .error,
  });
  const packageSigned = (out: string, flags: string[], env: Record<string, string> = {}) =>
    release(["chart", "package", "chart", "--out", out, "--json", ...flags], env);

  it.each([
    [
      "an unset key variable",
      ["--sign-key", "env:KUBE9_SIGNING_KEY"],
      {},
      {
        status: 2,
        code: "USAGE",
        field: "--sign-key",
        message: expect.stringContaining("KUBE9_SIGNING_KEY is not set"),
      },
    ],
    [
      "a missing key file",
      ["--sign-key", "no-such-key.asc"],
      {},
      { status: 2, code: "USAGE", field: "--sign-key" },
    ],
    [
      "a protected key without its passphrase",
      ["--sign-key", "signing-key.asc"],
      {},
      { status: 1, code: "KEY_INVALID", fix: expect.stringContaining("KUBE9_SIGNING_PASSPHRASE") },
    ],
    [
      "a wrong passphrase",
      ["--sign-key", "signing-key.asc"],
      { KUBE9_SIGNING_PASSPHRASE: "wrong" },
      { status: 1, code: "KEY_INVALID", message: expect.stringContaining("cannot unlock") },
    ],
    [
      "a public key given as the signing key",
      ["--sign-key", "pubkey.asc"],
      {},
      { status: 1, code: "KEY_INVALID", fix: expect.stringContaining("this is a public key") },
    ],
  ])("chart package refuses %s", (_name, flags, env, expected) => {
    const out = `bad-${Math.random().toString(36).slice(2)}`;
    const run = packageSigned(out, flags, env);
    expect(failure(run)).toMatchObject(expected);
    expect(readdirSync(work)).not.toContain(out);
  });

  it("chart publish refuses a --public-key that is not the signing key's", () => {
    writeFileSync(join(work, "theirs.asc"), theirs.armoredPublic);
    const run = publish("chart", "never-written", undefined, [
      "--sign-key",
      "signing-key.asc",
      "--sign-passphrase-file",
      "passphrase",
      "--public-key",
      "theirs.asc",
      "--json",
    ]);
    expect(failure(run)).toMatchObject({ status: 2, code: "USAGE", field: "--public-key" });
    expect(readdirSync(work)).not.toContain("never-written");
  });

  it("chart publish refuses to sign a chart whose Artifact Hub signKey names another key", () => {
    const out = join(work, "named-theirs");
    expectOk(
      release([
        ...["chart", "package", "chart", "--version", "1.0.0", "--app-version", "1.0.0", "--out", out],
        ...["--artifacthub", "--sign-key-fingerprint", theirs.fingerprint],
        ...["--sign-key-url", "https://charts.example.test/pubkey.asc"],
      ]),
    );
    const run = publish(join(out, ARCHIVE), "never-written", undefined, [
      ...["--sign-key", "signing-key.asc", "--sign-passphrase-file", "passphrase", "--json"],
    ]);
    expect(failure(run)).toMatchObject({
      status: 1,
      code: "KEY_INVALID",
      field: 'annotations["artifacthub.io/signKey"].fingerprint',
      message: expect.stringContaining(theirs.fingerprint),
    });
    expect(readdirSync(work)).not.toContain("never-written");
  });

  it("chart publish refuses a .tgz whose .prov signs other bytes", () => {
    const stale = join(work, "stale");
    expectOk(
      release([
        "chart",
        "package",
        "evil-chart",
        "--version",
        "1.0.0",
        "--app-version",
        "1.0.0",
        "--out",
        stale,
      ]),
    );
    cpSync(join(work, "dist", `${ARCHIVE}.prov`), join(stale, `${ARCHIVE}.prov`));
    const run = publish(join(stale, ARCHIVE), "never-written", undefined, ["--json"]);
    expect(failure(run)).toMatchObject({
      status: 1,
      code: "VERIFY_FAILED",
      field: `files.${ARCHIVE}`,
      fix: expect.stringContaining("package and sign again"),
    });
    expect(readdirSync(work)).not.toContain("never-written");
  });

  it.each([
    [
      "both --public-key and --keyring",
      ["--public-key", "pubkey.asc", "--keyring", "theirs.gpg"],
      { status: 2, code: "USAGE" },
    ],
    ["a key file that holds no key", ["--public-key", "passphrase"], { status: 1, code: "KEY_INVALID" }],
  ])("repo verify refuses %s", (_name, flags, expected) => {
    const run = release([
      "repo",
      "verify",
      "--url",
      repoUrl("good"),
      "--version",
      "1.0.0",
      "--json",
      ...flags,
    ]);
    expect(failure(run)).toMatchObject(expected);
  });
});
