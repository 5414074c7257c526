/**
 * Image signature and SBOM attestation with the real cosign, against the real distribution
 * registry with token auth: `image sbom` of a layout, `image push`, `image sign --key` (a test key
 * pair made here, no transparency log), then what an anonymous user runs: `cosign verify` with the
 * public key, `cosign verify-attestation` for the SPDX SBOM of each platform, and
 * `image verify --require-signature --require-sbom`. An unsigned image, a moved tag and a wrong key
 * fail. The key-based blocks of docs/verifying.md run here too.
 * The CLI runs asynchronously: the registry's token endpoint answers from this process.
 */
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OCI_INDEX } from "../../release/src/image/media-types.js";
import { SOURCE_INFO_PREFIX, type SpdxDocument } from "../../release/src/image/sbom/spdx.js";
import { runReleaseAsync } from "../support/cli.js";
import { shellBlocks } from "../support/doc-blocks.js";
import { type WrittenLayout, writeOciLayout } from "../support/oci-layout.js";
import { startRegistry, type TestRegistry } from "../support/registry.js";
import { repoRoot, toolPath } from "../support/tools.js";
import { Pusher } from "./image-push.js";

const exec = promisify(execFile);
const PASSWORD = "test-key-password";
const CREATED = "2026-03-04T05:06:07Z";

let registry: TestRegistry;
let work: string;
let repo: string;
let cosign: string;
let signed: WrittenLayout;
let unsigned: WrittenLayout;

/** What an official Node.js build carries: the URL of its headers, naming its version. */
const nodeBinary = (version: string) =>
  Buffer.from(`\x7fELF\0https://nodejs.org/download/release/v${version}/node-v${version}-headers.tar.gz\0`);

/** The files of the image of `platform`: the node binary, the application and its npm packages. */
function imageFiles(seed: string, platform: string): Record<string, string | Buffer> {
  const manifest = (name: string, version: string, license = "MIT") =>
    JSON.stringify({ name, version, license });
  return {
    "nodejs/bin/node": nodeBinary(platform === "linux/amd64" ? "22.23.3" : "22.23.2"),
    "app/package.json": manifest("kube9-operator", "1.2.3"),
    "app/dist/main.js": `// ${seed}\n`,
    "app/node_modules/yaml/package.json": manifest("yaml", "2.8.0", "ISC"),
    "app/node_modules/yaml/dist/package.json": JSON.stringify({ type: "module" }),
    "app/node_modules/@kubernetes/client-node/package.json": manifest(
      "@kubernetes/client-node",
      "1.3.0",
      "Apache-2.0",
    ),
    "app/node_modules/prom-client/package.json": manifest("prom-client", "15.1.3", "Apache-2.0"),
    "app/node_modules/prom-client/node_modules/tdigest/package.json": manifest("tdigest", "0.1.2"),
  };
}

function writeImage(dir: string, tag: string, seed: string): Promise<WrittenLayout> {
  return writeOciLayout(
    dir,
    tag,
    ["linux/amd64", "linux/arm64"].map((platform) => ({ platform, files: imageFiles(seed, platform) })),
  );
}

const pushEnv = () => ({
  KUBE9_REGISTRY_USERNAME: registry.pusher.username,
  KUBE9_REGISTRY_PASSWORD: registry.pusher.password,
});

function release(args: string[], env: Record<string, string> = {}) {
  return runReleaseAsync(args, { cwd: work, env });
}

/** `image verify <ref> --max-size 1MB --cosign <pinned>` (the test layers are small) plus `extra`. */
function imageVerify(ref: string, ...extra: string[]) {
  return release(["image", "verify", ref, "--max-size", "1MB", "--cosign", cosign, ...extra]);
}

