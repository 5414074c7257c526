/**
 * A private, throw-away folder for one cosign run: its registry credentials (DOCKER_CONFIG, so
 * that they never appear in a process list and a user's own `docker login` is never used) and the
 * offline signing files of key mode. Removed when the run ends.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RegistryCredentials } from "../registry-credentials.js";
import { EMPTY_SIGNING_CONFIG, EMPTY_TRUSTED_ROOT, type OfflineSigningFiles } from "./cosign-args.js";

export interface CosignHome {
  dockerConfig: string;
  offline: OfflineSigningFiles;
}

/** The auths entry of a Docker config.json for one registry. */
export function dockerConfigJson(registry: string, credentials: RegistryCredentials | undefined): string {
  const auths =
    credentials === undefined
      ? {}
      : {
          [registry]: {
            auth: Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64"),
          },
        };
  return `${JSON.stringify({ auths })}\n`;
}

export async function withCosignHome<T>(
  registry: string,
  credentials: RegistryCredentials | undefined,
  run: (home: CosignHome) => Promise<T>,
): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "kube9-cosign-"));
  try {
    await writeFile(join(dir, "config.json"), dockerConfigJson(registry, credentials), { mode: 0o600 });
    const offline = {
      signingConfig: join(dir, "signing-config.json"),
      trustedRoot: join(dir, "trusted-root.json"),
    };
    await writeFile(offline.signingConfig, JSON.stringify(EMPTY_SIGNING_CONFIG));
    await writeFile(offline.trustedRoot, JSON.stringify(EMPTY_TRUSTED_ROOT));
    return await run({ dockerConfig: dir, offline });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
