/**
 * Checks on a chart's files that Helm's loader makes when it loads a chart from a directory or an
 * archive (pkg/chart/v2/loader load.go LoadFiles), shared by `loadChartDir` and
 * `readChartArchive`: values.yaml parses as mappings, values.schema.json is JSON, every entry under
 * charts/ is a loadable subchart, and `helm package`'s check that each dependency listed in
 * Chart.yaml is present in charts/.
 */
import yaml from "js-yaml";
import { ReleaseError } from "../errors.js";
import { readArchiveMembers } from "./archive-members.js";
import { parseSubchartYaml } from "./subchart-yaml.js";
import { chartInvalid, isMap } from "./yaml-fields.js";

export interface ChartFile {
  /** Posix path relative to the chart root. */
  path: string;
  data: Uint8Array;
}

/** Names a chart-relative path in errors (a file path, or `archive.tgz:chart/path`). */
export type Locate = (path: string) => string;

export function decodeUtf8(data: Uint8Array, file: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(data);
  } catch (error) {
    throw new ReleaseError("CHART_INVALID", "the file is not UTF-8 text", {
      file,
      fix: "save the file as UTF-8",
      cause: error,
    });
  }
}

function checkValues(data: Uint8Array, file: string, strict: boolean): void {
  let documents: unknown[];
  try {
    // Helm keeps the last of duplicated keys silently; our own chart must not have any, subcharts may.
    documents = yaml.loadAll(decodeUtf8(data, file), null, { filename: file, json: !strict });
  } catch (error) {
    if (error instanceof ReleaseError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new ReleaseError("CHART_INVALID", `values.yaml is not valid YAML: ${reason}`, {
      file,
      fix: "fix the YAML syntax of values.yaml (a duplicated key is an error here: Helm would silently keep only the last one)",
      cause: error,
    });
  }
  documents.forEach((document, index) => {
    if (document !== null && document !== undefined && !isMap(document)) {
      throw chartInvalid(
        file,
        documents.length > 1 ? `document ${index + 1}` : undefined,
        "values.yaml must be a mapping of values",
        'write values as "key: value" lines',
      );
    }
  });
}

function checkSchema(data: Uint8Array, file: string): void {
  try {
    JSON.parse(decodeUtf8(data, file).replace(/^\uFEFF/, ""));
  } catch (error) {
    if (error instanceof ReleaseError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new ReleaseError("CHART_INVALID", `values.schema.json is not valid JSON: ${reason}`, {
      file,
      fix: "fix the JSON syntax of values.schema.json",
      cause: error,
    });
  }
}

async function loadSubchart(group: string, files: ChartFile[], locate: Locate): Promise<string> {
  if (group.endsWith(".tgz")) {
    const [archive] = files;
    if (files.length !== 1 || archive === undefined || archive.path !== `charts/${group}`) {
      throw chartInvalid(
        locate(`charts/${group}`),
        undefined,
        `charts/${group} must be a packaged subchart file`,
        "rename the directory or replace it with the packaged chart",
      );
    }
    const members = await readArchiveMembers(archive.data, locate(archive.path));
    const inner: Locate = (path) => `${locate(archive.path)}:${members.top}/${path}`;
    return checkSubchart(members.files, inner, `${locate(archive.path)}`);
  }
  const inside = files
    .filter((file) => file.path.startsWith(`charts/${group}/`))
    .map((file) => ({ path: file.path.slice(`charts/${group}/`.length), data: file.data }));
  const inner: Locate = (path) => locate(`charts/${group}/${path}`);
  return checkSubchart(inside, inner, locate(`charts/${group}`));
}

async function checkSubchart(files: ChartFile[], locate: Locate, where: string): Promise<string> {
  const chartYaml = files.find((file) => file.path === "Chart.yaml");
  if (chartYaml === undefined) {
    throw chartInvalid(
      where,
      undefined,
      "this entry under charts/ is not a chart: it has no Chart.yaml, so Helm refuses to load the parent chart",
      "remove it from charts/ (or rename it to start with _ to keep it out of the chart), or run helm dependency build",
    );
  }
  const identity = parseSubchartYaml(decodeUtf8(chartYaml.data, locate("Chart.yaml")), locate("Chart.yaml"));
  await checkChartContent(files, locate);
  return identity.name;
}

/** Subchart groups under charts/ as Helm forms them; returns the names of the subcharts found. */
async function checkSubcharts(files: readonly ChartFile[], locate: Locate): Promise<string[]> {
  const groups = new Map<string, ChartFile[]>();
  for (const file of files) {
    if (!file.path.startsWith("charts/") || file.path.endsWith(".prov")) continue;
    const group = file.path.slice("charts/".length).split("/")[0] as string;
    if (group.startsWith("_") || group.startsWith(".")) continue; // Helm skips these
    groups.set(group, [...(groups.get(group) ?? []), file]);
  }
  const names: string[] = [];
  for (const [group, members] of [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    names.push(await loadSubchart(group, members, locate));
  }
  return names;
}

export interface ContentOptions {
  /** Our own chart (not a subchart): duplicated keys in values.yaml are refused. */
  strict?: boolean;
  /** Dependencies declared in Chart.yaml: each must be present in charts/, as `helm package` checks. */
  dependencies?: ReadonlyArray<{ name: string }>;
  /** Where Chart.yaml is, for errors about its dependencies. */
  chartYamlFile?: string;
}

export async function checkChartContent(
  files: readonly ChartFile[],
  locate: Locate,
  options: ContentOptions = {},
): Promise<void> {
  for (const file of files) {
    if (file.path === "values.yaml") checkValues(file.data, locate(file.path), options.strict === true);
    if (file.path === "values.schema.json") checkSchema(file.data, locate(file.path));
  }
  const subcharts = await checkSubcharts(files, locate);
  options.dependencies?.forEach((dependency, index) => {
    if (!subcharts.includes(dependency.name)) {
      throw chartInvalid(
        options.chartYamlFile ?? locate("Chart.yaml"),
        `dependencies[${index}]`,
        `dependency ${JSON.stringify(dependency.name)} is declared in Chart.yaml but missing from charts/`,
        "run `helm dependency build` before packaging (helm package refuses this too)",
      );
    }
  });
}

/** Helm 2 dependency files: Helm silently merges them into a v2 chart's metadata, so they are refused. */
export function refuseRequirementsFiles(files: readonly ChartFile[], locate: Locate): void {
  for (const name of ["requirements.yaml", "requirements.lock"]) {
    if (files.some((file) => file.path === name)) {
      throw chartInvalid(
        locate(name),
        undefined,
        `${name} is a Helm 2 file; in an apiVersion v2 chart Helm mixes its dependencies into Chart.yaml behind your back`,
        "move its dependencies into Chart.yaml (and requirements.lock into Chart.lock), then delete it",
      );
    }
  }
}
