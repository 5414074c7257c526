/** Loopback ports and readiness polling shared by the local stand-ins. */
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer } from "node:net";

/** A port free on 127.0.0.1 right now (for programs that take a port, not a socket). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts an HTTP server of this process on a free loopback port. */
export function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      resolve(typeof address === "object" && address !== null ? address.port : 0);
    });
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export { createHttpServer };

/**
 * What a started program prints on stdout and stderr, the last `keep` characters, for the message
 * of waitForHttp when it does not come up.
 */
export function capturedOutput(
  child: { stdout?: NodeJS.ReadableStream | null; stderr?: NodeJS.ReadableStream | null },
  keep = 4000,
): () => string {
  let output = "";
  const append = (chunk: Buffer | string) => {
    output = (output + chunk.toString()).slice(-keep);
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  return () => output;
}

/**
 * Polls `url` until `ready(status)` holds (default: any answer), or fails with what the process
 * printed once it exits or the deadline passes.
 */
export async function waitForHttp(
  what: string,
  url: string,
  child: { exitCode: number | null },
  output: () => string,
  ready: (status: number) => boolean = () => true,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 0;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}: ${output()}`);
    try {
      last = (await fetch(url, { signal: AbortSignal.timeout(1_000) })).status;
      if (ready(last)) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `${what} did not answer at ${url} within ${timeoutMs / 1000} s (last status ${last}): ${output()}`,
  );
}

/** Stops a child process and waits for it. */
export function stopChild(child: {
  exitCode: number | null;
  signalCode: NodeJS.Signals | null;
  once: (event: "exit", listener: () => void) => unknown;
  kill: (signal?: NodeJS.Signals) => boolean;
}): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}
