/**
 * Bad input through the real CLI: each case fails with exit code 1 (2 for bad usage), an error
 * naming the file and the field, and leaves the repository byte-identical.
 */
import { execFileSync } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runRelease } from "../support/cli.js";
import { repoRoot } from "../support/tools.js";

const EPOCH = { SOURCE_DATE_EPOCH: "1700000000" };
let work: string;
/** Folders made immutable by a case, made writable again before cleaning up. */
const immutable: string[] = [];

/** Every file of a directory tree with its bytes, to compare a repository before and after. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const path = join(entry.parentPath, entry.name);
      files[path.slice(dir.length)] = readFileSync(path).toString("base64");
    }
  }
  return files;
}

/** A fresh copy of the real chart, with Chart.yaml passed through `edit`. */
function chartCopy(name: string, edit: (chartYaml: string) => string = (text) => text): string {
  const dir = join(work, "charts", name, "kube9-operator");
  cpSync(join(repoRoot, "charts", "kube9-operator"), dir, { recursive: true });
  const chartYaml = join(dir, "Chart.yaml");
  writeFileSync(chartYaml, edit(readFileSync(chartYaml, "utf8")));
  return dir;
}

function setField(field: string, value: string): (text: string) => string {
  return (text) => text.replace(new RegExp(`^${field}:.*$`, "m"), `${field}: ${value}`);
}

