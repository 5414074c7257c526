// Publishing one chart version into large existing indexes: `kube9-release chart publish` against
// `helm repo index --merge` on the same input, wall time and peak RSS of the whole process.
//
//   npm run bench                     (sizes 1000, 15000, 50000; 3 runs each, median)
//   node bench/publish-index.bench.mjs --sizes 15000 --runs 5
//
// Inputs per size: a synthetic index (bench/synthetic-index.mjs) written once by Helm itself
// (`helm repo index --merge`), so both tools start from a Helm-written file, as a repository
// migrated from chart-releaser or helm-s3 would. Ours is measured twice: on the Helm-written
// index (first publish after a migration) and on an index written by us (every later publish).
// Our publish includes packaging, the compare-and-swap write and the read-back verification.
// Prints figures only; nothing is asserted.
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { serializeIndex } from "../release/dist/repo/serialize/serialize-index.js";
import { toolPath } from "../scripts/tool-paths.mjs";
import { syntheticIndex } from "./synthetic-index.mjs";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const cli = join(root, "release", "dist", "cli", "main.js");
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : process.argv[i + 1];
};
const SIZES = arg("--sizes", "1000,15000,50000").split(",").map(Number);
const RUNS = Number(arg("--runs", "3"));
const helms = { helm3: toolPath("helm3"), helm4: toolPath("helm4") };
const env = { ...process.env, SOURCE_DATE_EPOCH: "1700000000" };

/** Runs a command under GNU time; returns wall seconds and peak RSS in MB. */
function timed(command, args, cwd) {
  const result = spawnSync("/usr/bin/time", ["-f", "%e %M", command, ...args], {
    cwd,
    env,
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed: ${result.stderr}`);
  const [seconds, kilobytes] = result.stderr.trim().split("\n").pop().split(" ").map(Number);
  return { seconds, rssMb: kilobytes / 1024 };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function measure(runs, prepare, run) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const cwd = prepare();
    samples.push(run(cwd));
  }
  return { seconds: median(samples.map((s) => s.seconds)), rssMb: median(samples.map((s) => s.rssMb)) };
}

const work = mkdtempSync(join(tmpdir(), "kube9-publish-bench-"));
const chartDir = join(root, "charts", "kube9-operator");
const VERSION = "99.0.0";
execFileSync(
  process.execPath,
  [cli, "chart", "package", chartDir, "--version", VERSION, "--out", join(work, "archive")],
  { env },
);
const archive = join(work, "archive", `kube9-operator-${VERSION}.tgz`);

const rows = [];
for (const size of SIZES) {
  const sizeDir = join(work, String(size));
  mkdirSync(join(sizeDir, "helm-written"), { recursive: true });
  writeFileSync(join(sizeDir, "ours.yaml"), serializeIndex(syntheticIndex(size)));
  // Let Helm write the starting index, from an empty directory, so both tools read the same file.
  execFileSync(helms.helm3, [
    "repo",
    "index",
    join(sizeDir, "helm-written"),
    "--merge",
    join(sizeDir, "ours.yaml"),
  ]);
  const helmWritten = join(sizeDir, "helm-written", "index.yaml");
  const mb = (statSync(helmWritten).size / 1e6).toFixed(1);
  let run = 0;
  const freshRepo = (start) => () => {
    const dir = join(sizeDir, `run-${run++}`);
    mkdirSync(dir);
    copyFileSync(start, join(dir, "index.yaml"));
    return dir;
  };
  const helmRepo = (start) => () => {
    const dir = freshRepo(start)();
    copyFileSync(archive, join(dir, `kube9-operator-${VERSION}.tgz`));
    return dir;
  };
  const publish = (dir) =>
    timed(process.execPath, [cli, "chart", "publish", chartDir, "--repo", dir, "--version", VERSION], root);
  const oursOnHelm = measure(RUNS, freshRepo(helmWritten), publish);
  const oursOnOurs = measure(RUNS, freshRepo(join(sizeDir, "ours.yaml")), publish);
  const helmResults = Object.fromEntries(
    Object.entries(helms).map(([label, helm]) => [
      label,
      measure(RUNS, helmRepo(helmWritten), (dir) =>
        timed(helm, ["repo", "index", dir, "--merge", join(dir, "index.yaml")], dir),
      ),
    ]),
  );
  rows.push({ size, mb, oursOnHelm, oursOnOurs, ...helmResults });
  rmSync(sizeDir, { recursive: true, force: true });
}
rmSync(work, { recursive: true, force: true });

const cpus = readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.*)/)?.[1] ?? "unknown CPU";
console.log(`publish one version; median of ${RUNS} runs; node ${process.version}; ${cpus}`);
console.log(
  "entries | index MB | ours on Helm-written s / MB | ours on ours s / MB | helm3 merge s / MB | helm4 merge s / MB | ours/helm3 | ours/helm4",
);
for (const r of rows) {
  const f = (m) => `${m.seconds.toFixed(2)} / ${m.rssMb.toFixed(0)}`;
  const ratio = (m) => (r.oursOnHelm.seconds / m.seconds).toFixed(2);
  console.log(
    `${r.size} | ${r.mb} | ${f(r.oursOnHelm)} | ${f(r.oursOnOurs)} | ${f(r.helm3)} | ${f(r.helm4)} | ${ratio(r.helm3)} | ${ratio(r.helm4)}`,
  );
}
