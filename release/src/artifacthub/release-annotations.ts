/**
 * The Artifact Hub annotations that depend on the release, written into the archive's Chart.yaml
 * by `chart package --artifacthub` (Chart.yaml in the repository holds only those that do not:
 * license, links, operator, category):
 *
 * - `images`: the image the chart runs with default values (values.yaml `image.repository`, tag
 *   `image.tag` or else appVersion), on the platforms every release image is built for;
 * - `prerelease: "true"` when the version has a pre-release part (absent otherwise);
 * - `changes` and `containsSecurityUpdates` when the version's changes are given
 *   (`--changes-from CHANGELOG.md`): true when one of them is of kind security, else false;
 * - `signKey` (fingerprint and URL of the public key) when given: it names a key users fetch, so
 *   it is set from options, never guessed.
 */
import yaml from "js-yaml";
import type { ChartFile } from "../chart/chart-files.js";
import { dumpYaml11Safe } from "../chart/yaml11.js";
import { ReleaseError } from "../errors.js";
import type { ChartMetadata } from "../helm-format/chart-metadata.js";
import { RELEASE_IMAGE_PLATFORMS } from "../image/release-platforms.js";
import { ANNOTATION_PREFIX } from "./annotations.js";
import { type Change, changesForVersion } from "./changelog.js";

export const RELEASE_ANNOTATIONS = [
  "images",
  "prerelease",
  "changes",
  "containsSecurityUpdates",
  "signKey",
].map((name) => `${ANNOTATION_PREFIX}${name}`);

export interface SignKey {
  fingerprint: string;
  url: string;
}

export interface ReleaseAnnotationInput {
  /** The metadata the archive gets (version and appVersion overrides applied). */
  metadata: ChartMetadata;
  files: readonly ChartFile[];
  /** Chart.yaml's path, for messages. */
  chartYamlPath: string;
  changes?: readonly Change[];
  signKey?: SignKey;
}

export interface DefaultImage {
  repository: string;
  /** The reference the chart renders: repository:tag, or repository@digest when a digest is set. */
  reference: string;
  tag: string;
}

/** The image the chart's templates render with default values (`image.tag | default .Chart.AppVersion`). */
export function defaultImage(
  files: readonly ChartFile[],
  appVersion: string | undefined,
): DefaultImage | undefined {
  const valuesFile = files.find((file) => file.path === "values.yaml");
  if (valuesFile === undefined) return undefined;
  let values: unknown;
  try {
    values = yaml.load(Buffer.from(valuesFile.data).toString("utf8"));
  } catch {
    return undefined;
  }
  const image = (values as { image?: unknown } | null)?.image;
  if (typeof image !== "object" || image === null) return undefined;
  const { repository, tag, digest } = image as { repository?: unknown; tag?: unknown; digest?: unknown };
  if (typeof repository !== "string" || repository === "") return undefined;
  const chosenTag = tag === undefined || tag === null || tag === "" ? appVersion : String(tag);
  if (chosenTag === undefined) return undefined;
  const reference =
    typeof digest === "string" && digest !== "" ? `${repository}@${digest}` : `${repository}:${chosenTag}`;
  return { repository, reference, tag: chosenTag };
}

export function releaseAnnotations(input: ReleaseAnnotationInput): Record<string, string> {
  const { metadata, chartYamlPath } = input;
  const committed = RELEASE_ANNOTATIONS.filter((key) => metadata.annotations?.[key] !== undefined);
  if (committed.length > 0) {
    throw new ReleaseError(
      "CHART_INVALID",
      `${committed.join(", ")} depend${committed.length === 1 ? "s" : ""} on the release and are set when packaging with --artifacthub`,
      {
        file: chartYamlPath,
        field: `annotations["${committed[0]}"]`,
        fix: "remove them from Chart.yaml (docs/release-chart.md#artifact-hub lists what the release sets)",
      },
    );
  }
  const image = defaultImage(input.files, metadata.appVersion);
  if (image === undefined) {
    throw new ReleaseError(
      "CHART_INVALID",
      "the chart has no default image for the artifacthub.io/images annotation",
      {
        file: chartYamlPath.replace(/Chart\.yaml$/, "values.yaml"),
        field: "image.repository",
        fix: "set image.repository in values.yaml (and appVersion in Chart.yaml, or --app-version)",
      },
    );
  }
  const annotations: Record<string, string> = {
    [`${ANNOTATION_PREFIX}images`]: dumpYaml11Safe([
      {
        name: image.repository.split("/").at(-1),
        image: image.reference,
        platforms: [...RELEASE_IMAGE_PLATFORMS],
      },
    ]),
  };
  if (metadata.version.includes("-")) annotations[`${ANNOTATION_PREFIX}prerelease`] = "true";
  if (input.changes !== undefined) {
    annotations[`${ANNOTATION_PREFIX}changes`] = dumpYaml11Safe(input.changes);
    annotations[`${ANNOTATION_PREFIX}containsSecurityUpdates`] = String(
      input.changes.some((change) => change.kind === "security"),
    );
  }
  if (input.signKey !== undefined) annotations[`${ANNOTATION_PREFIX}signKey`] = dumpYaml11Safe(input.signKey);
  return annotations;
}

export interface ArtifactHubRequest {
  /** CHANGELOG.md's text and path: the packaged version's section becomes `changes`. */
  changelog?: { text: string; file: string };
  signKey?: SignKey;
}

export interface ArtifactHubAnnotator {
  annotate: (metadata: ChartMetadata) => Record<string, string>;
  /** The changelog section the changes came from, once `annotate` ran with a changelog. */
  changesSection: () => string | undefined;
}

/** `annotate` for packageChart: the release annotations of the version being packaged. */
export function artifactHubAnnotator(
  chart: { files: readonly ChartFile[]; chartYamlPath: string },
  request: ArtifactHubRequest,
): ArtifactHubAnnotator {
  let section: string | undefined;
  return {
    annotate: (metadata) => {
      const changes =
        request.changelog === undefined
          ? undefined
          : changesForVersion(request.changelog.text, metadata.version, request.changelog.file);
      section = changes?.section;
      return releaseAnnotations({
        metadata,
        files: chart.files,
        chartYamlPath: chart.chartYamlPath,
        ...(changes === undefined ? {} : { changes: changes.changes }),
        ...(request.signKey === undefined ? {} : { signKey: request.signKey }),
      });
    },
    changesSection: () => section,
  };
}
