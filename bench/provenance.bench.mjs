// What chart signing adds to a release: `chart publish <chart> --repo <dir>` of one version into a
// fresh directory repository, unsigned and with `--sign-key` (a passphrase-protected RSA key of
// --bits bits, 4096 by default, the size docs/verifying.md has maintainers generate), wall time of
// the whole CLI run; and, in process, reading and unlocking the key, signing one archive, and
// verifying its .prov. Median, fastest and slowest of --runs runs, and the load average (the
// machine is shared). Prints figures only.
//
//   npx tsc -b release && node bench/provenance.bench.mjs [--runs 5] [--bits 3072] [--json]
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import * as openpgp from "openpgp";
import { readPublicKeys, readSigningKey } from "../release/dist/provenance/keys.js";
import { signProvenance, verifyProvenance } from "../release/dist/provenance/provenance.js";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const cli = join(root, "release", "dist", "cli", "main.js");
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : process.argv[i + 1];
};
const RUNS = Number(arg("--runs", "5"));
const BITS = Number(arg("--bits", "4096"));
const PASSPHRASE = "bench passphrase";

const work = mkdtempSync(join(tmpdir(), "kube9-provenance-bench-"));
try {
  cpSync(join(root, "charts", "kube9-operator"), join(work, "chart"), { recursive: true });
  const generated = await openpgp.generateKey({
    type: "rsa",
    rsaBits: BITS,
    userIDs: [{ name: "bench", email: "bench@example.test" }],
    passphrase: PASSPHRASE,
    format: "armored",
  });
  writeFileSync(join(work, "key.asc"), generated.privateKey);

  const timeCli = (signed, run) => {
    const started = performance.now();
    const result = spawnSync(
      process.execPath,
      [
        cli,
        "chart",
        "publish",
        "chart",
        "--repo",
        `repo-${signed ? "signed" : "unsigned"}-${run}`,
        "--version",
        "1.0.0",
        ...(signed ? ["--sign-key", "key.asc"] : []),
      ],
      { cwd: work, env: { ...process.env, KUBE9_SIGNING_PASSPHRASE: PASSPHRASE }, encoding: "utf8" },
    );
    if (result.status !== 0) throw new Error(result.stderr);
    return performance.now() - started;
  };
  const timeIt = async (action) => {
    const started = performance.now();
    const value = await action();
    return { ms: performance.now() - started, value };
  };

  const figures = { unsigned: [], signed: [], unlock: [], sign: [], verify: [] };
  const subject = {
    archiveName: "kube9-operator-1.0.0.tgz",
    digest: "0".repeat(64),
    chartYaml: "name: kube9-operator\n",
  };
  for (let run = 0; run < RUNS; run++) {
    figures.unsigned.push(timeCli(false, run));
    figures.signed.push(timeCli(true, run));
    const unlocked = await timeIt(() => readSigningKey(generated.privateKey, "key.asc", PASSPHRASE));
    figures.unlock.push(unlocked.ms);
    const signed = await timeIt(() => signProvenance(subject, unlocked.value));
    figures.sign.push(signed.ms);
    const keys = await readPublicKeys(new TextEncoder().encode(generated.publicKey), "pubkey.asc");
    figures.verify.push((await timeIt(() => verifyProvenance(signed.value, subject, keys, "bench.prov"))).ms);
  }
  const stats = (values) => {
    const sorted = [...values].sort((a, b) => a - b);
    return {
      medianMs: Math.round(sorted[Math.floor(sorted.length / 2)]),
      fastestMs: Math.round(sorted[0]),
      slowestMs: Math.round(sorted.at(-1)),
    };
  };
  const report = {
    runs: RUNS,
    rsaBits: BITS,
    loadAverage: loadavg().map((load) => Number(load.toFixed(2))),
    publishUnsigned: stats(figures.unsigned),
    publishSigned: stats(figures.signed),
    unlockKey: stats(figures.unlock),
    signOneArchive: stats(figures.sign),
    verifyOneProv: stats(figures.verify),
  };
  if (process.argv.includes("--json")) console.log(JSON.stringify(report, null, 2));
  else {
    console.log(`chart provenance, RSA ${BITS}, ${RUNS} runs, load average ${report.loadAverage.join(" ")}`);
    for (const [name, value] of Object.entries(report)) {
      if (typeof value === "object" && "medianMs" in value) {
        console.log(`  ${name}: median ${value.medianMs} ms (${value.fastestMs}-${value.slowestMs})`);
      }
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
