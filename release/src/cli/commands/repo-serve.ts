import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { startRepoServer } from "../../serve/repo-server.js";
import type { CliContext } from "../context.js";
import { DEFAULT_CHART, DEFAULT_REPO_DIR, DEFAULT_SERVE_HOST, DEFAULT_SERVE_PORT } from "../defaults.js";
import { portNumber } from "../options.js";
import { commandOutput, type Rendering } from "../output.js";

export interface ServeFlags {
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
      const serving = await repoServe(serveRequest(dir, flags, context), output.progress);
      output.render(renderRepoServe(serving));
      await context.untilInterrupted();
      await serving.close();
      output.progress("stopped");
    });
}

export interface RepoServeRequest {
  /** The directory argument as given, for the hint to publish into it. */
  dir: string;
  root: string;
  host: string;
  port: number;
  /** Log each request as progress. */
  logRequests: boolean;
}

/** The flags as a typed request, the port checked before the folder is looked at. */
export function serveRequest(dir: string, flags: ServeFlags, context: CliContext): RepoServeRequest {
  return {
    dir,
    root: resolve(context.cwd, dir),
    host: flags.host,
    port: portNumber(flags.port),
    logRequests: flags.quiet !== true,
  };
}

/** Where the repository is served. */
export interface ServedRepository {
  root: string;
  url: string;
  host: string;
  port: number;
}

/** The running server: the caller closes it when the user asks to stop. */
export interface RepoServing extends ServedRepository {
  close(): Promise<void>;
}

/** `repo serve` as a plain function: the server started and listening, its handle returned. */
export async function repoServe(
  request: RepoServeRequest,
  progress: (line: string) => void,
): Promise<RepoServing> {
  const { root } = request;
  // A missing folder or a file is refused by the server itself; warn only about an empty folder.
  if (existsSync(root) && statSync(root).isDirectory() && !existsSync(join(root, "index.yaml"))) {
    progress(
      `warning: ${root} has no index.yaml yet; publish first: kube9-release chart publish <chart> --repo ${request.dir}`,
    );
  }
  const server = await startRepoServer({
    root,
    host: request.host,
    port: request.port,
    ...(request.logRequests ? { log: progress } : {}),
  });
  return { root, url: server.url, host: server.host, port: server.port, close: () => server.close() };
}

export function renderRepoServe({ root, url, host, port }: ServedRepository): Rendering {
  return {
    data: { url, root, host, port },
    human: [
      `Serving ${root} at ${url}`,
      "",
      "Try it with Helm:",
      `  helm repo add kube9 ${url}`,
      "  helm search repo kube9 --versions",
      `  helm pull kube9/${DEFAULT_CHART}`,
      `  helm install ${DEFAULT_CHART} kube9/${DEFAULT_CHART} --dry-run=client`,
      "",
      "Press Ctrl+C to stop.",
    ].join("\n"),
  };
}
