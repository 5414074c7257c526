// Parse and serialize costs of index.yaml on a synthetic 15,000-entry index (~1 KB of metadata per
// entry, like Bitnami's), to choose how release/src/repo reads and writes it.
//
//   npx tsc -b release && node bench/yaml-libraries.bench.mjs [--entries N] [--runs N]
//
// Compares what is installed (js-yaml load/dump, JSON.parse/stringify) with our own code
// (parseIndex: js-yaml + YAML 1.1 scalars + strict checks; serializeIndex: the hand-written emitter).
// The `yaml` npm package is not installed (in its default YAML 1.2 mode it leaves `yes` and `on`
// unquoted, which Helm's YAML 1.1 reader takes as booleans), so it is not measured. Prints figures
// only: nothing here is asserted (timings never belong in tests).

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import yaml from "js-yaml";
import { mergeEntry } from "../release/dist/repo/merge.js";
import { HELM_YAML_SCHEMA } from "../release/dist/repo/parse/load-yaml.js";
import { parseIndex } from "../release/dist/repo/parse/parse-index.js";
import { serializeIndex } from "../release/dist/repo/serialize/serialize-index.js";
import { needsQuotes, resolvePlain } from "../release/dist/yaml/yaml11-scalars.js";
import { toolPath } from "../scripts/tool-paths.mjs";
import { hex, syntheticIndex } from "./synthetic-index.mjs";

// Collect garbage between runs (not timed), so that one library's garbage is not billed to the next.
if (typeof globalThis.gc !== "function") {
  const child = spawnSync(process.execPath, ["--expose-gc", ...process.argv.slice(1)], { stdio: "inherit" });
  process.exit(child.status ?? 1);
}

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const ENTRIES = arg("--entries", 15_000);
const RUNS = arg("--runs", 5);

function measure(label, runs, fn) {
  fn(); // warm up
  const times = [];
  let result;
  for (let i = 0; i < runs; i++) {
    globalThis.gc();
    const t0 = performance.now();
    result = fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(
    `${label.padEnd(58)} ${median.toFixed(1).padStart(8)} ms  (min ${times[0].toFixed(1)}, ${runs} runs)`,
  );
  return result;
}

const index = syntheticIndex(ENTRIES);
const yamlText = serializeIndex(index);
const jsonText = JSON.stringify(index);
const count = Object.values(index.entries).reduce((n, l) => n + l.length, 0);
console.log(
  `synthetic index: ${count} entries in ${Object.keys(index.entries).length} charts; YAML ${(yamlText.length / 1e6).toFixed(1)} MB (${Math.round(yamlText.length / count)} bytes/entry), JSON ${(jsonText.length / 1e6).toFixed(1)} MB`,
);
const jsYamlVersion = JSON.parse(
  readFileSync(new URL("../node_modules/js-yaml/package.json", import.meta.url), "utf8"),
).version;
console.log(
  `node ${process.version}, js-yaml ${jsYamlVersion}; median of ${RUNS} runs after one warm-up, garbage collected before each run`,
);

console.log("\nparse");
measure("js-yaml load (default schema, YAML 1.2 types)", RUNS, () => yaml.load(yamlText));
measure("js-yaml load (our YAML 1.1 schema, no checks)", RUNS, () =>
  yaml.load(yamlText, { schema: HELM_YAML_SCHEMA }),
);
measure("parseIndex YAML (strict checks + sort)", RUNS, () => parseIndex(yamlText, "index.yaml"));
measure("JSON.parse", RUNS, () => JSON.parse(jsonText));
measure("parseIndex JSON content (strict checks + duplicate scan)", RUNS, () =>
  parseIndex(jsonText, "index.yaml"),
);

console.log("\nserialize");
const slowRuns = Math.max(1, Math.min(RUNS, 2));
measure("js-yaml dump (default options)", slowRuns, () => yaml.dump(index));
measure("js-yaml dump (noRefs: true)", RUNS, () => yaml.dump(index, { noRefs: true }));
measure("js-yaml dump (noRefs, lineWidth -1, sortKeys)", RUNS, () =>
  yaml.dump(index, { noRefs: true, lineWidth: -1, sortKeys: true }),
);
measure("JSON.stringify", RUNS, () => JSON.stringify(index));
measure("serializeIndex (our emitter)", RUNS, () => serializeIndex(index));

console.log("\npublish one version into the index (what `chart publish` does in memory)");
const bytes = new TextEncoder().encode(yamlText);
const first = Object.keys(index.entries)[0];
const newEntry = {
  ...index.entries[first][0],
  version: "99.0.0",
  digest: hex(64),
  urls: [`https://charts.example.com/${first}-99.0.0.tgz`],
  created: "2025-06-02T00:00:00Z",
};
measure("parseIndex + mergeEntry + serializeIndex (YAML bytes in, text out)", RUNS, () => {
  const parsed = parseIndex(bytes, "index.yaml");
  const merged = mergeEntry(parsed, newEntry);
  return serializeIndex({ ...merged.index, generated: "2025-06-02T00:00:01Z" });
});

// The same work done by Helm itself, when the pinned clients are installed (npm run tools).
const work = mkdtempSync(join(tmpdir(), "kube9-yaml-bench-"));
try {
  writeFileSync(join(work, "index.yaml"), yamlText);
  mkdirSync(join(work, "empty"));
  for (const label of ["helm3", "helm4"]) {
    const helm = toolPath(label);
    if (!existsSync(helm)) {
      console.log(`${label}: not installed (npm run tools), skipped`);
      continue;
    }
    measure(`${label} repo index --merge (load, sort, write; whole process)`, Math.min(RUNS, 3), () =>
      execFileSync(helm, ["repo", "index", join(work, "empty"), "--merge", join(work, "index.yaml")]),
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

// Correctness, not speed: which strings does js-yaml's dump leave plain although Helm's YAML 1.1
// reader (yaml.v2) would not read them back as the same string?
const hostile = [
  "yes",
  "on",
  "y",
  "N",
  "1.0",
  "0123",
  "1e3",
  "0x1F",
  "1_000",
  "0b101",
  "0o17",
  "+1",
  ".5",
  "1:20",
  "2024-01-01",
  "=",
  "<<",
  "~",
  "null",
  "NULL",
  ".inf",
  "-.INF",
  ".NaN",
];
const plainInJsYaml = hostile.filter((s) => {
  const out = yaml.dump({ k: s }, { noRefs: true }).trim();
  return out === `k: ${s}`;
});
const misread = plainInJsYaml.filter((s) => resolvePlain(s).kind !== "str");
console.log(`\njs-yaml dump leaves plain: ${plainInJsYaml.join(", ") || "(none)"}`);
console.log(`  of which Helm (yaml.v2) reads as non-strings: ${misread.join(", ") || "(none)"}`);
console.log(`serializeIndex quotes all ${hostile.length}: ${hostile.every((s) => needsQuotes(s))}`);
