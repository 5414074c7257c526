import { describe, expect, it } from "vitest";
import { parseChartYaml } from "../../src/chart/chart-yaml.js";
import { parseSubchartYaml } from "../../src/chart/subchart-yaml.js";
import {
  CHART_METADATA_RULES,
  type MetadataRule,
  metadataViolation,
  type Strictness,
} from "../../src/helm-format/chart-metadata-rules.js";
import { parseIndex } from "../../src/repo/parse/parse-index.js";

const LEVELS: Strictness[] = ["chart", "subchart", "entry"];

function refusal(work: () => unknown): { code?: string; field?: string; message: string; fix?: string } {
  try {
    work();
  } catch (error) {
    return error as { code?: string; field?: string; message: string; fix?: string };
  }
  throw new Error("expected a refusal");
}

const chartYaml = (type: string) => `apiVersion: v2\nname: demo\nversion: 1.0.0\ntype: ${type}\n`;
const indexYaml = (type: string) =>
  new TextEncoder().encode(
    `apiVersion: v1\nentries:\n  demo:\n  - name: demo\n    version: 1.0.0\n    type: ${type}\ngenerated: "2026-01-01T00:00:00Z"\n`,
  );

describe("the chart metadata rule table", () => {
  it("has a text for at least one strictness in every row", () => {
    for (const rule of CHART_METADATA_RULES) {
      expect(LEVELS.filter((level) => rule.says[level] !== undefined).length).toBeGreaterThan(0);
    }
  });

  it("is what the three parsers apply: one row, three strictnesses, three texts", () => {
    const at = (level: Strictness) =>
      metadataViolation("type", { value: "operator", field: "type" }, level)?.message;
    expect(refusal(() => parseChartYaml(chartYaml("operator"), "Chart.yaml")).message).toBe(at("chart"));
    expect(refusal(() => parseSubchartYaml(chartYaml("operator"), "charts/x/Chart.yaml")).message).toBe(
      at("subchart"),
    );
    expect(refusal(() => parseIndex(indexYaml("operator"), "index.yaml")).message).toBe(at("entry"));
    expect(new Set(LEVELS.map(at)).size).toBe(3);
  });

  it("applies each strictness's own rows: a leading v is refused in our chart only", () => {
    const subject = { value: "v1.2.3", field: "version" };
    expect(metadataViolation("version", subject, "chart")?.message).toContain(
      "chart versions are plain SemVer",
    );
    expect(metadataViolation("version", subject, "subchart")).toBeUndefined();
    expect(metadataViolation("version", subject, "entry")).toBeUndefined();
  });

  it("judges an absent value only in rows that ask for it", () => {
    expect(metadataViolation("type", { value: "", field: "type" }, "chart")).toBeUndefined();
    expect(metadataViolation("name", { value: "", field: "name" }, "subchart")?.message).toBe(
      "the subchart has no name",
    );
  });

  it("takes a new rule as one row, reported at the strictnesses it names", () => {
    const noUnderscore: MetadataRule = {
      field: "name",
      breaks: ({ value }) => value.includes("_"),
      says: { chart: ({ value }) => ({ message: `name ${value} has an underscore`, fix: "use a dash" }) },
    };
    const rules = [...CHART_METADATA_RULES, noUnderscore];
    const subject = { value: "my_chart", field: "name" };
    expect(metadataViolation("name", subject, "chart", rules)).toEqual({
      message: "name my_chart has an underscore",
      fix: "use a dash",
    });
    expect(metadataViolation("name", subject, "entry", rules)).toBeUndefined();
    expect(metadataViolation("name", subject, "chart")).toBeUndefined();
  });
});
