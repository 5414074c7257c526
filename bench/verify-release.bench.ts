/**
 * What signing and attesting add to a release, and what a user's verification prints: one release
 * rehearsed (`v1.0.0`, release.yml with its two called workflows) against the local stand-ins,
 * then the user's commands of docs/verifying.md run against what it published (the key-based
 * forms: the rehearsal signs with its own keys). Prints the time of every signing and attesting
 * step, and each command with its output.
 *
 *   npm run bench:verify
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, it } from "vitest";
import type { RehearsalCloud } from "../release/src/rehearse/cloud.js";
import { rehearse } from "../release/src/rehearse/rehearse.js";
import type { JobResult, WorkflowResult } from "../release/src/rehearse/workflow/index.js";
import { cacheRoot, toolSpec } from "../scripts/tool-paths.mjs";
import { type BaseImages, buildBaseImages } from "../test/support/base-images.js";
import { writeChangelogSection } from "../test/support/changelog.js";
import { startRegistry, type TestRegistry } from "../test/support/registry.js";
import { startPinnedRehearsalCloud } from "../test/support/rehearsal-cloud.js";
import { cliPath, helmClients, repoRoot, toolPath } from "../test/support/tools.js";
import { buildTestVulnDb } from "../test/support/trivy.js";

const exec = promisify(execFile);
let work: string;
let repo: string;
let mirror: TestRegistry;
let bases: BaseImages;
let cloud: RehearsalCloud;
let db: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "kube9-verify-bench-"));
  repo = join(work, "repo");
  execFileSync("git", ["clone", "--quiet", repoRoot, repo]);
  const git = (...args: string[]) => execFileSync("git", ["-C", repo, ...args], { encoding: "utf8" });
  git("config", "user.email", "maintainer@example.invalid");
  git("config", "user.name", "Maintainer");
  // The maintainer writes the version's changelog section, then tags.
  writeChangelogSection(repo, "v1.0.0");
  git("commit", "--quiet", "-am", "changelog for 1.0.0");
  git("tag", "v1.0.0");
  mirror = await startRegistry();
  bases = await buildBaseImages(mirror);
  cloud = await startPinnedRehearsalCloud();
  db = buildTestVulnDb(join(work, "db"), []);
}, 1_800_000);

afterAll(async () => {
  await cloud?.stop();
  await mirror?.stop();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

function job(result: WorkflowResult, path: string): JobResult {
  const [first, ...rest] = path.split("/");
  const found = result.jobs.find((j) => j.id === first);
  if (found === undefined) throw new Error(`no job ${path}`);
  return rest.length === 0 ? found : job(found.called as WorkflowResult, rest.join("/"));
}

/** A command as a user runs it: PATH and the user's HOME, no credentials; its output, or its failure. */
async function user(
  command: string,
  args: string[],
  cwd: string,
  home = mkdtempSync(join(work, "home-")),
): Promise<string> {
  const started = performance.now();
  const { stdout, stderr } = await exec(command, args, {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: home, DOCKER_CONFIG: home },
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  return `$ ${[command.split("/").at(-1), ...args].join(" ")}   (${seconds} s)\n${`${stdout}${stderr}`.trimEnd()}`;
}

it("rehearses v1.0.0, then verifies the chart and the image as a user", async () => {
  const rehearsal = await rehearse({
    repository: repo,
    tag: "v1.0.0",
    workflow: "release.yml",
    cloud,
    trivy: { binary: toolPath("trivy"), version: toolSpec("trivy").version, cacheDir: db },
    cosign: { binary: toolPath("cosign"), version: toolSpec("cosign").version },
    baseImages: bases,
    helm: helmClients().map(({ label, path }) => ({ label, binary: path })),
    workDir: join(work, "run"),
    toolsCache: cacheRoot(),
    progress: () => undefined,
  });
  const lines = [`rehearsal of v1.0.0: ${rehearsal.seconds.toFixed(1)} s in all`];
  const sign = job(rehearsal.workflow, "image/sign");
  lines.push(`job image/sign: ${(sign.durationMs / 1000).toFixed(1)} s`);
  for (const step of sign.steps) lines.push(`  ${step.name}: ${(step.durationMs / 1000).toFixed(2)} s`);
  const publish = job(rehearsal.workflow, "chart/publish");
  lines.push(`job chart/publish: ${(publish.durationMs / 1000).toFixed(1)} s`);
  for (const step of publish.steps) lines.push(`  ${step.name}: ${(step.durationMs / 1000).toFixed(2)} s`);

  const verify = join(work, "user");
  mkdirSync(verify, { recursive: true });
  writeFileSync(
    join(verify, "kube9-keyring.gpg"),
    Buffer.from(await (await fetch(`${cloud.cdn.url}/pubkey.gpg`)).arrayBuffer()),
  );
  const image = `${cloud.image}:v1.0.0`;
  const amd64 = rehearsal.userView?.image?.platforms.find((p) => p.platform === "linux/amd64")?.digest ?? "";
  const key = rehearsal.signing.publicKey;
  lines.push("", "What a user runs (docs/verifying.md, key-based forms), and what it prints:");
  for (const [label, helm] of helmClients().map((c) => [c.label, c.path] as const)) {
    lines.push(`-- ${label}`);
    const home = mkdtempSync(join(work, `home-${label}-`));
    lines.push(await user(helm, ["repo", "add", "kube9", cloud.cdn.url], verify, home));
    lines.push(
      await user(
        helm,
        ["pull", "kube9/kube9-operator", "--verify", "--keyring", "kube9-keyring.gpg"],
        verify,
        home,
      ),
    );
    const archive = readdirSync(verify).find((f) => f.endsWith(".tgz")) ?? "";
    lines.push(await user(helm, ["verify", archive, "--keyring", "kube9-keyring.gpg"], verify, home));
    rmSync(join(verify, archive));
    rmSync(join(verify, `${archive}.prov`), { force: true });
  }
  lines.push(
    await user(
      process.execPath,
      [
        cliPath,
        "repo",
        "verify",
        "--url",
        cloud.cdn.url,
        "--version",
        "1.0.0",
        "--public-key",
        "kube9-keyring.gpg",
      ],
      verify,
      mkdtempSync(join(work, "home-")),
    ),
  );
  const cosign = toolPath("cosign");
  const cosignHome = mkdtempSync(join(work, "home-cosign-"));
  const claims = await user(
    cosign,
    ["verify", "--key", key, "--insecure-ignore-tlog=true", image],
    verify,
    cosignHome,
  );
  lines.push(claims.length > 1500 ? `${claims.slice(0, 1500)}...` : claims);
  const attested = await user(
    cosign,
    [
      "verify-attestation",
      "--key",
      key,
      "--insecure-ignore-tlog=true",
      "--type",
      "spdxjson",
      `${cloud.image}@${amd64}`,
    ],
    verify,
  );
  const [heading, envelope] = [
    attested.split("\n").slice(0, 1),
    attested.split("\n").find((l) => l.startsWith("{")),
  ];
  const statement = JSON.parse(
    Buffer.from(JSON.parse(envelope ?? "{}").payload ?? "", "base64").toString() || "{}",
  );
  const packages = (statement.predicate?.packages ?? []) as Array<{ name: string; versionInfo: string }>;
  lines.push(
    `${heading.join("\n")}\n(the SPDX statement of ${statement.subject?.[0]?.name ?? "?"}: ${packages.length} packages, e.g. ${packages
      .slice(0, 4)
      .map((p) => `${p.name} ${p.versionInfo}`)
      .join(", ")})`,
  );
  lines.push(
    await user(
      process.execPath,
      [
        cliPath,
        "image",
        "verify",
        image,
        "--require-signature",
        "--require-sbom",
        "--key",
        key,
        "--cosign",
        cosign,
      ],
      verify,
    ),
  );
  console.log(lines.join("\n"));
}, 1_800_000);
