/**
 * The signing and verification options of `chart package`, `chart publish` and `repo verify`, and
 * where their keys come from: a file, or for CI an environment variable (`--sign-key
 * env:KUBE9_SIGNING_KEY`, so that a missing secret fails instead of silently publishing unsigned).
 */
import { promises as fs } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { signKeyFingerprint } from "../artifacthub/annotations.js";
import { emitChartYaml } from "../chart/emit-chart-yaml.js";
import { ReleaseError } from "../errors.js";
import {
  fingerprintOf,
  type PublicKey,
  readPublicKey,
  readPublicKeys,
  readSigningKey,
  type SigningKey,
} from "../provenance/keys.js";
import { parseProvenance, signProvenance, verifyProvenance } from "../provenance/provenance.js";
import { PUBLIC_KEY_ARMORED, PUBLIC_KEY_KEYRING } from "../provenance/publish-provenance.js";
import type { PackagedChart } from "../publish/chart-source.js";
import type { CliContext } from "./context.js";

export const PASSPHRASE_ENV = "KUBE9_SIGNING_PASSPHRASE";
const ENV_PREFIX = "env:";

export interface SigningFlags {
  signKey?: string;
  signPassphraseFile?: string;
}

export function addSigningOptions(command: Command): Command {
  return command
    .option(
      "--sign-key <file or env:NAME>",
      "sign: write <archive>.prov with this armored OpenPGP private key (RSA), read from a file or, as env:NAME, from an environment variable",
    )
    .option(
      "--sign-passphrase-file <file>",
      `passphrase of the signing key (default: the ${PASSPHRASE_ENV} environment variable)`,
    );
}

export async function signingKeyFrom(
  flags: SigningFlags,
  context: CliContext,
): Promise<SigningKey | undefined> {
  if (flags.signKey === undefined) return undefined;
  const { text, source } = await keyText(flags.signKey, context);
  return readSigningKey(text, source, await passphrase(flags, context));
}

/** The .prov of an archive: Chart.yaml as our archives hold it (what Helm's own signer marshals). */
export function signChart(chart: PackagedChart, key: SigningKey): Promise<string> {
  return signProvenance(
    { archiveName: chart.fileName, digest: chart.digest, chartYaml: emitChartYaml(chart.metadata) },
    key,
  );
}

export async function publicKeyFile(path: string, context: CliContext): Promise<PublicKey> {
  const file = resolve(context.cwd, path);
  return readPublicKey(await readFileOrFail(file, "--public-key"), file);
}

export async function keyringFile(path: string, option: string, context: CliContext): Promise<PublicKey[]> {
  const file = resolve(context.cwd, path);
  return readPublicKeys(await readFileOrFail(file, option), file);
}

async function keyText(value: string, context: CliContext): Promise<{ text: string; source: string }> {
  if (value.startsWith(ENV_PREFIX)) {
    const name = value.slice(ENV_PREFIX.length);
    const text = context.env[name];
    if (text === undefined || text.trim() === "") {
      throw new ReleaseError(
        "USAGE",
        `--sign-key ${value}: the environment variable ${name} is not set or empty`,
        {
          field: "--sign-key",
          fix: `set ${name} to the armored private key (in GitHub Actions: env: ${name}: \${{ secrets.${name} }})`,
        },
      );
    }
    return { text, source: `$${name}` };
  }
  const file = resolve(context.cwd, value);
  return { text: new TextDecoder().decode(await readFileOrFail(file, "--sign-key")), source: file };
}

async function passphrase(flags: SigningFlags, context: CliContext): Promise<string | undefined> {
  if (flags.signPassphraseFile !== undefined) {
    const file = resolve(context.cwd, flags.signPassphraseFile);
    // One line, as `echo secret > file` writes it: the final newline is not part of the passphrase.
    return new TextDecoder()
      .decode(await readFileOrFail(file, "--sign-passphrase-file"))
      .replace(/\r?\n$/, "");
  }
  const value = context.env[PASSPHRASE_ENV];
  return value === undefined || value === "" ? undefined : value;
}

async function readFileOrFail(file: string, option: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await fs.readFile(file));
  } catch (error) {
    throw new ReleaseError(
      "USAGE",
      `cannot read ${option}: ${error instanceof Error ? error.message : String(error)}`,
      {
        file,
        field: option,
        fix: `give the path of a readable file to ${option}`,
        cause: error,
      },
    );
  }
}

export interface PublishSigningFlags extends SigningFlags {
  publicKey?: string;
}

export interface PublishSigning {
  /** The .prov to publish: signed now, or the one `chart package --sign-key` left next to the archive. */
  provenance?: string;
  provenanceFrom?: "signed" | string;
  publicKey?: PublicKey;
}

export function addPublicKeyOption(command: Command): Command {
  return command.option(
    "--public-key <file>",
    `publish this public key as ${PUBLIC_KEY_ARMORED} and ${PUBLIC_KEY_KEYRING} (default with --sign-key: the signing key's public key); an existing .prov is checked against it`,
  );
}

