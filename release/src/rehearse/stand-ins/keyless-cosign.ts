/**
 * The `cosign` of the rehearsal's keyless stand-in (sigstore.ts): `keyless-cosign.js <settings>
 * <cosign arguments...>`. Keyless signing becomes signing with the rehearsal key (no transparency
 * log); a keyless verify is checked to name the rehearsal's identity and issuer, then verifies
 * with the rehearsal's public key. Any other command runs as it is.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export interface KeylessSettings {
  /** The real cosign. */
  cosign: string;
  key: string;
  publicKey: string;
  password: string;
  signingConfig: string;
  trustedRoot: string;
  identity: string;
  issuer: string;
}

/** The real cosign's arguments, or the message cosign would fail with. */
export type Rewritten = { args: string[] } | { error: string };

/** `--flag value` or `--flag=value`: the value, and the arguments without the flag. */
function takeFlag(args: string[], flag: string): { value: string | undefined; rest: string[] } {
  const rest: string[] = [];
  let value: string | undefined;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? "";
    if (arg === flag) {
      value = args[i + 1];
      i += 1;
    } else if (arg.startsWith(`${flag}=`)) value = arg.slice(flag.length + 1);
    else rest.push(arg);
  }
  return { value, rest };
}

export function keylessToKey(args: string[], settings: KeylessSettings): Rewritten {
  const [command, ...rest] = args;
  const hasKey = rest.some((arg) => arg === "--key" || arg.startsWith("--key="));
  if (command === "sign" || command === "attest") {
    if (hasKey)
      return { error: "the release signs keyless: the rehearsal stands in for keyless signing only" };
    return {
      args: [
        command,
        "--key",
        settings.key,
        "--signing-config",
        settings.signingConfig,
        "--trusted-root",
        settings.trustedRoot,
        ...rest,
      ],
    };
  }
  if ((command === "verify" || command === "verify-attestation") && !hasKey) {
    if (rest.some((arg) => /^--certificate-(identity|oidc-issuer)-regexp/.test(arg)))
      return {
        error:
          "the rehearsal checks exact identities: use --certificate-identity and --certificate-oidc-issuer",
      };
    const identity = takeFlag(rest, "--certificate-identity");
    const issuer = takeFlag(identity.rest, "--certificate-oidc-issuer");
    if (identity.value !== settings.identity)
      return {
        error: `no matching signatures: none is certified for ${JSON.stringify(identity.value ?? "")} (the release workflow signs as ${settings.identity})`,
      };
    if (issuer.value !== settings.issuer)
      return {
        error: `no matching signatures: the issuer is ${settings.issuer}, not ${JSON.stringify(issuer.value ?? "")}`,
      };
    return { args: [command, "--key", settings.publicKey, "--insecure-ignore-tlog=true", ...issuer.rest] };
  }
  return { args };
}

function main(argv: string[]): void {
  const [settingsFile = "", ...args] = argv;
  const settings = JSON.parse(readFileSync(settingsFile, "utf8")) as KeylessSettings;
  const rewritten = keylessToKey(args, settings);
  if ("error" in rewritten) {
    process.stderr.write(`Error: ${rewritten.error}\n`);
    process.exit(1);
  }
  const child = spawn(settings.cosign, rewritten.args, {
    stdio: "inherit",
    env: { ...process.env, COSIGN_PASSWORD: settings.password },
  });
  child.on("error", (error) => {
    process.stderr.write(`Error: cannot run ${settings.cosign}: ${error.message}\n`);
    process.exit(1);
  });
  child.on("close", (code, signal) => process.exit(code ?? (signal === null ? 1 : 128)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
