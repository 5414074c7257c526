import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseChartYaml, parseChartYamlDetailed } from "../../src/chart/chart-yaml.js";
import { emitChartYaml } from "../../src/chart/emit-chart-yaml.js";
import { fixture, rejection } from "./helpers.js";

const FILE = "/charts/demo/Chart.yaml";
const BASE = "apiVersion: v2\nname: demo\nversion: 1.2.3\n";

interface BadCase {
  title: string;
  yaml: string;
  /** The field the error names; undefined for errors about the whole file. */
  field: string | undefined;
  message?: RegExp;
  fix?: RegExp;
}

const bad: BadCase[] = [
  {
    title: "unparsable YAML",
    yaml: "apiVersion: v2\nname: [demo\n",
    field: undefined,
    message: /not valid YAML/,
  },
  {
    title: "a list instead of a mapping",
    yaml: "- apiVersion\n- v2\n",
    field: undefined,
    message: /mapping/,
  },
  { title: "a duplicated key", yaml: `${BASE}name: other\n`, field: undefined, message: /not valid YAML/ },
  { title: "two YAML documents", yaml: `${BASE}---\n${BASE}`, field: undefined, message: /not valid YAML/ },
  {
    title: "apiVersion missing",
    yaml: "name: demo\nversion: 1.2.3\n",
    field: "apiVersion",
    message: /required/,
  },
  {
    title: "apiVersion v1",
    yaml: BASE.replace("v2", "v1"),
    field: "apiVersion",
    message: /only apiVersion v2/,
    fix: /apiVersion: v2/,
  },
  { title: "apiVersion v3", yaml: BASE.replace("v2", "v3"), field: "apiVersion", message: /not v2/ },
  { title: "name missing", yaml: "apiVersion: v2\nversion: 1.2.3\n", field: "name", message: /required/ },
  {
    title: "name with a slash",
    yaml: BASE.replace("name: demo", "name: team/demo"),
    field: "name",
    message: /\/ or \\/,
  },
  {
    title: "name with a backslash",
    yaml: BASE.replace("name: demo", "name: 'team\\demo'"),
    field: "name",
    message: /\/ or \\/,
  },
  { title: "name .", yaml: BASE.replace("name: demo", 'name: "."'), field: "name", message: /not allowed/ },
  { title: "name ..", yaml: BASE.replace("name: demo", 'name: ".."'), field: "name", message: /not allowed/ },
  {
    title: "name with a space",
    yaml: BASE.replace("name: demo", "name: my chart"),
    field: "name",
    message: /letters, digits/,
  },
  { title: "version missing", yaml: "apiVersion: v2\nname: demo\n", field: "version", message: /required/ },
  {
    title: "version with a v",
    yaml: BASE.replace("1.2.3", "v1.2.3"),
    field: "version",
    message: /starts with "v"/,
    fix: /"1\.2\.3"/,
  },
  {
    title: "version with +build metadata",
    yaml: BASE.replace("1.2.3", "1.2.3+build.7"),
    field: "version",
    message: /\+build metadata/,
    fix: /"1\.2\.3"/,
  },
  {
    title: "version not SemVer (two parts, quoted)",
    yaml: BASE.replace("1.2.3", '"1.2"'),
    field: "version",
    message: /not a SemVer 2/,
  },
  {
    title: "version with a leading zero",
    yaml: BASE.replace("1.2.3", "01.2.3"),
    field: "version",
    message: /not a SemVer 2/,
  },
  {
    title: "version with a leading-zero pre-release",
    yaml: BASE.replace("1.2.3", "1.2.3-rc.01"),
    field: "version",
    message: /not a SemVer 2/,
  },
  {
    title: "version a YAML number",
    yaml: BASE.replace("1.2.3", "1.2"),
    field: "version",
    message: /must be a string/,
    fix: /quote it: version: "1\.2"/,
  },
  {
    title: "appVersion 1.0 read as a number",
    yaml: `${BASE}appVersion: 1.0\n`,
    field: "appVersion",
    message: /number 1\b/,
    fix: /quote it: appVersion: "1\.0"/,
  },
  {
    title: "appVersion yes read as a YAML 1.1 boolean",
    yaml: `${BASE}appVersion: yes\n`,
    field: "appVersion",
    message: /boolean/,
    fix: /quote it/,
  },
  {
    title: "appVersion 1_000 read as a YAML 1.1 number",
    yaml: `${BASE}appVersion: 1_000\n`,
    field: "appVersion",
    message: /number/,
  },
  {
    title: "appVersion a date",
    yaml: `${BASE}appVersion: 2024-01-31\n`,
    field: "appVersion",
    message: /a date/,
  },
  {
    title: "description a list",
    yaml: `${BASE}description: [a, b]\n`,
    field: "description",
    message: /must be a string/,
  },
  { title: "type plugin", yaml: `${BASE}type: plugin\n`, field: "type", message: /not a chart type/ },
  {
    title: "kubeVersion not a constraint",
    yaml: `${BASE}kubeVersion: ">= banana"\n`,
    field: "kubeVersion",
    message: /constraint/,
  },
  {
    title: "deprecated quoted",
    yaml: `${BASE}deprecated: "yes"\n`,
    field: "deprecated",
    message: /true or false/,
  },
  {
    title: "keywords item a number",
    yaml: `${BASE}keywords: [a, 2]\n`,
    field: "keywords[1]",
    message: /must be a string/,
  },
  {
    title: "sources item not a URL",
    yaml: `${BASE}sources: [not a url]\n`,
    field: "sources[0]",
    message: /absolute URL/,
  },
  { title: "icon not a URL", yaml: `${BASE}icon: icon.png\n`, field: "icon", message: /absolute URL/ },
  {
    title: "annotations a list",
    yaml: `${BASE}annotations: [a]\n`,
    field: "annotations",
    message: /mapping/,
  },
  {
    title: "annotation value a number",
    yaml: `${BASE}annotations:\n  example.com/n: 1.0\n`,
    field: "annotations.example.com/n",
    message: /must be a string/,
  },
  {
    title: "maintainers not a list",
    yaml: `${BASE}maintainers: someone\n`,
    field: "maintainers",
    message: /must be a list/,
  },
  {
    title: "maintainer without a name",
    yaml: `${BASE}maintainers:\n  - email: a@example.com\n`,
    field: "maintainers[0].name",
    message: /needs a name/,
  },
  {
    title: "maintainer entry empty",
    yaml: `${BASE}maintainers:\n  -\n`,
    field: "maintainers[0]",
    message: /empty/,
  },
  {
    title: "maintainer email not an address",
    yaml: `${BASE}maintainers:\n  - name: a\n    email: nobody\n`,
    field: "maintainers[0].email",
    message: /email/,
  },
  {
    title: "dependency entry empty",
    yaml: `${BASE}dependencies:\n  -\n`,
    field: "dependencies[0]",
    message: /empty/,
  },
  {
    title: "dependency without a name",
    yaml: `${BASE}dependencies:\n  - version: 1.0.0\n`,
    field: "dependencies[0].name",
    message: /needs a name/,
  },
  {
    title: "dependencies with the same name",
    yaml: `${BASE}dependencies:\n  - name: redis\n  - name: redis\n`,
    field: "dependencies[1]",
    message: /"redis"/,
    fix: /alias/,
  },
  {
    title: "an alias equal to another dependency's name",
    yaml: `${BASE}dependencies:\n  - name: redis\n    alias: cache\n  - name: cache\n`,
    field: "dependencies[1]",
    message: /"cache"/,
  },
  {
    title: "an alias with a dot",
    yaml: `${BASE}dependencies:\n  - name: redis\n    alias: my.cache\n`,
    field: "dependencies[0].alias",
    message: /alias/,
  },
  {
    title: "a dependency version that is no range",
    yaml: `${BASE}dependencies:\n  - name: redis\n    version: latest\n`,
    field: "dependencies[0].version",
  },
  {
    title: "dependency tags not a list",
    yaml: `${BASE}dependencies:\n  - name: redis\n    tags: cache\n`,
    field: "dependencies[0].tags",
    message: /list/,
  },
];