/** A tar archive written by hand, so that a test can put any member name in it. */
function tarball(members: Array<{ name: string; content: string }>): Buffer {
  const blocks: Buffer[] = [];
  for (const member of members) {
    const body = Buffer.from(member.content);
    const header = Buffer.alloc(512);
    header.write(member.name, 0, 100, "utf8");
    header.write("0000644\0", 100);
    header.write("0000000\0", 108);
    header.write("0000000\0", 116);
    header.write(`${body.length.toString(8).padStart(11, "0")}\0`, 124);
    header.write(`${(1700000000).toString(8).padStart(11, "0")}\0`, 136);
    header.write("        ", 148);
    header.write("0", 156);
    header.write("ustar\u000000", 257);
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
    blocks.push(header, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

interface BadInput {
  name: string;
  /** Prepares the case; returns the CLI arguments and the repository to watch. */
  setup: () => { args: string[]; repo: string; uid?: number };
  status?: number;
  /** Each string must appear in stderr: the file, the field, the reason. */
  mentions: string[];
}

function publishedRepo(name: string): string {
  const repo = join(work, "repos", name);
  const chart = chartCopy(`base-${name}`);
  const run = runRelease(["chart", "publish", chart, "--repo", repo, "--version", "1.0.0"], {
    cwd: work,
    env: EPOCH,
  });
  if (run.status !== 0) throw new Error(`could not publish the base version: ${run.stderr}`);
  return repo;
}

function publishArgs(chart: string, repo: string, ...extra: string[]): string[] {
  return ["chart", "publish", chart, "--repo", repo, ...extra];
}

const CASES: BadInput[] = [
  {
    name: "missing Chart.yaml",
    setup: () => {
      const chart = chartCopy("no-chart-yaml");
      rmSync(join(chart, "Chart.yaml"));
      const repo = publishedRepo("no-chart-yaml");
      return { args: publishArgs(chart, repo), repo };
    },
    mentions: ["Chart.yaml"],
  },
  {
    name: "unparsable Chart.yaml",
    setup: () => {
      const chart = chartCopy("unparsable", (text) => `${text}\nname: [unclosed\n`);
      const repo = publishedRepo("unparsable");
      return { args: publishArgs(chart, repo), repo };
    },
    mentions: ["Chart.yaml"],
  },
  {
    name: "apiVersion v1",
    setup: () => {
      const chart = chartCopy("api-v1", setField("apiVersion", "v1"));
      const repo = publishedRepo("api-v1");
      return { args: publishArgs(chart, repo), repo };
    },
    mentions: ["Chart.yaml", "apiVersion", "v2"],
  },
  {
    name: "version that is not SemVer 2",
    setup: () => {
      const chart = chartCopy("not-semver", setField("version", '"1.0"'));
      const repo = publishedRepo("not-semver");
      return { args: publishArgs(chart, repo), repo };
    },
    mentions: ["Chart.yaml", "version"],
  },
  {
    name: "version starting with v",
    setup: () => {
      const chart = chartCopy("v-prefix", setField("version", "v1.2.3"));
      const repo = publishedRepo("v-prefix");
      return { args: publishArgs(chart, repo), repo };
    },
    mentions: ["Chart.yaml", "version", "v1.2.3"],
  },
  {
    name: "version with +build metadata",
    setup: () => {
      const chart = chartCopy("build-metadata", setField("version", "1.2.3+build.5"));
      const repo = publishedRepo("build-metadata");
      return { args: publishArgs(chart, repo), repo };
    },
    mentions: ["Chart.yaml", "version", "+"],
  },
  {
    name: "--version override that is not SemVer",
    setup: () => {
      const chart = chartCopy("bad-override");
      const repo = publishedRepo("bad-override");
      return { args: publishArgs(chart, repo, "--version", "2.0"), repo };
    },
    status: 2,
    mentions: ["--version", "2.0"],
  },
  {
    name: "name with a slash",
    setup: () => {
      const chart = chartCopy("slash-name", setField("name", "kube9/operator"));
      const repo = publishedRepo("slash-name");
      return { args: publishArgs(chart, repo), repo };
    },
    mentions: ["Chart.yaml", "name"],
  },
  {
    name: "invalid type",
    setup: () => {
      const chart = chartCopy("bad-type", (text) => `${text.replace(/^type:.*$/m, "")}\ntype: plugin\n`);
      const repo = publishedRepo("bad-type");
      return { args: publishArgs(chart, repo), repo };
    },
    mentions: ["Chart.yaml", "type", "plugin"],
  },
  {
    name: "duplicate dependencies",
    setup: () => {
      const chart = chartCopy(
        "duplicate-deps",
        (text) =>
          `${text.replace(/^dependencies:.*$/m, "")}\ndependencies:\n  - name: common\n    version: 1.0.0\n    repository: file://../common\n  - name: common\n    version: 1.0.0\n    repository: file://../common\n`,
      );
      const repo = publishedRepo("duplicate-deps");
      return { args: publishArgs(chart, repo), repo };
    },
    mentions: ["Chart.yaml", "dependencies", "common"],
  },
  {
    name: "symlink leaving the chart directory",
    setup: () => {
      const chart = chartCopy("symlink-out");
      writeFileSync(join(work, "outside-secret.txt"), "secret");
      symlinkSync(join(work, "outside-secret.txt"), join(chart, "templates", "leak.txt"));
      const repo = publishedRepo("symlink-out");
      return { args: publishArgs(chart, repo), repo };
    },
    mentions: ["leak.txt"],
  },
  {
    name: "file over 5 MiB",
    setup: () => {
      const chart = chartCopy("big-file");
      writeFileSync(join(chart, "files-big.bin"), Buffer.alloc(5 * 1024 * 1024 + 1, 7));
      const repo = publishedRepo("big-file");
      return { args: publishArgs(chart, repo), repo };
    },
    mentions: ["files-big.bin", "5242881 bytes", "over 5 MiB"],
  },
  {
    name: "corrupt index.yaml",
    setup: () => {
      const repo = publishedRepo("corrupt-index");
      writeFileSync(
        join(repo, "index.yaml"),
        `${readFileSync(join(repo, "index.yaml"), "utf8").slice(0, 200)}\n  - [broken`,
      );
      return { args: publishArgs(chartCopy("corrupt-index-chart"), repo, "--version", "1.1.0"), repo };
    },
    mentions: ["index.yaml"],
  },
  {
    name: "index.yaml with an unknown key",
    setup: () => {
      const repo = publishedRepo("unknown-key");
      writeFileSync(
        join(repo, "index.yaml"),
        `${readFileSync(join(repo, "index.yaml"), "utf8")}madeUpKey: true\n`,
      );
      return { args: publishArgs(chartCopy("unknown-key-chart"), repo, "--version", "1.1.0"), repo };
    },
    mentions: ["index.yaml", "madeUpKey"],
  },
  {
    name: "index.yaml with a duplicate key",
    setup: () => {
      const repo = publishedRepo("duplicate-key");
      writeFileSync(
        join(repo, "index.yaml"),
        `${readFileSync(join(repo, "index.yaml"), "utf8")}apiVersion: v1\n`,
      );
      return { args: publishArgs(chartCopy("duplicate-key-chart"), repo, "--version", "1.1.0"), repo };
    },
    mentions: ["index.yaml", "apiVersion"],
  },
  {
    name: "same version with different bytes",
    setup: () => {
      const repo = publishedRepo("conflict");
      const chart = chartCopy("conflict-chart", setField("description", "a different description"));
      return { args: publishArgs(chart, repo, "--version", "1.0.0"), repo };
    },
    mentions: ["kube9-operator-1.0.0.tgz", "already published with other bytes", "bump"],
  },
  {
    name: "index.yaml missing while archives are stored",
    setup: () => {
      const repo = publishedRepo("lost-index");
      rmSync(join(repo, "index.yaml"));
      // Stored a day ago: not another first publish still in flight.
      const dayAgo = new Date(Date.now() - 86_400_000);
      utimesSync(join(repo, "kube9-operator-1.0.0.tgz"), dayAgo, dayAgo);
      return { args: [...publishArgs(chartCopy("lost-index-chart"), repo, "--version", "1.1.0")], repo };
    },
    mentions: ["index.yaml", "kube9-operator-1.0.0.tgz", "reindex"],
  },
  {
    name: "unwritable repository",
    setup: () => {
      const repo = publishedRepo("unwritable");
      const chart = chartCopy("unwritable-chart");
      // The tests run as root, whom permissions do not stop (and an unprivileged user may not
      // reach a checkout in a private folder): the immutable attribute stops root too.
      execFileSync("chattr", ["+i", repo]);
      immutable.push(repo);
      return { args: publishArgs(chart, repo, "--version", "1.1.0"), repo };
    },
    mentions: ["kube9-operator-1.1.0.tgz", "EPERM", "writable"],
  },
  {
    name: "archive whose members escape <name>/",
    setup: () => {
      const repo = publishedRepo("escaping-archive");
      const archive = join(work, "kube9-operator-1.2.0.tgz");
      writeFileSync(
        archive,
        tarball([
          {
            name: "kube9-operator/Chart.yaml",
            content: "apiVersion: v2\nname: kube9-operator\nversion: 1.2.0\n",
          },
          { name: "kube9-operator/../../evil.txt", content: "x" },
        ]),
      );
      return { args: publishArgs(archive, repo), repo };
    },
    mentions: ["kube9-operator-1.2.0.tgz", "evil.txt"],
  },
  {
    name: "a --url that is not a URL",
    setup: () => {
      const repo = publishedRepo("bad-url");
      return {
        args: publishArgs(chartCopy("bad-url-chart"), repo, "--version", "1.1.0", "--url", "charts.kube9.io"),
        repo,
      };
    },
    status: 2,
    mentions: ["--url", "charts.kube9.io"],
  },
];

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "kube9-bad-input-"));
  mkdirSync(join(work, "repos"));
});

afterAll(() => {
  for (const dir of immutable) execFileSync("chattr", ["-i", dir]);
  rmSync(work, { recursive: true, force: true });
});

describe("chart publish refuses bad input and writes nothing", () => {
  it.each(CASES)("$name", (badInput) => {
    const { args, repo, uid } = badInput.setup();
    const before = snapshot(repo);
    expect(Object.keys(before)).toContain("/kube9-operator-1.0.0.tgz");
    const run = runRelease(args, { cwd: work, env: EPOCH, ...(uid === undefined ? {} : { uid, gid: uid }) });
    expect(run.stderr).toMatch(/^error: /m);
    for (const mention of badInput.mentions) expect(run.stderr).toContain(mention);
    expect(run.status).toBe(badInput.status ?? 1);
    expect(snapshot(repo)).toEqual(before);
  });

  it("covers at least 15 distinct bad inputs", () => {
    expect(new Set(CASES.map((badInput) => badInput.name)).size).toBeGreaterThanOrEqual(15);
  });
});
