/**
 * Issue 15, item 4: what Artifact Hub reads, made and published as users run the CLI (the linked
 * `kube9-release` on PATH, from a folder outside git, no SOURCE_DATE_EPOCH): the chart packaged
 * with --artifacthub carries the release's annotations (read back by Helm itself, and valid by
 * Artifact Hub's rules), a pre-release says so, and the repository serves artifacthub-repo.yml
 * with its Content-Type and Cache-Control, from `repo serve` and from an S3 bucket (versitygw)
 * behind the CDN stand-in (Varnish and a CloudFront API stand-in), where an edit reaches users.
 */
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { GetObjectCommand, HeadObjectCommand } from "@aws-sdk/client-s3";
import yaml from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifactHubAnnotationProblems } from "../../release/src/artifacthub/annotations.js";
import { repositoryMetadataProblems } from "../../release/src/artifacthub/repository-metadata.js";
import { cacheControlOf, INDEX } from "../../release/src/policy/repository-policy.js";
import { type CdnStandIn, startCdnStandIn } from "../support/cdn-stand-in.js";
import { shellBlocks } from "../support/doc-blocks.js";
import { repoRoot, toolPath } from "../support/tools.js";
import {
  serveAsUser,
  type UserEnvironment,
  type UserRun,
  userEnvironment,
} from "../support/user-environment.js";
import { type S3StandIn, startVersitygw } from "../support/versitygw.js";

// Artifact Hub fetches artifacthub-repo.yml like index.yaml: YAML, cached no longer than the index.
const REPO_FILE_TYPE = "application/yaml";
const REPO_FILE_CACHE = cacheControlOf(INDEX.cache);
const FINGERPRINT = "A1B2C3D4E5F60718293A4B5C6D7E8F9012345678";
const KEY_URL = "https://charts.kube9.io/pubkey.asc";

const CHANGELOG = `# Changelog

## [Unreleased]

## [1.5.0] - 2026-12-20

### Fixed

- Status interval read from the values ([#21](https://github.com/alto9/kube9-operator/pull/21))

## [1.4.0] - 2026-12-04

### Added

- Arm64 images
### Security

- Base image with a fixed OpenSSL
`;

let user: UserEnvironment;
let helm: string;

beforeAll(() => {
  helm = toolPath("helm3");
  user = userEnvironment("artifacthub");
  cpSync(join(repoRoot, "charts", "kube9-operator"), join(user.cwd, "chart"), { recursive: true });
  // The clone's layout too, for the docs' `release check` (its default --chart).
  cpSync(join(repoRoot, "charts", "kube9-operator"), join(user.cwd, "charts", "kube9-operator"), {
    recursive: true,
  });
  copyFileSync(join(repoRoot, "charts", "artifacthub-repo.yml"), join(user.cwd, "artifacthub-repo.yml"));
  writeFileSync(join(user.cwd, "CHANGELOG.md"), CHANGELOG);
});

afterAll(() => {
  user?.cleanup();
});

const THIS_TEST = "test/e2e/artifacthub.test.ts";
/** The shell blocks of the docs marked for this file. */
const docBlocks = ["README.md", "docs/release-chart.md", "docs/releasing.md"].flatMap((file) =>
  shellBlocks(readFileSync(join(repoRoot, file), "utf8"), file)
    .filter((block) => block.marker?.kind === "doc-test" && block.marker.runner === THIS_TEST)
    .map((block) => ({ file, code: block.code })),
);
const docBlock = (file: string, pattern: RegExp): string => {
  const block = docBlocks.find((candidate) => candidate.file === file && pattern.test(candidate.code));
  if (block === undefined) throw new Error(`${file} has no block for ${THIS_TEST} matching ${pattern}`);
  return block.code;
};

