// Synthetic index.yaml content for benchmarks: `total` entries of about 1 KB of metadata each, in
// charts of ~300 versions, like large real repositories. Deterministic: every run measures the
// same bytes.
// Deterministic pseudo-random data (mulberry32), so every run measures the same bytes.
let seed = 42;
function random() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (list) => list[Math.floor(random() * list.length)];
export const hex = (n) =>
  Array.from({ length: n }, () => "0123456789abcdef"[Math.floor(random() * 16)]).join("");
const WORDS =
  "kubernetes operator cluster cache metrics controller webhook storage network ingress service helm chart deploy monitor backup restore".split(
    " ",
  );
const words = (n) => Array.from({ length: n }, () => pick(WORDS)).join(" ");

export function syntheticIndex(total) {
  const charts = Math.max(1, Math.round(total / 300));
  const entries = {};
  for (let c = 0; c < charts; c++) {
    const name = `chart-${String(c).padStart(3, "0")}-${pick(WORDS)}`;
    const list = [];
    for (
      let v = 0;
      list.length < total / charts && c * Math.ceil(total / charts) + list.length < total;
      v++
    ) {
      const version = `${Math.floor(v / 100)}.${Math.floor(v / 10) % 10}.${v % 10}`;
      list.push({
        annotations: {
          "artifacthub.io/changes": `- kind: changed\n  description: ${words(12)}\n`,
          "artifacthub.io/license": "Apache-2.0",
        },
        apiVersion: "v2",
        appVersion: `${1 + (v % 7)}.${v % 13}.${v % 5}`,
        created: new Date(Date.UTC(2020, 0, 1) + (c * 1000 + v) * 3_600_000)
          .toISOString()
          .replace(".000Z", "Z"),
        dependencies: [{ name: "common", repository: "oci://registry.example.com/charts", version: "2.x.x" }],
        description: `${words(14)}.`,
        digest: hex(64),
        home: `https://example.com/charts/${name}`,
        icon: `https://example.com/charts/${name}/icon.svg`,
        keywords: [pick(WORDS), pick(WORDS), pick(WORDS), "yes", "1.0"],
        kubeVersion: ">=1.23.0-0",
        maintainers: [{ email: "team@example.com", name: "Example Team" }],
        name,
        sources: [`https://github.com/example/${name}`],
        type: "application",
        urls: [`https://charts.example.com/${name}-${version}.tgz`],
        version,
      });
    }
    entries[name] = list.reverse();
  }
  return { apiVersion: "v1", entries, generated: "2025-06-01T12:00:00Z" };
}
