#!/usr/bin/env node
// Makes a fresh clone ready: npm dependencies from the lockfile, the TypeScript build, the
// `kube9-release` command linked as node_modules/.bin/kube9-release, and (unless --no-tools) the
// pinned test tools. Each step is skipped when already up to date, so `npm start`
// and `npm test` can run it every time. Plain JavaScript: it runs before anything is installed.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { accessSync, constants, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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

// npm links a workspace's bin only when its target exists, and release/dist/ is built after the
// install: link it now. `npm rebuild` of the workspace makes the link and the executable bit (as
// the install would have) from the local tree only; --offline keeps npm off every registry.
// Without the link, `npx kube9-release` would ask the registry for a package of that name.
const bin = join(root, "node_modules", ".bin", "kube9-release");
if (!isExecutable(bin)) {
  // A link that npm finds in place is left as it is, even when its target lost +x.
  rmSync(bin, { force: true });
  step("linking node_modules/.bin/kube9-release", npm, [
    "rebuild",
    "--workspace",
    "release",
    "--ignore-scripts",
    "--offline",
    "--no-audit",
    "--no-fund",
    "--no-update-notifier",
  ]);
}
if (!isExecutable(bin)) throw new Error(`setup: ${bin} was not linked by npm rebuild`);

if (withTools)
  step("installing pinned tools into the tool cache (~/.cache/kube9-release)", process.execPath, [
    join(root, "scripts", "install-tools.mjs"),
  ]);

/** The link exists, leads to a file, and that file may be run (a rebuilt dist/ may have lost +x). */
function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
