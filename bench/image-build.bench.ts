/**
 * The operator image built for linux/amd64 and linux/arm64 with `kube9-release image build`
 * (buildah, chroot isolation, vfs storage, a fresh storage every run), from base images assembled
 * locally and served by a local distribution registry. Prints, per platform: compressed and
 * uncompressed size, build time and RUN steps that ran under emulation; and the whole command's
 * wall time. Every run must give the same digests (a reproducible build), or the bench stops.
 *
 *   npm run bench:image                  (1 run)
 *   BENCH_RUNS=3 npm run bench:image     (median of 3)
 */
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  type BaseImages,
  buildBaseImages,
  type ImageBuildReport,
  runImageBuild,
} from "../test/support/base-images.js";
import { startRegistry, type TestRegistry } from "../test/support/registry.js";
import { repoRoot } from "../test/support/tools.js";

const RUNS = Number(process.env.BENCH_RUNS ?? "1");

type Report = ImageBuildReport;

let registry: TestRegistry;
let bases: BaseImages;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

beforeAll(async () => {
  registry = await startRegistry();
  const t0 = performance.now();
  bases = await buildBaseImages(registry);
  console.log(`base images assembled and pushed in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
});

afterAll(async () => {
  await registry?.stop();
});

it(`builds both platforms ${RUNS} time(s)`, async () => {
  const epoch = spawnSync("git", ["-C", repoRoot, "log", "-1", "--format=%ct"], {
    encoding: "utf8",
  }).stdout.trim();
  const reports: Array<Report & { wallSeconds: number }> = [];
  for (let run = 0; run < RUNS; run++) {
    const t0 = performance.now();
    const result = await runImageBuild(registry, bases, {
      version: "1.2.3",
      repository: `bench/kube9-operator-${run}`,
      epoch,
    });
    if (result.status !== 0) throw new Error(`image build failed:\n${result.stderr.slice(-4000)}`);
    reports.push({ ...(JSON.parse(result.stdout) as Report), wallSeconds: (performance.now() - t0) / 1000 });
  }
  const digests = new Set(reports.map((r) => r.digest));
  expect(digests.size, "every run gives the same index digest").toBe(1);
  const lines = [
    `image build, ${RUNS} run(s), median; index ${[...digests][0]}`,
    "| platform | compressed | uncompressed | build time | emulated RUN steps |",
    "|---|---|---|---|---|",
  ];
  for (const platform of reports[0]?.platforms ?? []) {
    const of = (r: Report) => r.platforms.find((p) => p.platform === platform.platform);
    lines.push(
      `| ${platform.platform} | ${mb(platform.compressedBytes)} | ${mb(platform.uncompressedBytes)} | ${median(
        reports.map((r) => of(r)?.buildSeconds ?? Number.NaN),
      ).toFixed(1)} s | ${platform.emulatedSteps} |`,
    );
  }
  lines.push(
    `both platforms: build ${median(reports.map((r) => r.buildSeconds)).toFixed(1)} s, whole command (build, checks, push of 5 tags) ${median(
      reports.map((r) => r.wallSeconds),
    ).toFixed(1)} s`,
  );
  console.log(lines.join("\n"));
});
