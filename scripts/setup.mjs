#!/usr/bin/env node
// Makes a fresh clone ready: npm dependencies from the lockfile, the TypeScript build, and (unless
// --no-tools) the pinned test tools. Each step is skipped when already up to date, so `npm start`
// and `npm test` can run it every time. Plain JavaScript: it runs before anything is installed.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const withTools = !process.argv.includes("--no-tools");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

function step(label, command, args) {
  process.stderr.write(`setup: ${label}\n`);
  execFileSync(command, args, { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
}

const lockHash = createHash("sha256")
  .update(readFileSync(join(root, "package-lock.json")))
  .digest("hex");
const stamp = join(root, "node_modules", ".kube9-lock-sha256");
if (!existsSync(stamp) || readFileSync(stamp, "utf8") !== lockHash) {
  // `npm install --no-save` installs exactly the locked versions and leaves the lockfile alone.
  // Not `npm ci`: it also demands lock entries for every platform's optional binaries (biome,
  // rollup), and a registry mirror that lacks some of them makes it refuse a correct lockfile.
  step("installing npm dependencies from package-lock.json", npm, [
    "install",
    "--no-save",
    "--no-audit",
    "--no-fund",
  ]);
  writeFileSync(stamp, lockHash);
}

const workspaces = ["release", "operator", "infrastructure"].filter((dir) =>
  existsSync(join(root, dir, "tsconfig.json")),
);
step(`building ${workspaces.join(", ")} (tsc -b)`, join(root, "node_modules", ".bin", "tsc"), [
  "-b",
  ...workspaces,
]);

if (withTools)
  step("installing pinned tools into the tool cache (~/.cache/kube9-release)", process.execPath, [
    join(root, "scripts", "install-tools.mjs"),
  ]);
