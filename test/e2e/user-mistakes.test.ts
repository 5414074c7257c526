/**
 * Each command fed its most likely mistakes, as a user makes them (the linked kube9-release, a
 * folder outside git, PATH and a fresh HOME only): a missing file, a file where a folder is
 * expected and the reverse, an unreadable file, an empty argument (an unset variable), a URL
 * without a scheme, a repository path that is a file. Each must end with exit 1 (failure) or 2
 * (usage), an error naming the thing and a fix, never "internal error" nor a stack trace, and
 * leave every file of the working folder (a published repository among them) byte-identical.
 *
 * Unreadable files: the tests run as root, which reads a chmod 000 file anyway. So those cases run
 * the CLI as the unprivileged user `nobody` (uid 65534) over chmod 000 files, which is what a
 * user meets; and root's own case is a directory where a file is expected (Chart.yaml, a .tgz),
 * which no user can read as a file.
 */
import {
  chmodSync,
  cpSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { load } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { debian12Root, writeOciLayout } from "../support/oci-layout.js";
import { repoRoot } from "../support/tools.js";
import { buildTestVulnDb, trivyPath } from "../support/trivy.js";
import { type UserEnvironment, userEnvironment } from "../support/user-environment.js";

const NOBODY = 65534;
const CHART_VERSION = (
  load(readFileSync(join(repoRoot, "charts", "kube9-operator", "Chart.yaml"), "utf8")) as { version: string }
).version;
let user: UserEnvironment;

/** Every entry under `dir` with its type, mode and bytes: what "nothing written" is checked on. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    const mode = statSync(path).mode.toString(8);
    files[path.slice(dir.length)] = entry.isFile()
      ? `${mode} ${readFileSync(path).toString("base64")}`
      : `${mode} ${entry.isDirectory() ? "dir" : "other"}`;
  }
  return files;
}

interface Mistake {
  command: string;
  mistake: string;
  args: string[];
  status: 1 | 2;
  /** Each must appear in stderr: the thing named, and words of the reason. */
  mentions: string[];
  /** Run as `nobody`, for the unreadable-file cases. */
  asNobody?: boolean;
}

/** Files every case may trip over, made once; the cases below must leave them as they are. */
function prepare(cwd: string): void {
  cpSync(join(repoRoot, "charts", "kube9-operator"), join(cwd, "chart"), { recursive: true });
  cpSync(join(repoRoot, "Dockerfile"), join(cwd, "Dockerfile"));
  writeFileSync(join(cwd, "notes.txt"), "not a folder\n");
  mkdirSync(join(cwd, "folder.tgz"));
  writeFileSync(join(cwd, "kube9-operator-0.9.0.tgz"), "not gzip\n");
  // Chart.yaml as a directory: no user, root included, can read it as a file.
  cpSync(join(repoRoot, "charts", "kube9-operator"), join(cwd, "chart-yaml-folder"), { recursive: true });
  rmSync(join(cwd, "chart-yaml-folder", "Chart.yaml"));
  mkdirSync(join(cwd, "chart-yaml-folder", "Chart.yaml"));
  // Unreadable for `nobody`: a chart with a chmod 000 Chart.yaml, one with a chmod 000 template.
  cpSync(join(repoRoot, "charts", "kube9-operator"), join(cwd, "locked-chart"), { recursive: true });
  chmodSync(join(cwd, "locked-chart", "Chart.yaml"), 0o000);
  cpSync(join(repoRoot, "charts", "kube9-operator"), join(cwd, "locked-template"), { recursive: true });
  const template = readdirSync(join(cwd, "locked-template", "templates")).find((name) =>
    name.endsWith(".yaml"),
  );
  chmodSync(join(cwd, "locked-template", "templates", template ?? "missing"), 0o000);
}

