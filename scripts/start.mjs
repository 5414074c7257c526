#!/usr/bin/env node
// The quick start's main job on the embedded default: publish charts/kube9-operator into the
// directory repository chart-repo/ and serve it for `helm repo add`. Extra arguments go to
// `repo serve` (for example: npm start -- --port 9000).
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const cli = join(root, "release", "dist", "cli", "main.js");

const publish = spawnSync(process.execPath, [cli, "chart", "publish", "charts/kube9-operator"], {
  cwd: root,
  stdio: "inherit",
});
if (publish.status !== 0) process.exit(publish.status ?? 1);

const serve = spawnSync(process.execPath, [cli, "repo", "serve", ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
});
process.exit(serve.status ?? 1);
