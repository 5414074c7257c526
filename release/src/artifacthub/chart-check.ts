/**
 * A chart's Artifact Hub annotations checked before it is published: each in Artifact Hub's format
 * (annotations.ts), and the ones that describe the chart telling the truth about it: the image
 * listed for the chart's image repository is the one the chart runs with default values (tag =
 * appVersion unless values.yaml pins one), and `prerelease` says what the version says. A chart
 * without `artifacthub.io/*` annotations passes untouched.
 */
import yaml from "js-yaml";
import type { ChartFile } from "../chart/chart-files.js";
import type { LoadedChart } from "../chart/load-chart-dir.js";
import { YAML11_SCHEMA } from "../chart/yaml11.js";
import { ReleaseError } from "../errors.js";
import type { ChartMetadata } from "../helm-format/chart-metadata.js";
import { ANNOTATION_PREFIX, artifactHubAnnotationProblems, parseImage } from "./annotations.js";
import { isMapping, type MetadataProblem, metadataError, Problems } from "./problems.js";
import { type ArtifactHubRequest, artifactHubAnnotator, defaultImage } from "./release-annotations.js";

export function artifactHubChartProblems(
  metadata: ChartMetadata,
  files: readonly ChartFile[],
  file: string,
): MetadataProblem[] {
  const format = artifactHubAnnotationProblems(metadata.annotations, { file, chartName: metadata.name });
  const problems = new Problems(file);
  const annotations = metadata.annotations ?? {};
  const imagesKey = `${ANNOTATION_PREFIX}images`;
  const prereleaseKey = `${ANNOTATION_PREFIX}prerelease`;
  const broken = new Set(format.map((p) => p.field.split("]")[0]));

  const images = annotations[imagesKey];
  const expected = defaultImage(files, metadata.appVersion);
  if (images !== undefined && expected !== undefined && !broken.has(`annotations["${imagesKey}"`)) {
    const listed = (yaml.load(images, { schema: YAML11_SCHEMA }) as unknown[]).filter(isMapping);
    const ours = listed.find((item) => parseImage(String(item.image))?.repository === expected.repository);
    const field = `annotations["${imagesKey}"]`;
    if (ours === undefined) {
      problems.add(
        field,
        `does not list ${expected.repository}, the image the chart runs`,
        `list image: ${expected.reference} (chart package --artifacthub writes it)`,
      );
    } else if (ours.image !== expected.reference) {
      problems.add(
        `${field}.image`,
        `is ${String(ours.image)}, but the chart runs ${expected.reference} with default values (appVersion ${metadata.appVersion ?? "unset"})`,
        "make the annotation's tag the appVersion: package with --artifacthub instead of writing the annotation by hand",
      );
    }
  }

  const prerelease = annotations[prereleaseKey];
  if (prerelease !== undefined && !broken.has(`annotations["${prereleaseKey}"`)) {
    const says = ["1", "t", "T", "TRUE", "true", "True"].includes(prerelease);
    const is = metadata.version.includes("-");
    if (says !== is) {
      problems.add(
        `annotations["${prereleaseKey}"]`,
        `is "${prerelease}", but version ${metadata.version} is ${is ? "" : "not "}a pre-release`,
        is ? 'set it to "true"' : "leave it out for a release (chart package --artifacthub does)",
      );
    }
  }
  return [...format, ...problems.list];
}

/** Throws one CHART_INVALID error naming every problem. */
export function assertArtifactHubChart(
  metadata: ChartMetadata,
  files: readonly ChartFile[],
  file: string,
): void {
  const error = metadataError(
    artifactHubChartProblems(metadata, files, file),
    `the annotations of ${metadata.name} ${metadata.version}`,
  );
  if (error !== undefined) throw error;
}

/**
 * For `release check`: the annotations `chart package --artifacthub` will write for `version`
 * (version and appVersion from the tag), and every problem of the chart it would package.
 */
export function releaseArtifactHubProblems(
  chart: LoadedChart,
  version: string,
  request: ArtifactHubRequest,
): { annotations: Record<string, string>; problems: MetadataProblem[] } {
  const metadata: ChartMetadata = { ...chart.metadata, version, appVersion: version };
  try {
    const annotations = artifactHubAnnotator(chart, request).annotate(metadata);
    const packaged = { ...metadata, annotations: { ...metadata.annotations, ...annotations } };
    return { annotations, problems: artifactHubChartProblems(packaged, chart.files, chart.chartYamlPath) };
  } catch (error) {
    if (!(error instanceof ReleaseError)) throw error;
    const refused: MetadataProblem = {
      file: error.file ?? chart.chartYamlPath,
      field: error.field ?? "",
      message: error.message,
      fix: error.fix ?? "",
    };
    return {
      annotations: {},
      problems: [refused, ...artifactHubChartProblems(metadata, chart.files, chart.chartYamlPath)],
    };
  }
}