const CASES: Array<Omit<Mistake, "args"> & { args: () => string[] }> = [
  // chart package
  {
    command: "chart package",
    mistake: "a folder that does not exist",
    args: () => ["chart", "package", "charts/kube9-operator"],
    status: 1,
    mentions: ["charts/kube9-operator", "no chart directory here"],
  },
  {
    command: "chart package",
    mistake: "a packaged .tgz where the chart folder is expected",
    args: () => ["chart", "package", "kube9-operator-0.9.0.tgz"],
    status: 2,
    mentions: ["kube9-operator-0.9.0.tgz", "not a chart directory", "chart publish"],
  },
  {
    command: "chart package",
    mistake: "Chart.yaml that is a folder",
    args: () => ["chart", "package", "chart-yaml-folder"],
    status: 1,
    mentions: ["chart-yaml-folder/Chart.yaml", "is a directory, not a file"],
  },
  {
    command: "chart package",
    mistake: "an unreadable Chart.yaml (as nobody)",
    args: () => ["chart", "package", "locked-chart"],
    status: 1,
    mentions: ["locked-chart/Chart.yaml", "cannot read it (EACCES)"],
    asNobody: true,
  },
  {
    command: "chart package",
    mistake: "an empty chart argument (an unset variable)",
    args: () => ["chart", "package", ""],
    status: 2,
    mentions: ["argument 3", 'empty argument after "package"'],
  },
  {
    command: "chart package",
    mistake: "--out that is a file",
    args: () => ["chart", "package", "chart", "--out", "notes.txt"],
    status: 1,
    mentions: ["notes.txt", "cannot write the archive", "--out"],
  },
  // chart publish
  {
    command: "chart publish",
    mistake: "a chart that does not exist",
    args: () => ["chart", "publish", "kube9-operator-1.0.0.tgz", "--repo", "repo"],
    status: 1,
    mentions: ["kube9-operator-1.0.0.tgz", "no chart directory or archive here"],
  },
  {
    command: "chart publish",
    mistake: "a .tgz that is a folder",
    args: () => ["chart", "publish", "folder.tgz", "--repo", "repo"],
    status: 1,
    mentions: ["folder.tgz/Chart.yaml", "Chart.yaml is missing"],
  },
  {
    command: "chart publish",
    mistake: "a file that is not a chart archive",
    args: () => ["chart", "publish", "kube9-operator-0.9.0.tgz", "--repo", "repo"],
    status: 1,
    mentions: ["kube9-operator-0.9.0.tgz", "not a gzip archive"],
  },
  {
    command: "chart publish",
    mistake: "--repo that is a file",
    args: () => ["chart", "publish", "chart", "--repo", "notes.txt"],
    status: 1,
    mentions: ["notes.txt", "--repo"],
  },
  {
    command: "chart publish",
    mistake: "an empty --repo (an unset variable)",
    args: () => ["chart", "publish", "chart", "--repo", ""],
    status: 2,
    mentions: ["--repo", "empty value"],
  },
  {
    command: "chart publish",
    mistake: "an empty --repo= (an unset variable)",
    args: () => ["chart", "publish", "chart", "--repo="],
    status: 2,
    mentions: ["--repo", "empty value"],
  },
  {
    command: "chart publish",
    mistake: "--url without a scheme",
    args: () => ["chart", "publish", "chart", "--repo", "repo", "--url", "charts.kube9.io"],
    status: 2,
    mentions: ["--url", '"charts.kube9.io" has no http:// or https:// scheme', "https://charts.kube9.io"],
  },
  {
    command: "chart publish",
    mistake: "--endpoint without a scheme",
    args: () => ["chart", "publish", "chart", "--repo", "s3://charts", "--endpoint", "localhost:7070"],
    status: 2,
    mentions: ["--endpoint", '"localhost:7070" has no http:// or https:// scheme'],
  },
  {
    command: "chart publish",
    mistake: "an unreadable archive (as nobody)",
    args: () => [
      "chart",
      "publish",
      `locked/kube9-operator-${CHART_VERSION}.tgz`,
      "--repo",
      "repo",
      "--dry-run",
    ],
    status: 1,
    mentions: [`locked/kube9-operator-${CHART_VERSION}.tgz`, "cannot read the archive", "EACCES"],
    asNobody: true,
  },
  {
    command: "chart publish",
    mistake: "an unreadable template (as nobody)",
    args: () => ["chart", "publish", "locked-template", "--repo", "repo", "--dry-run"],
    status: 1,
    mentions: ["locked-template/templates/", "cannot read it (EACCES)"],
    asNobody: true,
  },
  // repo serve
  {
    command: "repo serve",
    mistake: "a repository that is a file",
    args: () => ["repo", "serve", "notes.txt", "--port", "0"],
    status: 2,
    mentions: ["notes.txt", "not a directory"],
  },
  {
    command: "repo serve",
    mistake: "a repository folder that does not exist",
    args: () => ["repo", "serve", "chart-repo", "--port", "0"],
    status: 2,
    mentions: ["chart-repo", "does not exist"],
  },
  {
    command: "repo serve",
    mistake: "a port that is not a number",
    args: () => ["repo", "serve", "repo", "--port", "http"],
    status: 2,
    mentions: ["--port", '"http" is not a port number'],
  },
  // repo verify
  {
    command: "repo verify",
    mistake: "--url without a scheme",
    args: () => ["repo", "verify", "--url", "charts.kube9.io", "--version", "0.1.0"],
    status: 2,
    mentions: ["--url", "charts.kube9.io"],
  },
  {
    command: "repo verify",
    mistake: "an empty --version (an unset variable)",
    args: () => ["repo", "verify", "--url", "http://127.0.0.1:9", "--version", ""],
    status: 2,
    mentions: ["--version", "empty value"],
  },
  // repo reindex
  {
    command: "repo reindex",
    mistake: "a repository folder that does not exist (nothing is created)",
    args: () => ["repo", "reindex", "--repo", "chart-repo"],
    status: 1,
    mentions: ["chart-repo", "no repository here", "--repo"],
  },
  {
    command: "repo reindex",
    mistake: "--repo that is a file",
    args: () => ["repo", "reindex", "--repo", "notes.txt"],
    status: 1,
    mentions: ["notes.txt", "--repo"],
  },
  // repo rollback
  {
    command: "repo rollback",
    mistake: "a directory repository (only a versioned bucket keeps history)",
    args: () => ["repo", "rollback", "--repo", "repo"],
    status: 2,
    mentions: ["--repo", "keeps no earlier versions of index.yaml", "repo reindex"],
  },
  {
    command: "repo rollback",
    mistake: "--endpoint without a scheme",
    args: () => ["repo", "rollback", "--repo", "s3://charts", "--endpoint", "localhost:7070"],
    status: 2,
    mentions: ["--endpoint", '"localhost:7070" has no http:// or https:// scheme'],
  },
  // image push (each refused before anything is sent)
  {
    command: "image push",
    mistake: "a layout that is a file",
    args: () => ["image", "push", "notes.txt", "v1.2.3", "--to", "127.0.0.1:9/alto9/kube9-operator"],
    status: 1,
    mentions: ["notes.txt", "cannot read index.json", "--oci-layout"],
  },
  {
    command: "image push",
    mistake: "--to given as a URL",
    args: () => ["image", "push", "layout", "v1.2.3", "--to", "https://ghcr.io/alto9/kube9-operator"],
    status: 2,
    mentions: ["--to", "https://ghcr.io/alto9/kube9-operator", "host/name"],
  },
  {
    command: "image push",
    mistake: "an empty --digest (an unset variable)",
    args: () => [
      "image",
      "push",
      "layout",
      "v1.2.3",
      "--to",
      "127.0.0.1:9/alto9/kube9-operator",
      "--digest",
      "",
    ],
    status: 2,
    mentions: ["--digest", "empty value"],
  },
  // image tags, labels, verify, wait
  {
    command: "image tags",
    mistake: "an image given as a URL",
    args: () => ["image", "tags", "v1.2.3", "--image", "https://ghcr.io/alto9/kube9-operator"],
    status: 2,
    mentions: ["--image", "https://ghcr.io/alto9/kube9-operator", "host/name"],
  },
  {
    command: "image tags",
    mistake: "an empty version (an unset variable)",
    args: () => ["image", "tags", ""],
    status: 2,
    mentions: ["argument 3", "empty argument"],
  },
  {
    command: "image labels",
    mistake: "--source without a scheme",
    args: () => [
      "image",
      "labels",
      "v1.2.3",
      "--revision",
      "0123456789abcdef0123456789abcdef01234567",
      "--created",
      "2026-01-01T00:00:00Z",
      "--source",
      "github.com/alto9/kube9-operator",
    ],
    status: 2,
    mentions: ["--source", "github.com/alto9/kube9-operator", "https://"],
  },
  {
    command: "image labels",
    mistake: "--created that is not a time",
    args: () => [
      "image",
      "labels",
      "v1.2.3",
      "--revision",
      "abc",
      "--created",
      "yesterday",
      "--source",
      "https://x",
    ],
    status: 2,
    mentions: ["--created", '"yesterday" is not an RFC 3339 date-time'],
  },
  {
    command: "image verify",
    mistake: "an image given as a URL",
    args: () => ["image", "verify", "https://ghcr.io/alto9/kube9-operator:v1.2.3"],
    status: 2,
    mentions: ["<ref>", "https://ghcr.io/alto9/kube9-operator:v1.2.3", "host/name:tag"],
  },
  {
    command: "image verify",
    mistake: "a size without a number",
    args: () => ["image", "verify", "ghcr.io/alto9/kube9-operator:v1.2.3", "--max-size", "big"],
    status: 2,
    mentions: ["--max-size", '"big" is not a size'],
  },
  {
    command: "image wait",
    mistake: "a timeout in words",
    args: () => ["image", "wait", "ghcr.io/alto9/kube9-operator:1.2.3", "--timeout", "soon"],
    status: 2,
    mentions: ["--timeout", '"soon" is not a duration', "1h30m"],
  },
  {
    command: "image wait",
    mistake: "an empty image (an unset variable)",
    args: () => ["image", "wait", ""],
    status: 2,
    mentions: ["argument 3", "empty argument"],
  },
  // image scan
  {
    command: "image scan",
    mistake: "a layout that is a file",
    args: () => ["image", "scan", "notes.txt"],
    status: 1,
    mentions: ["notes.txt", "not a multi-platform OCI image layout", "--oci-layout"],
  },
  {
    command: "image scan",
    mistake: "a chart folder where the layout is expected",
    args: () => ["image", "scan", "chart"],
    status: 1,
    mentions: ["chart", "not a multi-platform OCI image layout"],
  },
  {
    command: "image scan",
    mistake: "--trivy that does not exist",
    args: () => ["image", "scan", "layout", "--trivy", "bin/trivy", "--offline"],
    status: 1,
    mentions: ["bin/trivy"],
  },
  {
    command: "image scan",
    mistake: "--sarif-dir that is a file",
    args: () => [
      "image",
      "scan",
      "layout",
      "--trivy",
      trivyPath(),
      "--offline",
      "--cache-dir",
      "../db",
      "--sarif-dir",
      "notes.txt",
    ],
    status: 2,
    mentions: ["notes.txt", "--sarif-dir"],
  },
  // image build (each refused before buildah runs)
  {
    command: "image build",
    mistake: "--file that is a folder",
    args: () => ["image", "build", "v1.2.3", "--file", "chart"],
    status: 2,
    mentions: ["--file", "no Dockerfile at", "chart"],
  },
  {
    command: "image build",
    mistake: "--file that does not exist",
    args: () => ["image", "build", "v1.2.3", "--file", "Containerfile"],
    status: 2,
    mentions: ["--file", "Containerfile"],
  },
  {
    command: "image build",
    mistake: "--context that does not exist",
    args: () => ["image", "build", "v1.2.3", "--context", "src"],
    status: 2,
    mentions: ["--context", "src", "not a folder"],
  },
  {
    command: "image build",
    mistake: "--oci-layout that is a file",
    args: () => ["image", "build", "v1.2.3", "--oci-layout", "notes.txt"],
    status: 2,
    mentions: ["--oci-layout", "notes.txt", "is a file"],
  },
  // release check
  {
    command: "release check",
    mistake: "the default chart folder missing (run outside the clone)",
    args: () => ["release", "check", "v0.1.0"],
    status: 1,
    mentions: ["charts/kube9-operator", "no chart directory here"],
  },
  {
    command: "release check",
    mistake: "--chart that is a file",
    args: () => ["release", "check", "v0.1.0", "--chart", "notes.txt"],
    status: 1,
    mentions: ["notes.txt", "not a directory"],
  },
  {
    command: "release check",
    mistake: "an unreadable Chart.yaml (as nobody)",
    args: () => ["release", "check", "v0.1.0", "--chart", "locked-chart"],
    status: 1,
    mentions: ["locked-chart/Chart.yaml", "cannot read it (EACCES)"],
    asNobody: true,
  },
  {
    command: "release check",
    mistake: "a tag without the v",
    args: () => ["release", "check", "0.1.0", "--chart", "chart"],
    status: 2,
    mentions: ["<tag>", '"0.1.0" does not start with "v"'],
  },
  // release rehearse
  {
    command: "release rehearse",
    mistake: "run outside the clone",
    args: () => ["release", "rehearse", "v1.2.3"],
    status: 2,
    mentions: ["--repo-dir", "is not inside a git repository"],
  },
];

