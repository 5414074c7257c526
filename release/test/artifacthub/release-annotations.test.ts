import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yaml from "js-yaml";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { artifactHubAnnotationProblems } from "../../src/artifacthub/annotations.js";
import { artifactHubChartProblems, releaseArtifactHubProblems } from "../../src/artifacthub/chart-check.js";
import { artifactHubAnnotator, releaseAnnotations } from "../../src/artifacthub/release-annotations.js";
import { loadChartDir } from "../../src/chart/load-chart-dir.js";
import { packageChart } from "../../src/chart/package-chart.js";
import { readChartArchive } from "../../src/chart/read-chart-archive.js";
import { refusalOf, rejectionOf } from "../support/refusal.js";

const source = join(import.meta.dirname, "..", "..", "..", "charts", "kube9-operator");
const FINGERPRINT = "0123456789ABCDEF0123456789ABCDEF01234567";
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "kube9-ahub-"));
  cpSync(source, join(dir, "chart"), { recursive: true });
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function edit(file: string, from: RegExp, to: string): void {
  const path = join(dir, "chart", file);
  const text = readFileSync(path, "utf8");
  if (!from.test(text)) throw new Error(`${from} not in ${file}`);
  writeFileSync(path, text.replace(from, to));
}

const CHANGELOG = {
  file: "CHANGELOG.md",
  text: "## [2.0.0]\n### Added\n- Arm64 ([#1](https://github.com/alto9/kube9-operator/pull/1))\n### Security\n- Fixed base image\n",
};

async function packaged(version: string, request: Parameters<typeof artifactHubAnnotator>[1] = {}) {
  const chart = await loadChartDir(join(dir, "chart"));
  const archive = packageChart(chart, {
    sourceDateEpoch: 0,
    version,
    appVersion: version,
    annotate: artifactHubAnnotator(chart, request).annotate,
  });
  return { chart, archive, read: await readChartArchive(archive.bytes, archive.fileName) };
}

describe("the release annotations chart package --artifacthub writes", () => {
  it("a release: the image at appVersion on both platforms, changes with security, signKey, no prerelease", async () => {
    const { archive, read } = await packaged("2.0.0", {
      changelog: CHANGELOG,
      signKey: { fingerprint: FINGERPRINT, url: "https://charts.kube9.io/pubkey.asc" },
    });
    const annotations = read.metadata.annotations ?? {};
    expect(read.metadata.annotations).toEqual(archive.metadata.annotations);
    expect(yaml.load(annotations["artifacthub.io/images"] ?? "")).toEqual([
      {
        name: "kube9-operator",
        image: "ghcr.io/alto9/kube9-operator:2.0.0",
        platforms: ["linux/amd64", "linux/arm64"],
      },
    ]);
    expect(annotations["artifacthub.io/prerelease"]).toBeUndefined();
    expect(annotations["artifacthub.io/containsSecurityUpdates"]).toBe("true");
    expect(yaml.load(annotations["artifacthub.io/changes"] ?? "")).toEqual([
      {
        kind: "added",
        description: "Arm64 (#1)",
        links: [{ name: "#1", url: "https://github.com/alto9/kube9-operator/pull/1" }],
      },
      { kind: "security", description: "Fixed base image" },
    ]);
    expect(yaml.load(annotations["artifacthub.io/signKey"] ?? "")).toEqual({
      fingerprint: FINGERPRINT,
      url: "https://charts.kube9.io/pubkey.asc",
    });
    // The committed annotations stay, and everything passes Artifact Hub's rules.
    expect(annotations["artifacthub.io/license"]).toBe("MIT");
    expect(artifactHubChartProblems(read.metadata, read.files, archive.fileName)).toEqual([]);
  });

  it("a pre-release: prerelease true, its release's changes, no security update", async () => {
    const changelog = { file: "CHANGELOG.md", text: "## [2.1.0]\n### Fixed\n- A bug\n" };
    const { read } = await packaged("2.1.0-rc.1", { changelog });
    const annotations = read.metadata.annotations ?? {};
    expect(annotations["artifacthub.io/prerelease"]).toBe("true");
    expect(annotations["artifacthub.io/containsSecurityUpdates"]).toBe("false");
    expect(annotations["artifacthub.io/images"]).toContain("ghcr.io/alto9/kube9-operator:2.1.0-rc.1");
  });

  it("without a changelog or key: only images (and prerelease), nothing invented", async () => {
    const { read } = await packaged("2.0.0");
    const keys = Object.keys(read.metadata.annotations ?? {}).filter((k) => k.startsWith("artifacthub.io/"));
    expect(keys).not.toContain("artifacthub.io/changes");
    expect(keys).not.toContain("artifacthub.io/signKey");
    expect(keys).not.toContain("artifacthub.io/containsSecurityUpdates");
    expect(keys).toContain("artifacthub.io/images");
  });

  it("without annotate, the archive is what helm package makes: no release annotation", async () => {
    const chart = await loadChartDir(join(dir, "chart"));
    const archive = packageChart(chart, { sourceDateEpoch: 0, version: "2.0.0", appVersion: "2.0.0" });
    expect(archive.metadata.annotations).toEqual(chart.metadata.annotations);
  });

  it("refuses a release annotation written in Chart.yaml, naming it", async () => {
    edit("Chart.yaml", /^annotations:\n/m, 'annotations:\n  artifacthub.io/prerelease: "false"\n');
    const error = await rejectionOf(packaged("2.0.0"), "CHART_INVALID");
    expect(error.field).toBe('annotations["artifacthub.io/prerelease"]');
    expect(error.fix).toMatch(/remove/);
  });

  it("refuses a chart whose values.yaml names no image", async () => {
    edit("values.yaml", /^ {2}repository: .*$/m, '  repository: ""');
    const chart = await loadChartDir(join(dir, "chart"));
    const error = refusalOf(
      () =>
        releaseAnnotations({
          metadata: chart.metadata,
          files: chart.files,
          chartYamlPath: chart.chartYamlPath,
        }),
      "CHART_INVALID",
    );
    expect(error.field).toBe("image.repository");
    expect(error.file).toMatch(/values\.yaml$/);
    expect(error.fix).toMatch(/set image.repository/);
  });

  it("refuses a changelog without the version's section when packaging", async () => {
    const error = await rejectionOf(packaged("3.0.0", { changelog: CHANGELOG }), "CHART_INVALID");
    expect(error.file).toBe("CHANGELOG.md");
    expect(error.field).toBe("## [3.0.0]");
  });
});

