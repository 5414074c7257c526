/**
 * The repository policy (release/src/policy/repository-policy.ts) is the one home of what the
 * publisher, the CDN and the local server agree on. These checks fail when one of its readers
 * drifts: the header strings the stores write, what `repo serve` sends, the CLI's defaults, and
 * the figures the docs quote. The CDK cache policies are checked against it on the synthesized
 * template (infrastructure/test/stack-resources.test.ts).
 */

import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { get as httpGet } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../../release/src/cli/duration.js";
import { buildProgram } from "../../release/src/cli/run.js";
import {
  ARCHIVE,
  cacheControlOf,
  DEFAULT_INVALIDATION_PATHS,
  durationInWords,
  INDEX,
  INVALIDATION_WAIT_TIMEOUT_SECONDS,
  type ObjectKind,
  OTHER_OBJECT,
  objectKindOf,
  PROVENANCE,
  REPOSITORY_METADATA,
  REQUEST_TIMEOUT_SECONDS,
  SECURITY_HEADERS,
  VERIFY_TIMEOUT_SECONDS,
  WRITTEN_KINDS,
} from "../../release/src/policy/repository-policy.js";
import { type RepoServer, startRepoServer } from "../../release/src/serve/repo-server.js";
import { objectPolicyFor } from "../../release/src/storage/object-policy.js";
import { repoRoot } from "../support/tools.js";

/** One key of each kind, as a repository holds them (root and prefixed). */
const SAMPLES: ReadonlyArray<readonly [string, ObjectKind]> = [
  ["kube9-operator-1.0.0.tgz", ARCHIVE],
  ["kube9-operator-1.0.0.tgz.prov", PROVENANCE],
  ["index.yaml", INDEX],
  ["staging/index.yaml", INDEX],
  ["artifacthub-repo.yml", REPOSITORY_METADATA],
  ["staging/artifacthub-repo.yml", REPOSITORY_METADATA],
  ["pubring.kbx", OTHER_OBJECT],
];

describe("the repository policy", () => {
  it.each(SAMPLES)("classifies %s", (key, kind) => {
    expect(objectKindOf(key).name).toBe(kind.name);
  });

  it("writes lifetimes as Cache-Control: max-age in seconds, immutable only for what never changes", () => {
    expect(cacheControlOf({ maxAgeSeconds: 42, immutable: false })).toBe("public, max-age=42");
    expect(cacheControlOf({ maxAgeSeconds: 7, immutable: true })).toBe("public, max-age=7, immutable");
  });

  it("words lifetimes in the largest whole unit", () => {
    expect(durationInWords(300)).toBe("five minutes");
    expect(durationInWords(365 * 86_400)).toBe("one year");
    expect(durationInWords(90)).toBe("90 seconds");
    expect(durationInWords(3600)).toBe("one hour");
    expect(durationInWords(86_400 * 14)).toBe("14 days");
  });

  it("keeps an archive longer than the index, and never compresses it", () => {
    expect(ARCHIVE.cache.maxAgeSeconds).toBeGreaterThan(INDEX.cache.maxAgeSeconds);
    expect(ARCHIVE.cache.immutable).toBe(true);
    expect(ARCHIVE.compressible).toBe(false);
  });
});

describe("the object policy's header strings", () => {
  it.each(SAMPLES)("%s gets the policy's Content-Type and lifetime", (key, kind) => {
    const policy = objectPolicyFor(key);
    expect(policy.contentType).toBe(kind.contentType);
    expect(maxAgeOf(policy.cacheControl)).toBe(kind.cache.maxAgeSeconds);
    expect(policy.cacheControl.includes("immutable")).toBe(kind.cache.immutable);
    expect(policy.compressible).toBe(kind.compressible);
  });
});

describe("repo serve sends the policy's headers", () => {
  let root: string;
  let server: RepoServer;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "kube9-policy-serve-"));
    await mkdir(join(root, "staging"));
    for (const [key] of SAMPLES) await writeFile(join(root, key), `bytes of ${key}\n`);
    server = await startRepoServer({ root, port: 0 });
  });
  afterAll(async () => {
    await server.close();
    await rm(root, { recursive: true, force: true });
  });

  it.each(SAMPLES)("%s", async (key, kind) => {
    const headers = await headersOf(`${server.url}/${key}`);
    expect(headers["content-type"]).toBe(kind.contentType);
    expect(maxAgeOf(String(headers["cache-control"]))).toBe(kind.cache.maxAgeSeconds);
    expect(String(headers["cache-control"]).includes("immutable")).toBe(kind.cache.immutable);
    expect(headers.vary === "Accept-Encoding").toBe(kind.compressible);
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
      expect(headers[name.toLowerCase()], name).toBe(value);
    }
  });
});