/** A block as a reader runs it: bash -e in the user's folder, PATH (with helm) and a fresh HOME only. */
async function runDocBlock(code: string, replace: Record<string, string> = {}): Promise<string> {
  const script = Object.entries(replace).reduce((text, [from, to]) => text.replaceAll(from, to), code);
  const home = join(user.cwd, "..", `home-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(home);
  const run = await user.exec("bash", ["-e", "-c", script], {
    extraEnv: { HOME: home, PATH: [dirname(helm), user.env.PATH].join(delimiter) },
  });
  expect(run.stderr, run.stderr).not.toMatch(/^error/m);
  expect(run.status, run.stderr).toBe(0);
  return run.stdout;
}

function succeeded(run: UserRun): UserRun {
  expect(run.stderr, run.stderr).not.toMatch(/^error/m);
  expect(run.status).toBe(0);
  return run;
}

/** `chart package` as the release workflow runs it, then the annotations as Helm shows them. */
async function packageRelease(version: string, ...extra: string[]): Promise<Record<string, string>> {
  const out = join("out", version);
  succeeded(
    await user.run([
      "chart",
      "package",
      "chart",
      "--version",
      version,
      "--app-version",
      version,
      "--artifacthub",
      "--changes-from",
      "CHANGELOG.md",
      ...extra,
      "--out",
      out,
    ]),
  );
  const shown = succeeded(
    await user.exec(helm, ["show", "chart", join(out, `kube9-operator-${version}.tgz`)]),
  );
  const chartYaml = yaml.load(shown.stdout) as { version: string; annotations: Record<string, string> };
  expect(chartYaml.version).toBe(version);
  // Every annotation, committed or added, is in Artifact Hub's format.
  expect(
    artifactHubAnnotationProblems(chartYaml.annotations, { file: "Chart.yaml", chartName: "kube9-operator" }),
  ).toEqual([]);
  return chartYaml.annotations;
}

describe("the packaged chart carries the release's Artifact Hub annotations", () => {
  it("a release: image at the version on amd64 and arm64, its changes, security updates, the sign key", async () => {
    const annotations = await packageRelease(
      "1.4.0",
      "--sign-key-fingerprint",
      FINGERPRINT,
      "--sign-key-url",
      KEY_URL,
    );
    expect(yaml.load(annotations["artifacthub.io/images"] ?? "")).toEqual([
      {
        name: "kube9-operator",
        image: "ghcr.io/alto9/kube9-operator:1.4.0",
        platforms: ["linux/amd64", "linux/arm64"],
      },
    ]);
    expect(annotations["artifacthub.io/prerelease"]).toBeUndefined();
    expect(yaml.load(annotations["artifacthub.io/changes"] ?? "")).toEqual([
      { kind: "added", description: "Arm64 images" },
      { kind: "security", description: "Base image with a fixed OpenSSL" },
    ]);
    expect(annotations["artifacthub.io/containsSecurityUpdates"]).toBe("true");
    expect(yaml.load(annotations["artifacthub.io/signKey"] ?? "")).toEqual({
      fingerprint: FINGERPRINT,
      url: KEY_URL,
    });
    // The committed ones, unchanged.
    expect(annotations["artifacthub.io/license"]).toBe("MIT");
    expect(annotations["artifacthub.io/operator"]).toBe("true");
    expect(yaml.load(annotations["artifacthub.io/links"] ?? "")).toEqual([
      expect.objectContaining({ name: "source" }),
      expect.objectContaining({ name: "documentation" }),
      expect.objectContaining({ name: "support" }),
    ]);
  });

  it("a pre-release: prerelease true, its release's changes, no security update, no sign key unless given", async () => {
    const annotations = await packageRelease("1.5.0-rc.1");
    expect(annotations["artifacthub.io/prerelease"]).toBe("true");
    expect(annotations["artifacthub.io/images"]).toContain("image: ghcr.io/alto9/kube9-operator:1.5.0-rc.1");
    expect(yaml.load(annotations["artifacthub.io/changes"] ?? "")).toEqual([
      {
        kind: "fixed",
        description: "Status interval read from the values (#21)",
        links: [{ name: "#21", url: "https://github.com/alto9/kube9-operator/pull/21" }],
      },
    ]);
    expect(annotations["artifacthub.io/containsSecurityUpdates"]).toBe("false");
    expect(annotations["artifacthub.io/signKey"]).toBeUndefined();
  });

  it("release check finds a missing changelog section before anything is built", async () => {
    succeeded(
      await user.run(["release", "check", "v1.4.0", "--chart", "chart", "--changes-from", "CHANGELOG.md"]),
    );
    const missing = await user.run([
      "release",
      "check",
      "v1.6.0",
      "--chart",
      "chart",
      "--changes-from",
      "CHANGELOG.md",
    ]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(join(user.cwd, "CHANGELOG.md"));
    expect(missing.stderr).toContain("## [1.6.0]");
    expect(missing.stderr).toMatch(/fix: .*before tagging/);
  });

  it.each([
    [
      "--changes-from without --artifacthub",
      ["--changes-from", "CHANGELOG.md"],
      2,
      /--changes-from.*fix: add --artifacthub/s,
    ],
    [
      "a short key id instead of the fingerprint",
      ["--artifacthub", "--sign-key-fingerprint", "72D7468F", "--sign-key-url", KEY_URL],
      2,
      /--sign-key-fingerprint.*full fingerprint/s,
    ],
    [
      "a fingerprint without the key's URL",
      ["--artifacthub", "--sign-key-fingerprint", FINGERPRINT],
      2,
      /--sign-key-url/,
    ],
    [
      "a version the changelog has no section for",
      ["--artifacthub", "--changes-from", "CHANGELOG.md", "--version", "2.0.0"],
      1,
      /CHANGELOG\.md: ## \[2\.0\.0\].*no section for version 2\.0\.0.*fix: add a ## \[2\.0\.0\] section/s,
    ],
    [
      "a changelog that is not there",
      ["--artifacthub", "--changes-from", "NEWS.md"],
      2,
      /NEWS\.md.*--changes-from/s,
    ],
    [
      "a folder given as the changelog",
      ["--artifacthub", "--changes-from", "chart"],
      2,
      /chart: --changes-from: cannot read the changelog \(EISDIR\).*fix: give the file itself, e\.g\. --changes-from CHANGELOG\.md/s,
    ],
    [
      "an empty changelog path (an unset variable)",
      ["--artifacthub", "--changes-from", ""],
      2,
      /--changes-from: empty value/,
    ],
  ])("refuses %s, writing nothing", async (_what, args, status, message) => {
    const out = join(user.cwd, "refused");
    const run = await user.run(["chart", "package", "chart", ...args, "--out", "refused"]);
    expect(run.status).toBe(status);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/internal error/i);
    expect(existsSync(out)).toBe(false);
  });
});

describe("the docs' blocks marked for this file", () => {
  it("are the changelog check and the check of what Artifact Hub reads", () => {
    expect(docBlocks.map((block) => `${block.file}: ${block.code.split("\n")[0]}`)).toEqual([
      "docs/release-chart.md: curl -fsS https://charts.kube9.io/artifacthub-repo.yml",
      "docs/releasing.md: kube9-release release check v1.4.0 --changes-from CHANGELOG.md --json",
    ]);
  });

  it("the changelog check of docs/releasing.md prints the annotations the release will carry", async () => {
    const check = JSON.parse(await runDocBlock(docBlock("docs/releasing.md", /release check/))) as {
      artifactHubAnnotations: Record<string, string>;
    };
    expect(check.artifactHubAnnotations["artifacthub.io/images"]).toContain(
      "ghcr.io/alto9/kube9-operator:1.4.0",
    );
    expect(yaml.load(check.artifactHubAnnotations["artifacthub.io/changes"] ?? "")).toEqual([
      { kind: "added", description: "Arm64 images" },
      { kind: "security", description: "Base image with a fixed OpenSSL" },
    ]);
  });
});

describe("a broken annotation stops the release before anything is written", () => {
  it("chart package refuses a Chart.yaml annotation Artifact Hub would not read, naming it", async () => {
    cpSync(join(user.cwd, "chart"), join(user.cwd, "broken-chart"), { recursive: true });
    const chartYaml = join(user.cwd, "broken-chart", "Chart.yaml");
    writeFileSync(
      chartYaml,
      readFileSync(chartYaml, "utf8").replace(
        "artifacthub.io/category: monitoring-logging",
        "artifacthub.io/category: monitoring",
      ),
    );
    const run = await user.run(["chart", "package", "broken-chart", "--out", "broken-out"]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`${chartYaml}: annotations["artifacthub.io/category"]`);
    expect(run.stderr).toMatch(/fix: use one of ai-machine-learning, .*monitoring-logging/);
    expect(existsSync(join(user.cwd, "broken-out"))).toBe(false);
  });
});

describe("the repository serves artifacthub-repo.yml", () => {
  const repoFile = () => readFileSync(join(user.cwd, "artifacthub-repo.yml"), "utf8");

  it("is valid by Artifact Hub's rules as committed", () => {
    expect(repositoryMetadataProblems(repoFile(), "charts/artifacthub-repo.yml")).toEqual([]);
  });

  describe("from repo serve", () => {
    let server: { url: string; stop: () => Promise<void> };

    beforeAll(async () => {
      succeeded(
        await user.run([
          "chart",
          "publish",
          "out/1.4.0/kube9-operator-1.4.0.tgz",
          "--repo",
          "served",
          "--artifacthub-repo",
          "artifacthub-repo.yml",
        ]),
      );
      server = await serveAsUser(user, "served");
    });

    afterAll(async () => {
      await server?.stop();
    });

    it("next to index.yaml, as YAML cached like index.yaml; the index carries the annotations", async () => {
      const reply = await fetch(`${server.url}/artifacthub-repo.yml`);
      expect(reply.status).toBe(200);
      expect(reply.headers.get("content-type")).toBe(REPO_FILE_TYPE);
      expect(reply.headers.get("cache-control")).toBe(REPO_FILE_CACHE);
      expect(await reply.text()).toBe(repoFile());
      const index = yaml.load(await (await fetch(`${server.url}/index.yaml`)).text()) as {
        entries: Record<string, { annotations: Record<string, string> }[]>;
      };
      expect(index.entries["kube9-operator"]?.[0]?.annotations["artifacthub.io/images"]).toContain(
        "ghcr.io/alto9/kube9-operator:1.4.0",
      );
    });

    it("the check of docs/release-chart.md shows what Artifact Hub reads", async () => {
      const output = await runDocBlock(docBlock("docs/release-chart.md", /curl/), {
        "https://charts.kube9.io": server.url,
      });
      expect(output).toContain(repoFile());
      expect(output).toContain("artifacthub.io/images: |");
      expect(output).toContain("artifacthub.io/changes: |");
      expect(output).toContain("artifacthub.io/license: MIT");
    });
  });

  it("refuses a broken artifacthub-repo.yml before writing anything", async () => {
    writeFileSync(join(user.cwd, "bad-repo.yml"), "repositoryID: <set me>\n");
    const run = await user.run([
      "chart",
      "publish",
      "out/1.4.0/kube9-operator-1.4.0.tgz",
      "--repo",
      "never",
      "--artifacthub-repo",
      "bad-repo.yml",
    ]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /bad-repo\.yml: repositoryID: Artifact Hub would not read this repository metadata file[\s\S]*"<set me>" is not a UUID/,
    );
    expect(run.stderr).toMatch(/fix: copy the repository ID/);
    expect(existsSync(join(user.cwd, "never"))).toBe(false);
  });

  it("refuses an artifacthub-repo.yml that is not there, naming it", async () => {
    const run = await user.run([
      "chart",
      "publish",
      "chart",
      "--repo",
      "never",
      "--artifacthub-repo",
      "artifacthub-repo.yaml",
    ]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(
      /artifacthub-repo\.yaml: --artifacthub-repo: cannot read the Artifact Hub repository file \(ENOENT\)/,
    );
    expect(existsSync(join(user.cwd, "never"))).toBe(false);
  });

  describe("from an S3 bucket (versitygw) behind the CDN stand-in (Varnish), as the release publishes", () => {
    let s3: S3StandIn;
    let cdn: CdnStandIn;

    beforeAll(async () => {
      s3 = await startVersitygw();
      await s3.createBucket("ahub");
      cdn = await startCdnStandIn(s3.client(), "ahub", "charts/");
    });

    afterAll(async () => {
      await cdn?.stop();
      await s3?.stop();
    });

    // The release's publish step: archive, repository file, index, invalidation waited for, verified through the CDN.
    const publish = async (file: string) =>
      JSON.parse(
        succeeded(
          await user.run(
            [
              "chart",
              "publish",
              "out/1.4.0/kube9-operator-1.4.0.tgz",
              "--repo",
              "s3://ahub/charts",
              "--path-style",
              "--url",
              cdn.url,
              "--cdn",
              `cloudfront:${cdn.distributionId}`,
              "--wait",
              "--artifacthub-repo",
              file,
              "--json",
            ],
            { extraEnv: { ...s3.env, AWS_ENDPOINT_URL_CLOUDFRONT: cdn.apiEndpoint } },
          ),
        ).stdout,
      ) as { artifacthubRepo: string; result: { archive: string } };

    const stored = async () => {
      const key = { Bucket: "ahub", Key: "charts/artifacthub-repo.yml" };
      const head = await s3.client().send(new HeadObjectCommand(key));
      const body = await (await s3.client().send(new GetObjectCommand(key))).Body?.transformToString();
      return { head, body };
    };

    const served = async () => {
      const reply = await fetch(`${cdn.url}/artifacthub-repo.yml`);
      return {
        status: reply.status,
        type: reply.headers.get("content-type"),
        cache: reply.headers.get("cache-control"),
        body: await reply.text(),
      };
    };

    it("is stored and served with its Content-Type and Cache-Control; a re-run is a no-op; an edit replaces it and reaches users", async () => {
      expect((await publish("artifacthub-repo.yml")).artifacthubRepo).toBe("created");
      const first = await stored();
      expect(first.head.ContentType).toBe(REPO_FILE_TYPE);
      expect(first.head.CacheControl).toBe(REPO_FILE_CACHE);
      expect(first.body).toBe(repoFile());
      expect(await served()).toEqual({
        status: 200,
        type: REPO_FILE_TYPE,
        cache: REPO_FILE_CACHE,
        body: repoFile(),
      });

      const again = await publish("artifacthub-repo.yml");
      expect(again.artifacthubRepo).toBe("unchanged");
      expect(again.result.archive).toBe("already-stored");

      // The edge holds the first copy now; the release's invalidation makes the edit visible.
      const edited = `${repoFile()}# owner claimed\n`;
      writeFileSync(join(user.cwd, "edited-repo.yml"), edited);
      expect((await publish("edited-repo.yml")).artifacthubRepo).toBe("updated");
      const second = await stored();
      expect(second.body).toBe(edited);
      expect(second.head.ContentType).toBe(REPO_FILE_TYPE);
      expect(second.head.CacheControl).toBe(REPO_FILE_CACHE);
      expect(await served()).toEqual({
        status: 200,
        type: REPO_FILE_TYPE,
        cache: REPO_FILE_CACHE,
        body: edited,
      });
    });
  });
});