beforeAll(async () => {
  user = userEnvironment("mistakes");
  prepare(user.cwd);
  // A published repository next to the mistakes: none of them may change a byte of it.
  const published = await user.run(["chart", "publish", "chart", "--repo", "repo"]);
  if (published.status !== 0) throw new Error(`could not publish the base version: ${published.stderr}`);
  // The archive `nobody` may not read, in a folder it may enter.
  mkdirSync(join(user.cwd, "locked"));
  const packed = await user.run(["chart", "package", "chart", "--out", "locked"]);
  if (packed.status !== 0) throw new Error(`could not package: ${packed.stderr}`);
  chmodSync(join(user.cwd, "locked", `kube9-operator-${CHART_VERSION}.tgz`), 0o000);
  // A two-platform OCI layout as `image build --oci-layout` writes it, and a Trivy database
  // beside the working folder (the scan cases must find it, but it is not theirs to write).
  await writeOciLayout(join(user.cwd, "layout"), "1.2.3", [
    { platform: "linux/amd64", files: debian12Root("amd64", "2.36-9+deb12u14") },
    { platform: "linux/arm64", files: debian12Root("arm64", "2.36-9+deb12u14") },
  ]);
  const db = buildTestVulnDb(join(user.cwd, "..", "db-build"), []);
  renameSync(db, join(user.cwd, "..", "db"));
  // `nobody` must reach the working folder (mkdtemp makes it 0700 for root).
  for (const dir of [join(user.cwd, ".."), user.cwd, user.home]) chmodSync(dir, 0o755);
  // ...and the checkout's CLI: a checkout under a folder closed to other users cannot run as nobody.
  const probe = await user.run(["--tool-version"], { uid: NOBODY });
  if (probe.status !== 0) {
    throw new Error(
      `nobody (uid ${NOBODY}) cannot run the checkout's kube9-release (${probe.stderr.trim() || `exit ${probe.status}`}): a folder above ${repoRoot} is closed to other users (mktemp -d makes 0700); clone where others may enter, or chmod 755 that folder`,
    );
  }
});

afterAll(() => {
  user?.cleanup();
});

describe.each(CASES)("$command: $mistake", (mistake) => {
  it(`exits ${mistake.status} with an error naming the thing and a fix, and writes nothing`, async () => {
    const before = snapshot(user.cwd);
    const run = await user.run(mistake.args(), mistake.asNobody === true ? { uid: NOBODY } : {});
    expect(run.stderr).not.toContain("internal error");
    expect(run.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    for (const mention of mistake.mentions) expect(run.stderr).toContain(mention);
    expect(run.stderr).toMatch(/^error: /m);
    expect(run.stderr).toMatch(/^ {2}fix: \S/m);
    expect(run.status).toBe(mistake.status);
    expect(snapshot(user.cwd)).toEqual(before);
  });
});