/** What a publish signs and uploads besides the archive; undefined for an unsigned publish. */
export async function publishSigning(
  flags: PublishSigningFlags,
  context: CliContext,
  chartPath: string,
  chart: PackagedChart,
): Promise<PublishSigning | undefined> {
  const signingKey = await signingKeyFrom(flags, context);
  const given = flags.publicKey === undefined ? undefined : await publicKeyFile(flags.publicKey, context);
  if (signingKey !== undefined && given !== undefined && fingerprintOf(given) !== signingKey.fingerprint) {
    throw new ReleaseError(
      "USAGE",
      `--public-key is key ${fingerprintOf(given)} but --sign-key is ${signingKey.fingerprint}`,
      { field: "--public-key", fix: "give the public key of the signing key, or leave --public-key out" },
    );
  }
  const publicKey = given ?? signingKey?.publicKey;
  // Artifact Hub shows the key the chart names: it must be the key the .prov is signed with.
  const named = signKeyFingerprint(chart.metadata.annotations);
  if (named !== undefined && publicKey !== undefined && named !== fingerprintOf(publicKey)) {
    throw new ReleaseError(
      "KEY_INVALID",
      `the chart's artifacthub.io/signKey names key ${named}, but it is signed with ${fingerprintOf(publicKey)}`,
      {
        file: chart.source,
        field: 'annotations["artifacthub.io/signKey"].fingerprint',
        fix: "package with --sign-key-fingerprint of the signing key (KUBE9_CHART_SIGNING_FINGERPRINT), or sign with the key it names",
      },
    );
  }
  if (signingKey !== undefined) {
    return {
      provenance: await signChart(chart, signingKey),
      provenanceFrom: "signed",
      ...withKey(publicKey),
    };
  }
  const sibling = chartPath.endsWith(".tgz") ? `${chartPath}.prov` : undefined;
  const text = sibling === undefined ? undefined : await fs.readFile(sibling, "utf8").catch(() => undefined);
  if (sibling === undefined || text === undefined) return publicKey === undefined ? undefined : { publicKey };
  // The .prov `chart package --sign-key` wrote: it must sign these bytes before it is published.
  const subject = { archiveName: chart.fileName, digest: chart.digest };
  if (publicKey !== undefined) await verifyProvenance(text, subject, [publicKey], sibling);
  else {
    const claimed = (await parseProvenance(text, sibling)).files[chart.fileName];
    if (claimed !== `sha256:${chart.digest}`) {
      throw new ReleaseError(
        "VERIFY_FAILED",
        `it signs ${claimed ?? "no checksum"} for ${chart.fileName}, the archive is sha256:${chart.digest}`,
        {
          file: sibling,
          field: `files.${chart.fileName}`,
          fix: "package and sign again (`chart package --sign-key`), or remove the stale .prov",
        },
      );
    }
  }
  return { provenance: text, provenanceFrom: sibling, ...withKey(publicKey) };
}

function withKey(publicKey: PublicKey | undefined): { publicKey?: PublicKey } {
  return publicKey === undefined ? {} : { publicKey };
}

/** The plan's upload steps with the signed objects where they are written: key first, .prov before the index. */
export function withSigningSteps(
  steps: string[],
  signing: PublishSigning | undefined,
  chart: PackagedChart,
): string[] {
  if (signing === undefined) return steps;
  const [archive, ...rest] = steps;
  return [
    ...(signing.publicKey === undefined
      ? []
      : [
          `upload ${PUBLIC_KEY_ARMORED} and ${PUBLIC_KEY_KEYRING} (key ${fingerprintOf(signing.publicKey)}) create-only; the same key already stored counts as done`,
        ]),
    ...(archive === undefined ? [] : [archive]),
    ...(signing.provenance === undefined
      ? []
      : [
          `upload ${chart.fileName}.prov (${signing.provenanceFrom === "signed" ? "signed now" : `from ${signing.provenanceFrom}`}) create-only; one signing the same digest with the same key counts as done`,
        ]),
    ...rest,
  ];
}

/** `repo verify --public-key` / `--keyring`: the keys a .prov must be signed by; undefined when neither is given. */
export async function verificationKeys(
  flags: { publicKey?: string; keyring?: string },
  context: CliContext,
): Promise<PublicKey[] | undefined> {
  if (flags.publicKey !== undefined && flags.keyring !== undefined) {
    throw new ReleaseError("USAGE", "--public-key and --keyring are two ways to give the same thing", {
      field: "--keyring",
      fix: "give one of them",
    });
  }
  if (flags.publicKey !== undefined) return keyringFile(flags.publicKey, "--public-key", context);
  if (flags.keyring !== undefined) return keyringFile(flags.keyring, "--keyring", context);
  return undefined;
}
