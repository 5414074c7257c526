/**
 * Index models full of strings that YAML 1.1 or 1.2 could misread, for round-trip tests.
 */
import type { ChartVersion, IndexFile } from "../../src/repo/model/index-file.js";
import { HOSTILE_STRINGS } from "./hostile-strings.js";

const at = (i: number): string => HOSTILE_STRINGS[i % HOSTILE_STRINGS.length] as string;

export function digestOf(seed: number): string {
  return (seed * 2654435761).toString(16).padStart(8, "0").repeat(8).slice(0, 64);
}

/** A chart version whose every string field holds hostile strings (rotating with `seed`). */
export function hostileEntry(name: string, version: string, seed: number): ChartVersion {
  return {
    annotations: {
      [at(seed)]: at(seed + 1),
      "artifacthub.io/changes": "- kind: added\n  description: x\n",
      [at(seed + 2)]: at(seed + 3),
    },
    apiVersion: "v2",
    appVersion: at(seed + 4),
    created: "2025-06-01T12:00:00.123456789+02:00",
    dependencies: [
      {
        alias: "cache_store",
        condition: at(seed + 5),
        enabled: true,
        "import-values": ["defaults", { child: at(seed + 6), parent: "p" }, [], {}],
        name: "redis",
        repository: at(seed + 7),
        tags: [at(seed + 8), at(seed + 9)],
        version: at(seed + 10),
      },
    ],
    deprecated: false,
    description: at(seed + 11),
    digest: digestOf(seed + 1),
    home: at(seed + 12),
    icon: at(seed + 13),
    keywords: HOSTILE_STRINGS.slice(seed % 10, (seed % 10) + 12),
    kubeVersion: at(seed + 14),
    maintainers: [{ email: at(seed + 15), name: at(seed + 16), url: at(seed + 17) }, { name: "only a name" }],
    name,
    sources: [at(seed + 18), at(seed + 19)],
    type: "application",
    urls: [`https://charts.example.com/${name}-${version}.tgz`, at(seed + 20)],
    version,
  };
}

/** Three charts (names a YAML 1.1 reader would misread), versions newest first, a pre-release included. */
export function hostileIndex(): IndexFile {
  const entries: Record<string, ChartVersion[]> = {};
  const names = ["yes", "1.0", "kube9-operator"];
  names.forEach((name, c) => {
    entries[name] = ["1.10.0", "1.10.0-rc.1", "1.2.3"].map((version, v) =>
      hostileEntry(name, version, c * 7 + v * 3),
    );
  });
  return {
    annotations: { "kube9.io/owners": "alto9", on: "1.0", "": "empty key" },
    apiVersion: "v1",
    entries,
    generated: "2025-06-01T12:00:01Z",
    publicKeys: ["-----BEGIN PGP PUBLIC KEY BLOCK-----\nabc\n-----END PGP PUBLIC KEY BLOCK-----", "yes"],
    serverInfo: {
      contextPath: "/charts",
      port: 8080,
      ratio: 1.5,
      on: true,
      nothing: null,
      list: ["a", 1, { b: "no" }],
      nested: { "1.0": "x" },
    },
  };
}