describe("parseChartYaml refuses", () => {
  it.each(bad)("$title", async ({ yaml, field, message, fix }) => {
    const error = await rejection(() => parseChartYaml(yaml, FILE));
    expect(error.code).toBe("CHART_INVALID");
    expect(error.file).toBe(FILE);
    expect(error.field).toBe(field);
    if (message !== undefined) expect(error.message).toMatch(message);
    if (fix !== undefined) expect(error.fix).toMatch(fix);
    expect(error.fix).toBeTruthy();
  });
});

describe("parseChartYaml accepts", () => {
  it("reads the fixture chart, sanitizing like Helm and dropping unknown keys", async () => {
    const file = join(fixture("with-subchart"), "Chart.yaml");
    const { metadata, unknownKeys } = parseChartYamlDetailed(await readFile(file, "utf8"), file);
    expect(metadata).toEqual({
      apiVersion: "v2",
      name: "fixture-app",
      version: "0.3.1",
      // Helm's sanitizeString turns the newlines of the literal block into spaces.
      description: "A fixture chart used by the packaging tests. ",
      type: "application",
      appVersion: "1.10",
      kubeVersion: ">=1.25.0-0",
      home: "https://example.com/fixture-app",
      sources: ["https://example.com/fixture-app/source"],
      keywords: ["fixture", "test"],
      maintainers: [{ name: "Fixture Team", email: "team@example.com", url: "https://example.com/team" }],
      icon: "https://example.com/icon.png",
      annotations: { "example.com/flag": "true", "example.com/version": "1.0" },
      dependencies: [
        {
          name: "backend",
          version: "0.1.0",
          repository: "file://charts/backend",
          condition: "backend.enabled",
        },
      ],
    });
    expect(unknownKeys).toEqual(["x-internal-note"]);
  });

  it("reports unknown keys inside maintainers and dependencies by path", () => {
    const yaml = `${BASE}maintainers:\n  - name: a\n    github: a\ndependencies:\n  - name: redis\n    note: x\nextra: 1\n`;
    const { metadata, unknownKeys } = parseChartYamlDetailed(yaml, FILE);
    expect(unknownKeys).toEqual(["extra", "maintainers[0].github", "dependencies[0].note"]);
    expect(metadata.maintainers).toEqual([{ name: "a" }]);
    expect(metadata.dependencies).toEqual([{ name: "redis" }]);
  });

  it("leaves out empty values, as Helm's omitempty does", () => {
    const yaml = `${BASE}icon: ""\nkeywords: []\ndeprecated: false\nappVersion:\nannotations: {}\ntype: ""\n`;
    expect(parseChartYaml(yaml, FILE)).toEqual({ apiVersion: "v2", name: "demo", version: "1.2.3" });
  });

  it("keeps quoted values that YAML would otherwise read as numbers or booleans", () => {
    const yaml = `${BASE}appVersion: "1.0"\ndescription: "yes"\ndeprecated: true\nannotations:\n  a: "on"\n`;
    expect(parseChartYaml(yaml, FILE)).toMatchObject({
      appVersion: "1.0",
      description: "yes",
      deprecated: true,
      annotations: { a: "on" },
    });
  });

  it("replaces white space with spaces and drops non-printable characters, like Helm", () => {
    const yaml = `${BASE}description: "tab\\there\\u0007bell\\u00a0nbsp"\n`;
    expect(parseChartYaml(yaml, FILE).description).toBe("tab herebell nbsp");
  });

  it.each(["1.0.0", "0.0.0", "1.2.3-rc.1", "1.2.3-0.alpha-1", "10.20.30-x.7.z.92"])(
    "version %s",
    (version) => {
      expect(parseChartYaml(BASE.replace("1.2.3", version), FILE).version).toBe(version);
    },
  );

  it.each([">=1.25.0-0", ">= 1.21.0 < 1.30.0", "^1.26 || ~2.0", "1.20 - 1.29", ">=1.2.3, <2.0.0", "*"])(
    "kubeVersion %s",
    (kubeVersion) => {
      expect(parseChartYaml(`${BASE}kubeVersion: "${kubeVersion}"\n`, FILE).kubeVersion).toBe(kubeVersion);
    },
  );

  it("accepts dependencies that differ by alias, with import-values and tags", () => {
    const yaml = `${BASE}dependencies:\n  - name: redis\n    alias: cache\n    tags: [db]\n    enabled: true\n    import-values: [data, {child: a, parent: b}]\n  - name: redis\n    alias: queue\n`;
    expect(parseChartYaml(yaml, FILE).dependencies).toEqual([
      {
        name: "redis",
        alias: "cache",
        tags: ["db"],
        enabled: true,
        "import-values": ["data", { child: "a", parent: "b" }],
      },
      { name: "redis", alias: "queue" },
    ]);
  });
});

