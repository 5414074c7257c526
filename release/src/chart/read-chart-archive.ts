/**
 * Validates a packaged chart (.tgz) before it is published: the archive's layout (archive-members.ts:
 * one top-level directory, regular files only, no links, no unsafe paths, no duplicates, Helm's
 * size limits enforced while decompressing), then the chart inside it with the same rules as a
 * chart directory: strict Chart.yaml, top-level directory named after the chart, values.yaml,
 * values.schema.json, subcharts and declared dependencies.
 *
 * Layout problems are ARCHIVE_INVALID naming the archive (file) and the member (field); problems of
 * the chart's content are CHART_INVALID naming `<archive>:<member>`.
 */
import { ReleaseError } from "../errors.js";
import type { ChartMetadata } from "../helm-format/chart-metadata.js";
import { type ArchiveMember, readArchiveMembers } from "./archive-members.js";
import { checkChartContent, decodeUtf8, refuseRequirementsFiles } from "./chart-files.js";
import { parseChartYaml } from "./chart-yaml.js";

export interface ChartArchive {
  metadata: ChartMetadata;
  /** Files relative to the chart root, sorted by path (byte order). */
  files: ArchiveMember[];
}

export async function readChartArchive(bytes: Uint8Array, file: string): Promise<ChartArchive> {
  const { top, files } = await readArchiveMembers(bytes, file);
  const chartYaml = files.find((member) => member.path === "Chart.yaml");
  if (chartYaml === undefined) {
    throw new ReleaseError("ARCHIVE_INVALID", `the archive has no ${top}/Chart.yaml, so it is not a chart`, {
      file,
      field: `${top}/Chart.yaml`,
      fix: "package the chart directory (the one with Chart.yaml) with `kube9-release chart package`",
    });
  }
  const locate = (path: string) => `${file}:${top}/${path}`;
  const metadata = parseChartYaml(decodeUtf8(chartYaml.data, locate("Chart.yaml")), locate("Chart.yaml"));
  if (metadata.name !== top) {
    throw new ReleaseError(
      "ARCHIVE_INVALID",
      `the archive's top-level directory is ${JSON.stringify(top)} but the chart is named ${JSON.stringify(metadata.name)}`,
      {
        file,
        field: `${top}/Chart.yaml`,
        fix: `repackage it so that every member is under ${metadata.name}/ (helm and kube9-release chart package do)`,
      },
    );
  }
  refuseRequirementsFiles(files, locate);
  await checkChartContent(files, locate, {
    strict: true,
    chartYamlFile: locate("Chart.yaml"),
    ...(metadata.dependencies === undefined ? {} : { dependencies: metadata.dependencies }),
  });
  return { metadata, files };
}
