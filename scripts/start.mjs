#!/usr/bin/env node
// The quick start: publish charts/kube9-operator into the directory repository quick-start-repo/
// and serve it for `helm repo add`. Extra arguments go to `repo serve` (for example:
// npm start -- --port 9000).
//
// The folder is made anew at each start: the chart in the clone keeps its development version
// 0.0.0 while its files change, and a repository never takes a published version with other
// bytes, so publishing into the repository of an earlier start would be refused after any change
// to the chart. chart-repo/, the CLI's embedded default, is left to the user's own publishes.
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const cli = join(root, "release", "dist", "cli", "main.js");

const repo = "quick-start-repo";
rmSync(join(root, repo), { recursive: true, force: true });

const publish = spawnSync(
  process.execPath,
  [cli, "chart", "publish", "charts/kube9-operator", "--repo", repo],
  {
    cwd: root,
    stdio: "inherit",
  },
);
if (publish.status !== 0) process.exit(publish.status ?? 1);

const serve = spawnSync(process.execPath, [cli, "repo", "serve", repo, ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
});
process.exit(serve.status ?? 1);