describe("emitChartYaml", () => {
  it("writes known fields only, sorted, and parses back to the same metadata", async () => {
    const file = join(fixture("with-subchart"), "Chart.yaml");
    const metadata = parseChartYaml(await readFile(file, "utf8"), file);
    const text = emitChartYaml(metadata);
    expect(text).not.toContain("x-internal-note");
    expect(text).not.toContain("#");
    const topKeys = text
      .split("\n")
      .filter((line) => /^[a-zA-Z]/.test(line))
      .map((line) => line.split(":")[0]);
    expect(topKeys).toEqual([...topKeys].sort());
    expect(parseChartYaml(text, "emitted")).toEqual(metadata);
  });

  it.each([
    "1.0",
    "1.10",
    "yes",
    "no",
    "on",
    "off",
    "y",
    "N",
    "true",
    "null",
    "~",
    "1_000",
    "0123",
    "1e3",
    "0x1F",
    "1:20",
    ".inf",
    "2024-01-31",
    "",
  ])("quotes the string %j, which YAML 1.1 would read as something else", (value) => {
    const text = emitChartYaml({
      apiVersion: "v2",
      name: "demo",
      version: "1.2.3",
      annotations: { v: value },
    });
    expect(text).toMatch(new RegExp(`^  v: (['"])${value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\1$`, "m"));
    expect(parseChartYaml(text, "emitted").annotations).toEqual({ v: value });
  });

  it("writes name and repository for every dependency, as Helm does", () => {
    const text = emitChartYaml({
      apiVersion: "v2",
      name: "demo",
      version: "1.2.3",
      dependencies: [{ name: "redis", version: "1.0.0" }],
    });
    expect(text).toContain("dependencies:\n  - name: redis\n    repository: ''\n    version: 1.0.0\n");
  });
});