/** cosign as an anonymous user runs it: no credentials, a clean HOME and Docker config. */
async function anonymousCosign(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const home = mkdtempSync(join(work, "home-"));
  try {
    const { stdout, stderr } = await exec(cosign, args, {
      env: { PATH: process.env.PATH ?? "", HOME: home, DOCKER_CONFIG: home },
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

/** The SPDX documents of cosign verify-attestation's output (one DSSE envelope a line). */
function attestedDocuments(stdout: string): SpdxDocument[] {
  return stdout
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const envelope = JSON.parse(line) as { payload: string };
      return (
        JSON.parse(Buffer.from(envelope.payload, "base64").toString("utf8")) as { predicate: SpdxDocument }
      ).predicate;
    });
}

beforeAll(async () => {
  cosign = toolPath("cosign");
  registry = await startRegistry();
  work = mkdtempSync(join(tmpdir(), "kube9-sign-"));
  repo = `${registry.host}/alto9/kube9-operator`;
  for (const name of ["keys", "other-keys"]) {
    mkdirSync(join(work, name));
    await exec(cosign, ["generate-key-pair"], {
      cwd: join(work, name),
      env: { PATH: process.env.PATH ?? "", COSIGN_PASSWORD: PASSWORD },
    });
  }
  signed = await writeImage(join(work, "signed"), "1.2.3", "signed");
  unsigned = await writeImage(join(work, "unsigned"), "1.2.4", "unsigned");
  for (const [layout, version] of [
    [signed, "v1.2.3"],
    [unsigned, "v1.2.4"],
  ] as const) {
    const push = await release(["image", "push", layout.dir, version, "--to", repo], pushEnv());
    expect(push.status, push.stderr).toBe(0);
  }
}, 120_000);

afterAll(async () => {
  await registry?.stop();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe("image sign: a test key, no transparency log, in the registry with token auth", () => {
  it("refuses a tag (sign by digest) and a missing SBOM, signing nothing", async () => {
    const sbom = join(work, "sbom-signed");
    const made = await release([
      "image",
      "sbom",
      signed.dir,
      "--out",
      sbom,
      "--repository",
      repo,
      "--created",
      CREATED,
    ]);
    expect(made.status, made.stderr).toBe(0);
    const byTag = await release(
      ["image", "sign", `${repo}:v1.2.3`, "--sbom-dir", sbom, "--key", "keys/cosign.key", "--cosign", cosign],
      { ...pushEnv(), COSIGN_PASSWORD: PASSWORD },
    );
    expect(byTag.status).toBe(2);
    expect(byTag.stderr).toContain("sign by digest");
    // The SBOMs of another image describe other digests: no platform of this one has its SBOM.
    const wrong = await release(
      [
        "image",
        "sign",
        `${repo}@${unsigned.digest}`,
        "--sbom-dir",
        sbom,
        "--key",
        "keys/cosign.key",
        "--cosign",
        cosign,
      ],
      { ...pushEnv(), COSIGN_PASSWORD: PASSWORD },
    );
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain(`no SBOM for linux/amd64 (${unsigned.platforms[0]?.digest})`);
    const check = await anonymousCosign([
      "verify",
      "--key",
      join(work, "keys", "cosign.pub"),
      "--insecure-ignore-tlog=true",
      `${repo}@${unsigned.digest}`,
    ]);
    expect(check.stderr).toContain("no signatures found");
  });

  it("signs the index and attests each platform's SBOM", async () => {
    const run = await release(
      [
        "image",
        "sign",
        `${repo}@${signed.digest}`,
        "--sbom-dir",
        "sbom-signed",
        "--key",
        "keys/cosign.key",
        "--cosign",
        cosign,
        "--json",
      ],
      { ...pushEnv(), COSIGN_PASSWORD: PASSWORD },
    );
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as {
      digest: string;
      mode: string;
      platforms: Array<{ platform: string; digest: string }>;
    };
    expect(report.digest).toBe(signed.digest);
    expect(report.mode).toBe("key");
    expect(report.platforms.map((p) => [p.platform, p.digest])).toEqual(
      signed.platforms.map((p) => [p.platform, p.digest]),
    );
  });

  it("cosign verify, anonymously with the public key, passes on the release tag", async () => {
    const before = registry.issued.anonymous;
    const check = await anonymousCosign([
      "verify",
      "--key",
      join(work, "keys", "cosign.pub"),
      "--insecure-ignore-tlog=true",
      `${repo}:v1.2.3`,
    ]);
    expect(check.code, check.stderr).toBe(0);
    const claims = JSON.parse(check.stdout) as Array<{
      critical: { image: { "docker-manifest-digest": string } };
    }>;
    expect(claims.map((c) => c.critical.image["docker-manifest-digest"])).toContain(signed.digest);
    expect(registry.issued.anonymous).toBeGreaterThan(before);
  });

  it("the SBOM attestation of each platform verifies, and lists exactly the image's node binary and npm packages", async () => {
    for (const platform of signed.platforms) {
      const check = await anonymousCosign([
        "verify-attestation",
        "--key",
        join(work, "keys", "cosign.pub"),
        "--insecure-ignore-tlog=true",
        "--type",
        "spdxjson",
        `${repo}@${platform.digest}`,
      ]);
      expect(check.code, check.stderr).toBe(0);
      const [document] = attestedDocuments(check.stdout);
      const listed = (document?.packages ?? [])
        .filter((p) => p.sourceInfo !== undefined)
        .map((p) => `${p.sourceInfo?.slice(SOURCE_INFO_PREFIX.length)} ${p.name}@${p.versionInfo}`)
        .sort();
      // What the layer holds: every package root's package.json, and the node binary's version.
      const files = imageFiles("signed", platform.platform);
      const expected = Object.entries(files)
        .filter(([path]) =>
          /(^|\/)node_modules\/(@[^/]+\/)?[^/]+\/package\.json$|^app\/package\.json$/.test(path),
        )
        .map(([path, body]) => {
          const { name, version } = JSON.parse(String(body)) as { name: string; version: string };
          return `/${path} ${name}@${version}`;
        });
      const node = String(files["nodejs/bin/node"]).match(/node-v([\d.]+)-headers/)?.[1];
      expect(listed).toEqual([...expected, `/nodejs/bin/node node@${node}`].sort());
      expect(listed).toHaveLength(6);
    }
  });

  it("image verify --require-signature --require-sbom --key passes, anonymously", async () => {
    const run = await imageVerify(
      `${repo}:v1.2.3`,
      ...[
        "--digest",
        signed.digest,
        "--require-signature",
        "--require-sbom",
        "--key",
        "keys/cosign.pub",
        "--json",
      ],
    );
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as {
      signed: boolean;
      sboms: Array<{ platform: string; packages: number }>;
    };
    expect(result.signed).toBe(true);
    expect(result.sboms).toEqual([
      { platform: "linux/amd64", digest: signed.platforms[0]?.digest, packages: 6 },
      { platform: "linux/arm64", digest: signed.platforms[1]?.digest, packages: 6 },
    ]);
  });

  it("an unsigned image fails, naming the digest", async () => {
    const run = await imageVerify(
      `${repo}:v1.2.4`,
      ...["--require-signature", "--require-sbom", "--key", "keys/cosign.pub"],
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`the image index ${unsigned.digest} is not signed`);
    expect(run.stderr).toContain(`linux/amd64 ${unsigned.platforms[0]?.digest} has no SBOM attestation`);
    expect(run.stderr).toContain(`linux/arm64 ${unsigned.platforms[1]?.digest} has no SBOM attestation`);
  });

  it("a wrong key fails", async () => {
    const run = await imageVerify(`${repo}:v1.2.3`, "--require-signature", "--key", "other-keys/cosign.pub");
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      `has a signature that does not verify with the public key ${join(work, "other-keys", "cosign.pub")}`,
    );
  });

  it("asking for a signature without a key or identity is a usage error", async () => {
    const run = await release([
      "image",
      "verify",
      `${repo}:v1.2.3`,
      "--require-signature",
      "--cosign",
      cosign,
    ]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("--certificate-identity");
  });

  it("the docs' key-based verification commands pass as written, against the local registry", async () => {
    const blocks = shellBlocks(
      readFileSync(join(repoRoot, "docs", "verifying.md"), "utf8"),
      "docs/verifying.md",
    ).filter(
      (block) => block.marker?.kind === "doc-test" && block.marker.runner === "test/e2e/image-sign.test.ts",
    );
    expect(blocks.length).toBeGreaterThan(0);
    const home = mkdtempSync(join(work, "reader-"));
    copyFileSync(join(work, "keys", "cosign.pub"), join(home, "cosign.pub"));
    for (const block of blocks) {
      // The reader's commands, with the local registry for ghcr.io (plain http on loopback).
      const code = block.code
        .replaceAll("https://ghcr.io", registry.url)
        .replaceAll("ghcr.io", registry.host);
      const { stdout } = await exec("bash", ["-e", "-o", "pipefail", "-c", code], {
        cwd: home,
        env: {
          PATH: [dirname(cosign), process.env.PATH ?? ""].join(delimiter),
          HOME: home,
          DOCKER_CONFIG: home,
        },
        maxBuffer: 16 * 1024 * 1024,
      });
      expect(stdout).toContain("yaml 2.8.0");
      expect(stdout).toContain("node 22.23.3");
    }
  });

  // Last: it moves the release tag.
  it("a re-tagged image (the release tag moved to another digest) fails", async () => {
    const indexBody = JSON.parse(
      readFileSync(join(unsigned.dir, "blobs", "sha256", unsigned.digest.slice(7)), "utf8"),
    );
    await new Pusher(registry, "alto9/kube9-operator").manifest("v1.2.3", indexBody, OCI_INDEX);
    const cosignCheck = await anonymousCosign([
      "verify",
      "--key",
      join(work, "keys", "cosign.pub"),
      "--insecure-ignore-tlog=true",
      `${repo}:v1.2.3`,
    ]);
    expect(cosignCheck.code).not.toBe(0);
    expect(cosignCheck.stderr).toContain("no signatures found");
    const args = ["--require-signature", "--key", "keys/cosign.pub"];
    const moved = await imageVerify(`${repo}:v1.2.3`, ...args);
    expect(moved.status).toBe(1);
    expect(moved.stderr).toContain(`${repo}:v1.2.3 points at ${unsigned.digest} now`);
    expect(moved.stderr).toContain("is not signed");
    const pinned = await imageVerify(`${repo}:v1.2.3`, ...args, "--digest", signed.digest);
    expect(pinned.status).toBe(1);
    expect(pinned.stderr).toContain(
      `resolves to ${unsigned.digest}, not ${signed.digest}: the tag was moved`,
    );
  });
});
