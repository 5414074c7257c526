import type { Command } from "commander";
import { ReleaseError } from "../../errors.js";
import { inspectImage } from "../../image/inspect.js";
import { type ImageReference, parseImageReference } from "../../image/reference.js";
import { RegistryClient } from "../../image/registry-client.js";
import { RELEASE_IMAGE_MAX_SIZE, RELEASE_IMAGE_PLATFORMS } from "../../image/release-platforms.js";
import { parseReleaseVersion } from "../../image/release-version.js";
import type { VerifyIdentity } from "../../image/sign/cosign-args.js";
import { checkSignatures, type SignatureCheck } from "../../image/sign/verify-signature.js";
import { formatSize, parseSize } from "../../image/units.js";
import { type ImageExpectations, type VerifiedImage, verifyImage } from "../../image/verify.js";
import type { CliContext } from "../context.js";
import { commandOutput, type Rendering } from "../output.js";
import { COSIGN_OPTION, type SigningFlags, verifyIdentity } from "./signing-options.js";

interface VerifyFlags extends SigningFlags {
  platform: string;
  maxSize: string;
  label: string[];
  version?: string;
  revision?: string;
  digest?: string;
  requireSignature?: boolean;
  requireSbom?: boolean;
  json?: boolean;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function expectedLabels(flags: VerifyFlags): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of flags.label) {
    const eq = pair.indexOf("=");
    if (eq <= 0) {
      throw new ReleaseError("USAGE", `${JSON.stringify(pair)} is not key=value`, {
        field: "--label",
        fix: "e.g. --label org.opencontainers.image.version=1.2.3",
      });
    }
    labels[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  if (flags.version !== undefined) {
    labels["org.opencontainers.image.version"] = parseReleaseVersion(flags.version, "--version").version;
  }
  if (flags.revision !== undefined) labels["org.opencontainers.image.revision"] = flags.revision;
  return labels;
}

export function registerImageVerify(image: Command, context: CliContext): void {
  image
    .command("verify")
    .description(
      "check, as an anonymous user: exactly the expected platforms, the expected labels, and each platform under the size budget",
    )
    .argument("<ref>", "image reference, e.g. ghcr.io/alto9/kube9-operator:v1.2.3")
    .option(
      "--platform <list>",
      "comma-separated platforms the index must hold, and nothing else",
      RELEASE_IMAGE_PLATFORMS.join(","),
    )
    .option(
      "--max-size <size>",
      "budget per platform, compressed layers (1 MB = 10^6 bytes)",
      RELEASE_IMAGE_MAX_SIZE,
    )
    .option("--label <key=value>", "require this label on every platform (repeatable)", collect, [])
    .option("--version <version>", "require org.opencontainers.image.version (a leading v is dropped)")
    .option("--revision <sha>", "require org.opencontainers.image.revision")
    .option(
      "--digest <sha256:...>",
      "require the reference to resolve to this index digest (a moved tag fails)",
    )
    .option(
      "--require-signature",
      "require a cosign signature of the index that verifies (--key or keyless identity)",
    )
    .option(
      "--require-sbom",
      "require on every platform an SPDX SBOM attestation that verifies and describes it",
    )
    .option(
      "--key <file>",
      "the cosign public key the signature and SBOM must verify with (no transparency log)",
    )
    .option(
      "--certificate-identity <url>",
      "keyless: the signing workflow, e.g. https://github.com/OWNER/REPO/.github/workflows/release-image.yml@refs/tags/vX.Y.Z",
    )
    .option(
      "--certificate-oidc-issuer <url>",
      "keyless: the OIDC issuer, https://token.actions.githubusercontent.com for GitHub Actions",
    )
    .option(...COSIGN_OPTION)
    .option("--json", "print the result as JSON")
    .action(async (refText: string, flags: VerifyFlags) => {
      const output = commandOutput(context, flags);
      const outcome = await imageVerify(verifyRequest(refText, flags, context), context.env, output.progress);
      output.render(renderImageVerify(outcome));
    });
}

interface VerifyRequest {
  refText: string;
  ref: ImageReference;
  expect: ImageExpectations;
  digest?: string;
  /** With --require-signature or --require-sbom: cosign and what the signatures must verify with. */
  signatures?: { cosign: string; identity: VerifyIdentity; signature: boolean; sbom: boolean };
}

/** The flags as a typed request, each checked before the registry is read. */
function verifyRequest(refText: string, flags: VerifyFlags, context: CliContext): VerifyRequest {
  const ref = parseImageReference(refText);
  const platforms = flags.platform
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
  const expect = {
    platforms,
    maxBytes: parseSize(flags.maxSize, "--max-size"),
    labels: expectedLabels(flags),
  };
  if (flags.digest !== undefined && !/^sha256:[0-9a-f]{64}$/.test(flags.digest)) {
    throw new ReleaseError("USAGE", `${JSON.stringify(flags.digest)} is not a digest`, {
      field: "--digest",
      fix: "give sha256:<64 hex>, e.g. the digest `image push` printed",
    });
  }
  const signature = flags.requireSignature === true;
  const sbom = flags.requireSbom === true;
  return {
    refText,
    ref,
    expect,
    ...(flags.digest === undefined ? {} : { digest: flags.digest }),
    ...(signature || sbom
      ? {
          signatures: { cosign: flags.cosign, identity: verifyIdentity(flags, context.cwd), signature, sbom },
        }
      : {}),
  };
}

interface VerifyOutcome {
  request: VerifyRequest;
  result: VerifiedImage;
  signed: SignatureCheck | undefined;
}

/** `image verify` as a plain function: the image as an anonymous user gets it, checked; a problem throws. */
async function imageVerify(
  request: VerifyRequest,
  env: NodeJS.ProcessEnv,
  progress: (line: string) => void,
): Promise<VerifyOutcome> {
  const { refText, ref } = request;
  progress(`reading ${refText} anonymously`);
  const inspected = await inspectImage(new RegistryClient(), ref);
  if (request.digest !== undefined && inspected.digest !== request.digest) {
    throw new ReleaseError(
      "IMAGE_INVALID",
      `${refText} resolves to ${inspected.digest}, not ${request.digest}: the tag was moved to another image`,
      { file: refText, field: "--digest", fix: "find out who moved the tag; release tags are never moved" },
    );
  }
  const result = verifyImage(inspected, request.expect);
  if (request.signatures === undefined) return { request, result, signed: undefined };
  progress(`verifying the signature and SBOMs of ${inspected.digest} with cosign, anonymously`);
  const signed = await checkSignatures(ref, inspected, { ...request.signatures, env });
  if (signed.problems.length > 0) {
    const moved = ref.reference.startsWith("sha256:")
      ? ""
      : ` (${refText} points at ${inspected.digest} now; a tag moved to another image shows up as unsigned)`;
    throw new ReleaseError(
      "IMAGE_INVALID",
      `${refText}${moved} failed ${signed.problems.length} signature check(s):\n  - ${signed.problems.join("\n  - ")}`,
      {
        file: refText,
        fix: "sign and attest the released digest (kube9-release image sign), or check the key / identity given",
      },
    );
  }
  return { request, result, signed };
}

function renderImageVerify({ request, result, signed }: VerifyOutcome): Rendering {
  const rows = result.platforms.map(
    (p) =>
      `  ${p.platform.padEnd(14)} ${p.digest}  ${formatSize(p.compressedBytes)} compressed, ${p.layers} layers`,
  );
  const signatureLine =
    signed === undefined
      ? ""
      : `\n  ${request.signatures?.signature === true ? "signature verified" : "signature not required"}; SBOM attestations verified: ${signed.sboms.map((s) => `${s.platform} (${s.document.packages.length - 1} packages)`).join(", ") || "not required"}`;
  return {
    data: {
      ...result,
      ...(signed === undefined
        ? {}
        : {
            signed: signed.signed,
            sboms: signed.sboms.map((s) => ({
              platform: s.platform,
              digest: s.digest,
              packages: s.document.packages.length - 1,
            })),
          }),
    },
    human: `OK ${result.reference}\n  digest ${result.digest}\n${rows.join("\n")}\n  budget ${formatSize(result.maxBytes)} per platform; labels: ${Object.keys(request.expect.labels).length} checked${signatureLine}`,
    summary: [
      `### Image verified: \`${result.reference}\``,
      "",
      `- index digest: \`${result.digest}\``,
      `- budget per platform: ${formatSize(result.maxBytes)} (compressed layers)`,
      ...(signed === undefined
        ? []
        : [
            `- signature: ${signed.signed ? "verified" : "not required"}; SBOM attestations: ${signed.sboms.length}`,
          ]),
      "",
      "| platform | digest | compressed size | layers |",
      "| --- | --- | --- | --- |",
      ...result.platforms.map(
        (p) => `| ${p.platform} | \`${p.digest}\` | ${formatSize(p.compressedBytes)} | ${p.layers} |`,
      ),
    ].join("\n"),
  };
}
