/**
 * Which registries `image build` may speak to without TLS verification: only the loopback ones
 * among the images it reads and writes (local test registries speak plain HTTP), each by its own
 * host[:port], never all of them. buildah's --tls-verify=false would switch verification off for
 * every registry of the run, so the exceptions go into a containers-registries.conf(5) file that
 * names each one as `insecure`; every other registry keeps full TLS verification.
 */

export interface RegistryTls {
  /** host[:port] of the loopback registries spoken to without TLS verification. */
  insecure: string[];
  /**
   * The registries.conf to point buildah at (its --registries-conf), or undefined when no
   * registry needs an exception and the system configuration is used unchanged.
   */
  registriesConf: string | undefined;
}

const LOOPBACK = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/;

/** The registry host of an image reference (`host[:port]/name...`), if it names one. */
function registryOf(image: string): string | undefined {
  const slash = image.indexOf("/");
  if (slash <= 0) return undefined;
  const host = image.slice(0, slash);
  // Docker's rule: the first component is a host only with a dot, a port or "localhost".
  return /[.:]|^localhost$|^\[/.test(host) ? host : undefined;
}

export function registryTls(images: readonly string[]): RegistryTls {
  const insecure = [
    ...new Set(images.flatMap((image) => registryOf(image) ?? []).filter((host) => LOOPBACK.test(host))),
  ].sort();
  if (insecure.length === 0) return { insecure, registriesConf: undefined };
  const lines = [
    "# Written by kube9-release image build: loopback registries without TLS verification.",
    "# Replaces the system file for this run, so short names resolve as Docker resolves them.",
    'unqualified-search-registries = ["docker.io"]',
    'short-name-mode = "permissive"',
    ...insecure.flatMap((host) => [
      "",
      "[[registry]]",
      `location = ${JSON.stringify(host)}`,
      "insecure = true",
    ]),
    "",
  ];
  return { insecure, registriesConf: lines.join("\n") };
}
