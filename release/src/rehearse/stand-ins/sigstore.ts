/**
 * The stand-in for keyless signing (Sigstore's Fulcio and Rekor with GitHub's OIDC token): a
 * cosign key pair made for the rehearsal, and a `cosign` command first on the job's PATH that
 * runs the pinned cosign with that key wherever the workflow asks for keyless. The workflow and
 * `kube9-release` run unchanged; only the proof of identity differs: a keyless verify must name
 * exactly the identity GitHub would certify (the release workflow at the release's ref) and its
 * issuer, or it fails as a wrong identity does.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { ReleaseError } from "../../errors.js";
import { COSIGN_INSTALL_FIX } from "../../image/sign/cosign.js";
import { EMPTY_SIGNING_CONFIG, EMPTY_TRUSTED_ROOT } from "../../image/sign/cosign-args.js";
import type { KeylessSettings } from "./keyless-cosign.js";

const exec = promisify(execFile);

/** The OIDC issuer of GitHub Actions' tokens. */
export const GITHUB_OIDC_ISSUER = "https://token.actions.githubusercontent.com";

export interface SigstoreStandIn {
  /** Put first on PATH: its `cosign` stands in for keyless signing. */
  binDir: string;
  /** The rehearsal's public key: what the signatures verify with. */
  publicKey: string;
  /** The identity a keyless verify must name. */
  identity: string;
}

/**
 * The certificate identity GitHub Actions gets from Fulcio for a job of `workflowFile` run at
 * `ref`: the workflow's URL at that ref (for a called workflow, the called file at the caller's ref).
 */
export function workflowIdentity(repository: string, workflowFile: string, ref: string): string {
  return `https://github.com/${repository}/${workflowFile}@${ref}`;
}

/** The compiled stand-in program; run from the TypeScript sources (tests), the build of the same checkout. */
function keylessProgram(): string {
  const beside = fileURLToPath(new URL("./keyless-cosign.js", import.meta.url));
  return existsSync(beside) ? beside : beside.replace(`${sep}src${sep}`, `${sep}dist${sep}`);
}

export async function startSigstoreStandIn(options: {
  cosign: string;
  dir: string;
  identity: string;
}): Promise<SigstoreStandIn> {
  const { dir } = options;
  const binDir = join(dir, "bin");
  await mkdir(binDir, { recursive: true });
  const password = randomBytes(12).toString("hex");
  await exec(options.cosign, ["generate-key-pair"], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "", COSIGN_PASSWORD: password },
  }).catch((error: NodeJS.ErrnoException & { stderr?: string }) => {
    throw new ReleaseError(
      "TOOL_FAILED",
      `cannot make the rehearsal's signing key: ${error.stderr?.trim() || error.message}`,
      {
        file: options.cosign,
        fix: error.code === "ENOENT" ? COSIGN_INSTALL_FIX : "check that the cosign binary runs",
      },
    );
  });
  const settings: KeylessSettings = {
    cosign: options.cosign,
    key: join(dir, "cosign.key"),
    publicKey: join(dir, "cosign.pub"),
    password,
    signingConfig: join(dir, "signing-config.json"),
    trustedRoot: join(dir, "trusted-root.json"),
    identity: options.identity,
    issuer: GITHUB_OIDC_ISSUER,
  };
  await writeFile(settings.signingConfig, JSON.stringify(EMPTY_SIGNING_CONFIG));
  await writeFile(settings.trustedRoot, JSON.stringify(EMPTY_TRUSTED_ROOT));
  const settingsFile = join(dir, "settings.json");
  await writeFile(settingsFile, JSON.stringify(settings, null, 2), { mode: 0o600 });
  const program = keylessProgram();
  const quote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;
  const wrapper = join(binDir, "cosign");
  await writeFile(
    wrapper,
    `#!/bin/sh\nexec ${quote(process.execPath)} ${quote(program)} ${quote(settingsFile)} "$@"\n`,
  );
  await chmod(wrapper, 0o755);
  return { binDir, publicKey: settings.publicKey, identity: options.identity };
}
