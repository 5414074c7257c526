import type { Command } from "commander";
import type { PublicKey } from "../../provenance/keys.js";
import { checkServedProvenance, type ProvenanceCheck } from "../../provenance/verify-served.js";
import { httpRepositoryReader } from "../../publish/repository-reader.js";
import { type VerifyResult, verifyPublished } from "../../publish/verify.js";
import type { CliContext } from "../context.js";
import { DEFAULT_CHART } from "../defaults.js";
import { repositoryUrl } from "../options.js";
import { commandOutput, type Rendering } from "../output.js";
import { verificationKeys } from "../signing.js";

export interface VerifyFlags {
  url: string;
  chart: string;
  version: string;
  digest?: string;
  publicKey?: string;
  keyring?: string;
  json?: boolean;
}

export function registerRepoVerify(repo: Command, context: CliContext): void {
  repo
    .command("verify")
    .description(
      "check what users get: the version is in index.yaml and its archive has the digest the index claims",
    )
    .requiredOption("--url <url>", "repository URL, as users give it to `helm repo add`")
    .option("--chart <name>", "chart name", DEFAULT_CHART)
    .requiredOption("--version <version>", "chart version to check")
    .option("--digest <sha256>", "also require this archive digest")
    .option(
      "--public-key <file>",
      "require <archive>.prov signed by this key (armored or binary; the repository serves it as pubkey.asc)",
    )
    .option(
      "--keyring <file>",
      "like --public-key, with a keyring of several keys (as `helm verify --keyring`)",
    )
    .option("--json", "print the result as JSON")
    .action(async (flags: VerifyFlags) => {
      const output = commandOutput(context, flags);
      const outcome = await repoVerify(await verifyRequest(flags, context), output.progress);
      output.render(renderRepoVerify(outcome));
    });
}

export interface RepoVerifyRequest {
  url: string;
  chart: string;
  version: string;
  expectedDigest?: string;
  /** The keys the served .prov must be signed by; undefined when none is given. */
  keys: PublicKey[] | undefined;
}

/** The flags as a typed request: the URL checked and the keys read before the repository is. */
export async function verifyRequest(flags: VerifyFlags, context: CliContext): Promise<RepoVerifyRequest> {
  const url = repositoryUrl(flags.url, "--url");
  return {
    url,
    chart: flags.chart,
    version: flags.version,
    ...(flags.digest === undefined ? {} : { expectedDigest: flags.digest.toLowerCase() }),
    keys: await verificationKeys(flags, context),
  };
}

export interface RepoVerifyOutcome {
  result: VerifyResult;
  provenance: ProvenanceCheck | undefined;
}

/** `repo verify` as a plain function: what users get, read through the URL and checked; a problem throws. */
export async function repoVerify(
  request: RepoVerifyRequest,
  progress: (line: string) => void,
): Promise<RepoVerifyOutcome> {
  const { url } = request;
  progress(`reading ${url}/index.yaml`);
  const reader = httpRepositoryReader(url);
  const result = await verifyPublished(reader, {
    chart: request.chart,
    version: request.version,
    ...(request.expectedDigest === undefined ? {} : { expectedDigest: request.expectedDigest }),
  });
  // Without a key a served .prov is checked for the digest it signs; with one it is required and its signature checked.
  const provenance = await checkServedProvenance(
    reader.readProvenance,
    { url: result.archive, digest: result.digest },
    request.keys,
  );
  return { result, provenance };
}

function provenanceLine(provenance: ProvenanceCheck | undefined): string {
  if (provenance === undefined) return "provenance: none served (unsigned)";
  return provenance.signatureChecked
    ? `provenance ${provenance.location}: signed by ${provenance.signedBy} (${provenance.signerUserIds.join(", ")}) at ${provenance.signedAt ?? "?"}, signs this digest`
    : `provenance ${provenance.location}: signs this digest; signature not checked (give --public-key)`;
}

export function renderRepoVerify({ result, provenance }: RepoVerifyOutcome): Rendering {
  return {
    data: { ...result, provenance: provenance ?? null },
    human: `OK ${result.chart} ${result.version} (app ${result.appVersion ?? "-"})\n  index   ${result.index}\n  archive ${result.archive} (${result.size} bytes)\n  sha256  ${result.digest} matches the index\n  ${provenanceLine(provenance)}`,
    summary: `### Verified ${result.chart} ${result.version}\n\n- index: ${result.index}\n- archive: ${result.archive}\n- sha256: \`${result.digest}\`\n- provenance: ${provenance === undefined ? "none" : provenance.signatureChecked ? `signed by \`${provenance.signedBy}\`` : "digest only (no key given)"}`,
  };
}
