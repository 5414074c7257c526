/**
 * The tag is a release's only input: the chart is published with `version` and `appVersion` set
 * from the tag (the committed Chart.yaml holds a development version), and its image tag defaults
 * to appVersion. A release is consistent when the tag is a release tag, the chart loads, and the
 * image the chart renders with default values is the release's own: values.yaml must not pin
 * another tag or a digest. The original project once shipped an image tagged `v2.4.0` while its
 * chart asked for `2.4.0`; this check runs before anything is built so that such a release stops
 * at the start.
 */
import { join } from "node:path";
import yaml from "js-yaml";
import { releaseArtifactHubProblems } from "../artifacthub/chart-check.js";
import { type LoadedChart, loadChartDir } from "../chart/load-chart-dir.js";
import { ReleaseError } from "../errors.js";
import { parseReleaseVersion } from "../image/release-version.js";

export interface Mismatch {
  file: string;
  field: string;
  actual: string | undefined;
  expected: string;
  message: string;
  /** What to do about it, when it is not the image pin's fix. */
  fix?: string;
}

export interface ReleaseCheck {
  tag: string;
  version: string;
  prerelease: boolean;
  chart: string;
  /** The version the chart is published with: the tag's. */
  chartVersion: string;
  /** The appVersion it is published with: the tag's. */
  appVersion: string;
  /** What Chart.yaml holds in the repository (a development version; replaced at publish). */
  committedVersion: string;
  /** The image tag `helm template` renders with default values. */
  defaultImageTag: string | undefined;
  /** The Artifact Hub annotations `chart package --artifacthub` adds for this release. */
  artifactHubAnnotations: Record<string, string>;
  mismatches: Mismatch[];
}

export interface ReleaseCheckOptions {
  /** CHANGELOG.md (text and path): the release's section must exist and parse. */
  changelog?: { text: string; file: string };
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

/**
 * values.yaml's image: its tag empty (so that it follows appVersion) or the release's, and no
 * digest that would pin another image. Adds what is wrong to `mismatches`; returns the image tag
 * the chart renders by default.
 */
function checkImageValues(
  chart: LoadedChart,
  chartDir: string,
  version: string,
  mismatches: Mismatch[],
): string {
  const valuesPath = join(chartDir, "values.yaml");
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
  const valuesFile = chart.files.find((file) => file.path === "values.yaml");
  const values = valuesFile === undefined ? {} : yaml.load(Buffer.from(valuesFile.data).toString("utf8"));
  const image = imageValues(values);
  // The chart's templates render `.Values.image.tag | default .Chart.AppVersion`.
  const rawTag = image.tag === undefined || image.tag === null ? "" : String(image.tag);
  const defaultImageTag = rawTag === "" ? version : rawTag;
  if (rawTag !== "") {
    expect(
      valuesPath,
      "image.tag",
      rawTag,
      version,
      "leave it empty so that the image tag follows appVersion, which the release sets from the tag",
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
  return defaultImageTag;
}

export async function checkRelease(
  tag: string,
  chartDir: string,
  options: ReleaseCheckOptions = {},
): Promise<ReleaseCheck> {
  const version = parseReleaseTag(tag);
  const chart = await loadChartDir(chartDir);
  const mismatches: Mismatch[] = [];
  const defaultImageTag = checkImageValues(chart, chartDir, version, mismatches);
  const { metadata } = chart;
  // The Artifact Hub annotations the release packages: each valid, the image one's tag the
  // default image tag above, the changelog section there when one is asked for.
  const artifactHub = releaseArtifactHubProblems(
    chart,
    version,
    options.changelog === undefined ? {} : { changelog: options.changelog },
  );
  for (const problem of artifactHub.problems) {
    mismatches.push({
      file: problem.file,
      field: problem.field,
      actual: undefined,
      expected: problem.fix,
      message: `${problem.file}: ${problem.field}: ${problem.message}`,
      fix: problem.fix,
    });
  }
  return {
    tag,
    version,
    prerelease: version.includes("-"),
    chart: metadata.name,
    chartVersion: version,
    appVersion: version,
    committedVersion: metadata.version,
    defaultImageTag,
    artifactHubAnnotations: artifactHub.annotations,
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
      fix:
        first.fix ??
        "leave image.tag and image.digest empty in values.yaml: the release sets appVersion from the tag and the image tag follows it",
    },
  );
}
