/**
 * A release is consistent when its tag, the chart's `version`, its `appVersion` and the image tag
 * the chart renders with default values all name the same version. The original project once
 * shipped an image tagged `v2.4.0` while its chart asked for `2.4.0`; this check runs before
 * anything is built so that such a release stops at the start.
 */
import { join } from "node:path";
import yaml from "js-yaml";
import { loadChartDir } from "../chart/load-chart-dir.js";
import { ReleaseError } from "../errors.js";
import { parseReleaseVersion } from "../image/release-version.js";

export interface Mismatch {
  file: string;
  field: string;
  actual: string | undefined;
  expected: string;
  message: string;
}

export interface ReleaseCheck {
  tag: string;
  version: string;
  chart: string;
  chartVersion: string;
  appVersion: string | undefined;
  /** The image tag `helm template` renders with default values. */
  defaultImageTag: string | undefined;
  mismatches: Mismatch[];
}

/** Release tags are `vX.Y.Z` (optionally `-prerelease`): the `v` is required, `+build` is refused. */
export function parseReleaseTag(tag: string): string {
  if (!tag.startsWith("v")) {
    throw new ReleaseError("USAGE", `release tag ${JSON.stringify(tag)} does not start with "v"`, {
      field: "<tag>",
      fix: "tag releases as vX.Y.Z, e.g. v1.2.3",
    });
  }
  return parseReleaseVersion(tag, "<tag>").version;
}

function imageValues(values: unknown): { tag: unknown; digest: unknown } {
  const image = (values as { image?: unknown } | null)?.image;
  if (typeof image !== "object" || image === null) return { tag: undefined, digest: undefined };
  const { tag, digest } = image as { tag?: unknown; digest?: unknown };
  return { tag, digest };
}

export async function checkRelease(tag: string, chartDir: string): Promise<ReleaseCheck> {
  const version = parseReleaseTag(tag);
  const chart = await loadChartDir(chartDir);
  const chartYaml = chart.chartYamlPath;
  const valuesPath = join(chartDir, "values.yaml");
  const mismatches: Mismatch[] = [];
  const expect = (file: string, field: string, actual: string | undefined, expected: string, why: string) => {
    if (actual !== expected) {
      mismatches.push({
        file,
        field,
        actual,
        expected,
        message: `${file}: ${field} is ${actual === undefined ? "not set" : JSON.stringify(actual)}, expected ${JSON.stringify(expected)} (${why})`,
      });
    }
  };
  const { metadata } = chart;
  expect(chartYaml, "version", metadata.version, version, `the release tag ${tag} without "v"`);
  expect(chartYaml, "appVersion", metadata.appVersion, version, `the release tag ${tag} without "v"`);

  const valuesFile = chart.files.find((file) => file.path === "values.yaml");
  const values = valuesFile === undefined ? {} : yaml.load(Buffer.from(valuesFile.data).toString("utf8"));
  const image = imageValues(values);
  // The chart's templates render `.Values.image.tag | default .Chart.AppVersion`.
  const rawTag = image.tag === undefined || image.tag === null ? "" : String(image.tag);
  const defaultImageTag = rawTag === "" ? metadata.appVersion : rawTag;
  if (rawTag !== "") {
    expect(
      valuesPath,
      "image.tag",
      rawTag,
      version,
      "leave it empty so that the image tag follows appVersion",
    );
  }
  if (typeof image.digest === "string" && image.digest !== "") {
    mismatches.push({
      file: valuesPath,
      field: "image.digest",
      actual: image.digest,
      expected: "",
      message: `${valuesPath}: image.digest is set (${image.digest}): the chart would pull that digest, not the release's image`,
    });
  }
  return {
    tag,
    version,
    chart: metadata.name,
    chartVersion: metadata.version,
    appVersion: metadata.appVersion,
    defaultImageTag,
    mismatches,
  };
}

/** Throws one RELEASE_MISMATCH error naming every mismatch (file and field each). */
export function assertReleaseConsistent(check: ReleaseCheck): ReleaseCheck {
  const [first] = check.mismatches;
  if (first === undefined) return check;
  throw new ReleaseError(
    "RELEASE_MISMATCH",
    `release ${check.tag} does not match the chart (${check.mismatches.length} mismatch(es)):\n  - ${check.mismatches
      .map((m) => m.message)
      .join("\n  - ")}`,
    {
      file: first.file,
      field: first.field,
      fix: `set version and appVersion to ${check.version} in Chart.yaml and leave image.tag empty in values.yaml`,
    },
  );
}
