/** `repo serve`'s request, its start (the warning about an empty folder) and what it prints once listening. */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderRepoServe, repoServe, serveRequest } from "../../src/cli/commands/repo-serve.js";
import { cliContext } from "../support/cli-context.js";
import { refusalOf } from "../support/refusal.js";

let cwd: string;

beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), "kube9-repo-serve-"));
});

afterAll(() => {
  rmSync(cwd, { recursive: true, force: true });
});

describe("serveRequest", () => {
  it.each([["http"], ["-1"], ["65536"], ["80.5"]])("refuses --port %j as usage", (port) => {
    const error = refusalOf(
      () => serveRequest("repo", { port, host: "127.0.0.1" }, cliContext(cwd)),
      "USAGE",
    );
    expect([error.field, error.message]).toEqual(["--port", `${JSON.stringify(port)} is not a port number`]);
  });

  it("resolves the folder against the working folder and logs requests unless --quiet", () => {
    expect(serveRequest("repo", { port: "0", host: "::1" }, cliContext(cwd))).toEqual({
      dir: "repo",
      root: join(cwd, "repo"),
      host: "::1",
      port: 0,
      logRequests: true,
    });
    expect(
      serveRequest("repo", { port: "8879", host: "::1", quiet: true }, cliContext(cwd)).logRequests,
    ).toBe(false);
  });
});

describe("repoServe", () => {
  it("warns about a folder with no index.yaml yet, and returns a handle that stops the server", async () => {
    mkdirSync(join(cwd, "empty"));
    const progress: string[] = [];
    const serving = await repoServe(
      { dir: "empty", root: join(cwd, "empty"), host: "127.0.0.1", port: 0, logRequests: false },
      (line) => progress.push(line),
    );
    try {
      expect(progress).toEqual([
        `warning: ${join(cwd, "empty")} has no index.yaml yet; publish first: kube9-release chart publish <chart> --repo empty`,
      ]);
      expect(serving.url).toBe(`http://127.0.0.1:${serving.port}`);
      expect(serving.port).toBeGreaterThan(0);
    } finally {
      await serving.close();
    }
  });
});

describe("renderRepoServe", () => {
  it("prints the address and how to try it with Helm; as JSON url, root, host and port", () => {
    const rendering = renderRepoServe({
      root: "/srv/repo",
      url: "http://127.0.0.1:8879",
      host: "127.0.0.1",
      port: 8879,
    });
    expect(rendering.data).toEqual({
      url: "http://127.0.0.1:8879",
      root: "/srv/repo",
      host: "127.0.0.1",
      port: 8879,
    });
    expect(Object.keys(rendering.data as object)).toEqual(["url", "root", "host", "port"]);
    expect(rendering.human).toBe(
      [
        "Serving /srv/repo at http://127.0.0.1:8879",
        "",
        "Try it with Helm:",
        "  helm repo add kube9 http://127.0.0.1:8879",
        "  helm search repo kube9 --versions",
        "  helm pull kube9/kube9-operator",
        "  helm install kube9-operator kube9/kube9-operator --dry-run=client",
        "",
        "Press Ctrl+C to stop.",
      ].join("\n"),
    );
    expect(rendering.summary).toBeUndefined();
  });
});
