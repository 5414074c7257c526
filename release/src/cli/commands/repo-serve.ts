import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { startRepoServer } from "../../serve/repo-server.js";
import type { CliContext } from "../context.js";
import { DEFAULT_CHART, DEFAULT_REPO_DIR, DEFAULT_SERVE_HOST, DEFAULT_SERVE_PORT } from "../defaults.js";
import { portNumber } from "../options.js";
import { commandOutput } from "../output.js";

interface ServeFlags {
  port: string;
  host: string;
  quiet?: boolean;
  json?: boolean;
}

export function registerRepoServe(repo: Command, context: CliContext): void {
  repo
    .command("serve")
    .description("serve a directory repository for `helm repo add`, with CDN-like headers (until Ctrl+C)")
    .argument("[dir]", "repository directory", DEFAULT_REPO_DIR)
    .option("--port <port>", "port to listen on (0 picks a free one)", String(DEFAULT_SERVE_PORT))
    .option("--host <address>", "address to bind", DEFAULT_SERVE_HOST)
    .option("--quiet", "do not log each request")
    .option("--json", "print the address as JSON once listening")
    .action(async (dir: string, flags: ServeFlags) => {
      const output = commandOutput(context, flags);
      const root = resolve(context.cwd, dir);
      // A missing folder or a file is refused by the server itself; warn only about an empty folder.
      if (existsSync(root) && statSync(root).isDirectory() && !existsSync(join(root, "index.yaml"))) {
        output.progress(
          `warning: ${root} has no index.yaml yet; publish first: kube9-release chart publish <chart> --repo ${dir}`,
        );
      }
      const server = await startRepoServer({
        root,
        host: flags.host,
        port: portNumber(flags.port),
        ...(flags.quiet === true ? {} : { log: output.progress }),
      });
      output.result(
        { url: server.url, root, host: server.host, port: server.port },
        [
          `Serving ${root} at ${server.url}`,
          "",
          "Try it with Helm:",
          `  helm repo add kube9 ${server.url}`,
          "  helm search repo kube9 --versions",
          `  helm pull kube9/${DEFAULT_CHART}`,
          `  helm install ${DEFAULT_CHART} kube9/${DEFAULT_CHART} --dry-run=client`,
          "",
          "Press Ctrl+C to stop.",
        ].join("\n"),
      );
      await context.untilInterrupted();
      await server.close();
      output.progress("stopped");
    });
}
