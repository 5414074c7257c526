/**
 * Docs as tests. Every ```sh / bash / shell / console block of README.md and docs/*.md carries
 * exactly one marker on the line before its fence (blank lines allowed): `<!-- doc-test: <test> -->`
 * or `<!-- not-runnable: <reason> -->`; an unmarked block fails here. The blocks marked
 * `doc-test: test/e2e/docs.test.ts` run here, as a reader runs them: `bash -e` in the clone's
 * folder, with PATH (plus the pinned Helm 3, the reader's helm) and a fresh HOME per block only.
 *
 * What stands in for what the docs name, and why:
 * - `https://charts.kube9.io` is a local `kube9-release repo serve` of a repository the chart was
 *   published into (the hosted repository is S3 behind CloudFront; the test reads no internet).
 * - `http://127.0.0.1:8879`, where `npm start` serves, is the address the `npm start` block
 *   printed: the test starts it with `-- --port 0` (a free port; 8879 may be taken on a shared
 *   machine) and stops it with Ctrl+C (SIGINT) at the end, as a reader does.
 * - The Kubernetes cluster of `helm install` is test/support/kube-api-stand-in.ts, written to
 *   ~/.kube/config of the fresh HOME. It answers discovery and lookups but stores nothing, so a
 *   `helm install` without `--dry-run` runs as `--dry-run=client`: the chart is fetched from the
 *   repository, rendered and checked against the cluster; only sending the objects is left out.
 *   Every `helm install` gets `--disable-openapi-validation`: the stand-in serves no OpenAPI schema.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ShellBlock, shellBlocks } from "../support/doc-blocks.js";
import { type KubeApiStandIn, startKubeApiStandIn } from "../support/kube-api-stand-in.js";
import { repoRoot, toolPath } from "../support/tools.js";
import { serveAsUser, type UserEnvironment, userEnvironment } from "../support/user-environment.js";

const THIS_TEST = "test/e2e/docs.test.ts";
const PUBLIC_REPOSITORY = "https://charts.kube9.io";
const NPM_START_ADDRESS = "http://127.0.0.1:8879";

function docFiles(): string[] {
  const docs = readdirSync(join(repoRoot, "docs"))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => `docs/${name}`);
  return ["README.md", ...docs];
}

const blocks: ShellBlock[] = docFiles().flatMap((file) =>
  shellBlocks(readFileSync(join(repoRoot, file), "utf8"), file),
);
const runnableHere = blocks.filter(
  (block) => block.marker?.kind === "doc-test" && block.marker.runner === THIS_TEST,
);

describe("the marker rules", () => {
  const parse = (text: string) => shellBlocks(text, "x.md");

  it("takes the marker on the line before the fence, blank lines allowed", () => {
    const [direct, spaced] = parse(
      "<!-- doc-test: test/a.test.ts -->\n```sh\necho a\n```\n\ntext\n<!-- not-runnable: needs AWS -->\n\n\n```bash\necho b\n```\n",
    );
    expect(direct?.marker).toEqual({ kind: "doc-test", runner: "test/a.test.ts", note: "" });
    expect(direct?.code).toBe("echo a");
    expect(spaced?.marker).toEqual({ kind: "not-runnable", reason: "needs AWS" });
    expect(spaced?.problem).toBeUndefined();
  });

  it.each([
    ["no marker", "text\n```sh\necho\n```\n", "no marker"],
    ["a marker followed by text", "<!-- not-runnable: x -->\ntext\n```shell\necho\n```\n", "no marker"],
    ["two markers", "<!-- doc-test: t.ts -->\n<!-- not-runnable: x -->\n```sh\necho\n```\n", "more than one"],
    ["an empty reason", "<!-- not-runnable: -->\n```console\n$ echo\n```\n", "needs a reason"],
    ["a misspelt marker", "<!-- doc-test test.ts -->\n```sh\necho\n```\n", "malformed marker"],
  ])("refuses %s", (_name, text, problem) => {
    expect(parse(text)[0]?.problem).toContain(problem);
  });

  it("reads only shell fences, and a fence inside a longer fence is content", () => {
    const found = parse("````md\n```sh\nnot a block\n```\n````\n```json\n{}\n```\n~~~zsh\necho\n~~~\n");
    expect(found.map((block) => [block.language, block.line])).toEqual([["zsh", 9]]);
  });
});

describe("every shell block of README.md and docs/*.md", () => {
  it("carries exactly one marker", () => {
    expect(blocks.length).toBeGreaterThan(0);
    const problems = blocks
      .filter((block) => block.problem !== undefined)
      .map((block) => `${block.file}:${block.line}: ${block.problem}`);
    expect(problems).toEqual([]);
  });

  it("has no merge conflict left in README.md or docs/*.md", () => {
    // `=======` alone is also a Markdown heading underline: only the two unambiguous markers count.
    const leftovers = docFiles().flatMap((file) =>
      readFileSync(join(repoRoot, file), "utf8")
        .split("\n")
        .flatMap((line, i) => (/^(<{7}|>{7}|(> ){7})/.test(line) ? [`${file}:${i + 1}: ${line}`] : [])),
    );
    expect(leftovers).toEqual([]);
  });

  it("names, in a doc-test marker, a test file that exists", () => {
    const missing = blocks
      .filter(
        (block) => block.marker?.kind === "doc-test" && !existsSync(join(repoRoot, block.marker.runner)),
      )
      .map(
        (block) =>
          `${block.file}:${block.line}: ${block.marker?.kind === "doc-test" ? block.marker.runner : ""}`,
      );
    expect(missing).toEqual([]);
    expect(runnableHere.length).toBeGreaterThan(0);
  });
});

describe("the runnable blocks succeed", () => {
  let user: UserEnvironment;
  let cluster: KubeApiStandIn;
  let publicRepository: { url: string; stop: () => Promise<void> };
  let helmDir: string;
  let npmStart: { child: ChildProcess; output: () => string; url: string } | undefined;
  const homes: string[] = [];

  beforeAll(async () => {
    helmDir = dirname(toolPath("helm3"));
    cluster = await startKubeApiStandIn();
    // The stand-in for charts.kube9.io: the chart published with the CLI, served by it.
    user = userEnvironment("docs");
    cpSync(join(repoRoot, "charts", "kube9-operator"), join(user.cwd, "kube9-operator"), { recursive: true });
    const published = await user.run(["chart", "publish", "kube9-operator", "--repo", "public"]);
    if (published.status !== 0) throw new Error(`could not publish the chart: ${published.stderr}`);
    publicRepository = await serveAsUser(user, "public");
  });

  afterAll(async () => {
    if (npmStart !== undefined) {
      const started = npmStart;
      const exited = new Promise<number | null>((resolve) => started.child.once("exit", resolve));
      if (started.child.pid !== undefined) process.kill(-started.child.pid, "SIGINT");
      await exited;
    }
    await publicRepository?.stop();
    await cluster?.close();
    user?.cleanup();
    for (const home of homes) rmSync(home, { recursive: true, force: true });
  });

  /** A fresh HOME whose ~/.kube/config points at the stand-in cluster. */
  function freshHome(): string {
    const home = mkdtempSync(join(tmpdir(), "kube9-docs-home-"));
    homes.push(home);
    mkdirSync(join(home, ".kube"));
    cluster.writeKubeconfig(join(home, ".kube", "config"), "default");
    return home;
  }

  function readerEnv(home: string): Record<string, string> {
    return { PATH: [helmDir, process.env.PATH ?? ""].join(delimiter), HOME: home };
  }

  function substitute(code: string): string {
    let script = code.replaceAll(PUBLIC_REPOSITORY, publicRepository.url);
    if (script.includes(NPM_START_ADDRESS)) {
      if (npmStart === undefined)
        throw new Error("this block needs the server of the npm start block, which did not run first");
      script = script.replaceAll(NPM_START_ADDRESS, npmStart.url);
    }
    return script
      .split("\n")
      .map((line) => {
        if (!/^\s*helm install\b/.test(line)) return line;
        const comment = line.search(/\s#/);
        const command = comment === -1 ? line : line.slice(0, comment);
        const dryRun = command.includes("--dry-run") ? "" : " --dry-run=client";
        return `${command}${dryRun} --disable-openapi-validation${comment === -1 ? "" : line.slice(comment)}`;
      })
      .join("\n");
  }

  /** `npm start` serves until Ctrl+C: started on a free port, ready once it prints its address. */
  async function startNpmStart(block: ShellBlock): Promise<void> {
    expect(block.code.trim()).toMatch(/^npm start\b/);
    const child = spawn("bash", ["-e", "-c", "npm start -- --port 0"], {
      cwd: repoRoot,
      env: readerEnv(freshHome()),
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`npm start did not serve within 110 s:\n${output}`)),
        110_000,
      );
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const address = /^Serving .* at (http:\/\/\S+)$/m.exec(output)?.[1];
        if (address !== undefined && output.includes("Press Ctrl+C to stop.")) {
          clearTimeout(timer);
          resolve(address);
        }
      };
      child.stdout?.on("data", onData);
      child.stderr?.on("data", onData);
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`npm start exited with ${code}:\n${output}`));
      });
    });
    npmStart = { child, output: () => output, url };
    const index = await fetch(`${url}/index.yaml`);
    expect(index.status).toBe(200);
    expect(await index.text()).toContain("kube9-operator");
  }

  function runScript(script: string): Promise<{ status: number; output: string }> {
    return new Promise((resolve) => {
      execFile(
        "bash",
        ["-e", "-o", "pipefail", "-c", script],
        { cwd: repoRoot, env: readerEnv(freshHome()), encoding: "utf8", maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) => {
          const status = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
          resolve({ status, output: `${stdout}\n${stderr}` });
        },
      );
    });
  }

  for (const block of runnableHere) {
    it(`${block.file}:${block.line}: ${block.code.trim().split("\n")[0]}`, async () => {
      if (/^npm start\b/.test(block.code.trim())) {
        await startNpmStart(block);
        return;
      }
      const result = await runScript(substitute(block.code));
      if (result.status !== 0) throw new Error(`exit ${result.status}:\n${result.output}`);
      expect(result.output).not.toContain("internal error");
      // A documented search that finds nothing is a broken example, though helm exits 0.
      expect(result.output).not.toContain("No results found");
    });
  }
});
