#!/usr/bin/env node
// Installs kube9-release in a release job, and nothing it does not run (docs/releasing.md):
//   --build       jobs without tokens: the release workspace's locked dependencies and the root's
//                 (the TypeScript compiler), then the build (release/dist), which later jobs
//                 receive as an artifact;
//   --production  jobs that push or mint OIDC tokens: only the release workspace's locked
//                 production dependencies, around a release/dist that is already there.
// Both: no install scripts (--ignore-scripts), no npm cache shared with other refs, and the
// `kube9-release` bin linked into node_modules/.bin, which is added to $GITHUB_PATH.
// `npm install --no-save` installs the locked versions; `npm ci` would refuse this lockfile, which
// holds only the optional binaries of the platforms it was made on (biome, rollup).
import { execFileSync } from "node:child_process";
import { appendFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./tool-paths.mjs";

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const mode = process.argv[2];
const cli = join(repoRoot, "release", "dist", "cli", "main.js");
const common = ["install", "--no-save", "--ignore-scripts", "--no-audit", "--no-fund"];

function run(command, args) {
  process.stderr.write(`install-release-cli: ${[command, ...args].join(" ")}\n`);
  execFileSync(command, args, { cwd: repoRoot, stdio: ["ignore", "inherit", "inherit"] });
}

if (mode === "--build") {
  run(npm, [...common, "--workspace", "release", "--include-workspace-root"]);
  run(join(repoRoot, "node_modules", ".bin", "tsc"), ["-b", "release"]);
  // npm links a workspace's bin only when its target exists: now it does.
  run(npm, [...common, "--prefer-offline", "--workspace", "release"]);
} else if (mode === "--production") {
  if (!existsSync(cli)) {
    process.stderr.write(
      `install-release-cli: ${cli} is missing: download the kube9-release build artifact into release/dist first\n`,
    );
    process.exit(1);
  }
  run(npm, [...common, "--omit=dev", "--workspace", "release"]);
} else {
  process.stderr.write("usage: node scripts/install-release-cli.mjs --build | --production\n");
  process.exit(2);
}

const bin = join(repoRoot, "node_modules", ".bin");
if (!existsSync(join(bin, "kube9-release"))) {
  process.stderr.write(`install-release-cli: ${join(bin, "kube9-release")} was not linked\n`);
  process.exit(1);
}
if (process.env.GITHUB_PATH) appendFileSync(process.env.GITHUB_PATH, `${bin}\n`);
process.stderr.write(`install-release-cli: kube9-release ready (${bin})\n`);
