/**
 * The compiled program as the image runs it (`node operator/dist/main.js`): --version, JSON log
 * lines on stdout, a kubeconfig from KUBECONFIG, and a clean exit 0 on SIGTERM and SIGINT.
 * `npm test` builds dist/ first (scripts/setup.mjs); alone, run `npx tsc -b operator`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeKubeApi } from "./support/fake-kube-api.js";
import { get, waitFor } from "./support/http.js";

const operatorDir = fileURLToPath(new URL("..", import.meta.url));
const mainJs = join(operatorDir, "dist", "main.js");
const packageVersion = (
  JSON.parse(readFileSync(join(operatorDir, "package.json"), "utf8")) as { version: string }
).version;

let work: string;
let api: FakeKubeApi;
beforeAll(async () => {
  if (!existsSync(mainJs)) throw new Error(`${mainJs} is missing: build it with npx tsc -b operator`);
  work = mkdtempSync(join(tmpdir(), "kube9-operator-process-"));
  api = new FakeKubeApi({ nodes: 3, pageSize: 500, gitVersion: "v1.31.2", token: "local-token" });
  await api.start();
  writeFileSync(
    join(work, "kubeconfig"),
    [
      "apiVersion: v1",
      "kind: Config",
      "current-context: fake",
      "contexts:",
      "- name: fake",
      "  context:",
      "    cluster: fake",
      "    user: fake",
      "clusters:",
      "- name: fake",
      "  cluster:",
      `    server: ${api.url}`,
      "users:",
      "- name: fake",
      "  user:",
      "    token: local-token",
    ].join("\n"),
  );
});
afterAll(async () => {
  await api?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A clean environment: nothing inherited that could point the operator at a real cluster. */
function environment(extra: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? "", HOME: work, ...extra };
}

interface Run {
  child: ChildProcess;
  lines: string[];
  stderr: string[];
}

function start(args: string[], env: Record<string, string>): Run {
  const child = spawn(process.execPath, [mainJs, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  const run: Run = { child, lines: [], stderr: [] };
  let buffered = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    buffered += chunk.toString("utf8");
    const parts = buffered.split("\n");
    buffered = parts.pop() ?? "";
    run.lines.push(...parts);
  });
  child.stderr?.on("data", (chunk: Buffer) => run.stderr.push(chunk.toString("utf8")));
  return run;
}

async function exitOf(run: Run): Promise<{ code: number | null; signal: string | null }> {
  if (run.child.exitCode !== null) return { code: run.child.exitCode, signal: null };
  const [code, signal] = (await once(run.child, "exit")) as [number | null, string | null];
  return { code, signal };
}

const json = (run: Run) => run.lines.map((line) => JSON.parse(line) as Record<string, unknown>);

describe("compiled operator", () => {
  it("--version prints operator/package.json's version", async () => {
    const run = start(["--version"], environment({}));
    expect(await exitOf(run)).toEqual({ code: 0, signal: null });
    expect(run.lines).toEqual([packageVersion]);
  });

  it("refuses unknown arguments with exit 2", async () => {
    const run = start(["--bogus"], environment({}));
    expect((await exitOf(run)).code).toBe(2);
    expect(run.stderr.join("")).toContain("unknown argument --bogus");
  });

  it("exits 1 with a JSON error line when there is no cluster configuration", async () => {
    const run = start([], environment({}));
    expect((await exitOf(run)).code).toBe(1);
    const entries = json(run);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ level: "error", msg: "cannot start" });
    expect(String(entries[0]?.error)).toContain("no Kubernetes configuration");
  });

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`reports through KUBECONFIG, serves /healthz, logs JSON lines and exits 0 on ${signal}`, async () => {
      const run = start(
        [],
        environment({
          KUBECONFIG: join(work, "kubeconfig"),
          POD_NAMESPACE: `ns-${signal.toLowerCase()}`,
          STATUS_INTERVAL_SECONDS: "0.2",
          PORT: "0",
        }),
      );
      try {
        const started = await waitFor("the start line", () =>
          json(run).find((entry) => entry.msg === "operator started"),
        );
        expect(started).toMatchObject({ level: "info", version: packageVersion, cluster: "kubeconfig" });
        const port = started.port as number;
        await waitFor("a status write", () => json(run).find((entry) => entry.msg === "status written"));
        expect(await get(port, "/healthz")).toEqual({ status: 200, body: "ok\n" });
        expect((await get(port, "/readyz")).status).toBe(200);
        const stored = api.configMaps.get(`ns-${signal.toLowerCase()}/kube9-operator-status`);
        expect(JSON.parse(stored?.data.status ?? "{}")).toMatchObject({
          operatorVersion: packageVersion,
          kubernetesVersion: "v1.31.2",
          nodeCount: 3,
          health: "healthy",
        });

        run.child.kill(signal);
        expect(await exitOf(run)).toEqual({ code: 0, signal: null });
        const entries = json(run); // every stdout line is one JSON object
        expect(
          entries.every((entry) => typeof entry.time === "string" && typeof entry.level === "string"),
        ).toBe(true);
        expect(entries.find((entry) => entry.msg === "stopping")).toMatchObject({ signal });
        expect(entries.at(-1)).toMatchObject({ msg: "operator stopped" });
        expect(run.stderr.join("")).toBe("");
      } finally {
        if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill("SIGKILL");
      }
    });
  }
});