describe("the CLI's defaults come from the policy", () => {
  it("formats durations so that the duration parser reads them back", () => {
    for (const seconds of [1, 59, 60, 300, 900, 3600, 5400, 3661]) {
      expect(parseDuration(formatDuration(seconds), "--t")).toBe(seconds * 1000);
    }
    expect(formatDuration(300)).toBe("5m");
    expect(formatDuration(5400)).toBe("1h30m");
  });

  it("chart publish and repo rollback default to the policy's timeouts and paths", async () => {
    const program = await buildProgram(
      {
        argv: [],
        env: {},
        cwd: repoRoot,
        stdout: () => {},
        stderr: () => {},
        now: () => new Date(0),
        untilInterrupted: async () => {},
      },
      "0.0.0",
    );
    const command = (group: string, name: string) => {
      const found = program.commands.find((c) => c.name() === group)?.commands.find((c) => c.name() === name);
      if (found === undefined) throw new Error(`no command ${group} ${name}`);
      return found;
    };
    const defaultOf = (group: string, name: string, flag: string) =>
      command(group, name).options.find((o) => o.long === flag)?.defaultValue as string;
    const seconds = (text: string) => parseDuration(text, "default") / 1000;
    expect(seconds(defaultOf("chart", "publish", "--verify-timeout"))).toBe(VERIFY_TIMEOUT_SECONDS);
    expect(seconds(defaultOf("chart", "publish", "--wait-timeout"))).toBe(INVALIDATION_WAIT_TIMEOUT_SECONDS);
    expect(seconds(defaultOf("repo", "rollback", "--wait-timeout"))).toBe(INVALIDATION_WAIT_TIMEOUT_SECONDS);
    for (const [group, name] of [
      ["chart", "publish"],
      ["repo", "reindex"],
      ["repo", "rollback"],
    ] as const) {
      expect(seconds(defaultOf(group, name, "--request-timeout"))).toBe(REQUEST_TIMEOUT_SECONDS);
    }
    const paths = command("chart", "publish").options.find((o) => o.long === "--invalidate-paths");
    expect(paths?.description).toContain(`(default: ${DEFAULT_INVALIDATION_PATHS.join(",")})`);
  });

  it("verification waits at least as long as the CDN may serve the old index", () => {
    expect(VERIFY_TIMEOUT_SECONDS).toBeGreaterThanOrEqual(INDEX.cache.maxAgeSeconds);
  });
});

describe("the docs quote the policy's figures", () => {
  const archiveWords = durationInWords(ARCHIVE.cache.maxAgeSeconds);
  const index = `${INDEX.cache.maxAgeSeconds} s`;
  it.each<[string, string[]]>([
    [
      "docs/infrastructure.md",
      [
        `\`${ARCHIVE.cdnPathPattern}\` (${archiveWords.replace(" ", "-")} edge TTL`,
        `\`${PROVENANCE.cdnPathPattern}\` (the same cache policy`,
        `\`${INDEX.cdnPathPattern}\` (${index} edge TTL`,
        `the default (same as \`${INDEX.cdnPathPattern}\``,
        SECURITY_HEADERS["Content-Security-Policy"] as string,
        `on the keys a repository has, ${writtenKeys()};`,
      ],
    ],
    ["docs/architecture.md", [`(archives ${archiveWords}, immutable; index.yaml ${index})`]],
    [
      "docs/release-chart.md",
      [`Cache-Control: ${cacheControlOf(REPOSITORY_METADATA.cache)}`, `has the same ${index} TTL`],
    ],
  ])("%s", (file, phrases) => {
    const text = readFileSync(join(repoRoot, file), "utf8").replace(/\s+/g, " ");
    for (const phrase of phrases) {
      expect(
        text.includes(phrase),
        `${file} should say "${phrase}": the figure comes from release/src/policy/repository-policy.ts`,
      ).toBe(true);
    }
  });
});

/** The key patterns the publisher writes, listed as the docs list them ("a, b and c"). */
function writtenKeys(): string {
  const keys = WRITTEN_KINDS.flatMap((kind) => kind.keyPatterns).map((key) => `\`${key}\``);
  return `${keys.slice(0, -1).join(", ")} and ${keys.at(-1)}`;
}

function maxAgeOf(cacheControl: string): number | undefined {
  const match = /(?:^|,\s*)max-age=(\d+)/.exec(cacheControl);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

function headersOf(url: string): Promise<Record<string, string | string[] | undefined>> {
  return new Promise((resolve, reject) => {
    httpGet(url, (response) => {
      response.resume();
      response.on("end", () => resolve(response.headers));
    }).on("error", reject);
  });
}