describe("the chart's annotations tell the truth about it", () => {
  const images = (image: string) => `- name: kube9-operator\n  image: ${image}\n`;

  it("refuses an images annotation whose tag is not the appVersion the chart runs", async () => {
    const chart = await loadChartDir(join(dir, "chart"));
    const metadata = {
      ...chart.metadata,
      version: "2.0.0",
      appVersion: "2.0.0",
      annotations: { "artifacthub.io/images": images("ghcr.io/alto9/kube9-operator:v2.0.0") },
    };
    const problems = artifactHubChartProblems(metadata, chart.files, "Chart.yaml");
    expect(problems).toEqual([
      expect.objectContaining({
        field: 'annotations["artifacthub.io/images"].image',
        message: expect.stringMatching(/v2\.0\.0.*ghcr\.io\/alto9\/kube9-operator:2\.0\.0/),
        fix: expect.stringMatching(/--artifacthub/),
      }),
    ]);
  });

  it("refuses an images annotation that does not list the chart's image", async () => {
    const chart = await loadChartDir(join(dir, "chart"));
    const metadata = {
      ...chart.metadata,
      annotations: { "artifacthub.io/images": images("ghcr.io/other/op:0.0.0") },
    };
    expect(artifactHubChartProblems(metadata, chart.files, "Chart.yaml").map((p) => p.fix)).toEqual([
      "list image: ghcr.io/alto9/kube9-operator:0.0.0 (chart package --artifacthub writes it)",
    ]);
  });

  it("refuses prerelease annotations that contradict the version", async () => {
    const chart = await loadChartDir(join(dir, "chart"));
    const says = (version: string, value: string) =>
      artifactHubChartProblems(
        { ...chart.metadata, version, annotations: { "artifacthub.io/prerelease": value } },
        chart.files,
        "Chart.yaml",
      ).map((p) => p.message);
    expect(says("1.0.0-rc.1", "false")).toEqual([expect.stringMatching(/is a pre-release/)]);
    expect(says("1.0.0", "true")).toEqual([expect.stringMatching(/is not a pre-release/)]);
    expect(says("1.0.0-rc.1", "true")).toEqual([]);
  });

  it("reports a format problem once, without a consistency problem on top", async () => {
    const chart = await loadChartDir(join(dir, "chart"));
    const metadata = { ...chart.metadata, annotations: { "artifacthub.io/images": "- name: x\n" } };
    expect(artifactHubChartProblems(metadata, chart.files, "Chart.yaml").map((p) => p.field)).toEqual([
      'annotations["artifacthub.io/images"][0].image',
    ]);
    expect(
      artifactHubAnnotationProblems(metadata.annotations, { file: "Chart.yaml", chartName: "x" }),
    ).toHaveLength(1);
  });

  it("release check's view: the annotations for the tag, or the problems that stop it", async () => {
    const chart = await loadChartDir(join(dir, "chart"));
    const ok = releaseArtifactHubProblems(chart, "2.0.0", { changelog: CHANGELOG });
    expect(ok.problems).toEqual([]);
    expect(ok.annotations["artifacthub.io/images"]).toContain(":2.0.0");
    const missing = releaseArtifactHubProblems(chart, "2.0.1", { changelog: CHANGELOG });
    expect(missing.problems).toEqual([
      expect.objectContaining({ file: "CHANGELOG.md", field: "## [2.0.1]" }),
    ]);
  });
});
