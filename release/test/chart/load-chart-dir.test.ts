import { execFileSync } from "node:child_process";
import { mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MAX_FILE_BYTES } from "../../src/chart/limits.js";
import { loadChartDir } from "../../src/chart/load-chart-dir.js";
import { packageChart } from "../../src/chart/package-chart.js";
import { copyFixture, fixture, rejection, tempDir } from "./helpers.js";

const MINIMAL_CHART_YAML = "apiVersion: v2\nname: demo\nversion: 1.0.0\n";

async function chartWith(files: Record<string, string | Uint8Array>): Promise<string> {
  const dir = join(await tempDir(), "demo");
  for (const [path, data] of Object.entries({ "Chart.yaml": MINIMAL_CHART_YAML, ...files })) {
    await mkdir(join(dir, path, ".."), { recursive: true });
    await writeFile(join(dir, path), data);
  }
  return dir;
}

describe("loadChartDir on the fixture chart", () => {
  it("keeps what .helmignore keeps, subchart included, sorted by path", async () => {
    const chart = await loadChartDir(fixture("with-subchart"));
    expect(chart.files.map((file) => file.path)).toEqual([
      ".helmignore",
      "Chart.yaml",
      "README.md",
      "charts/backend/Chart.yaml",
      "charts/backend/templates/service.yaml",
      "charts/backend/values.yaml",
      "files/a-rather-long-directory-name-to-exercise-ustar-prefix-splitting/another-fairly-long-subdirectory-name/data.txt",
      "files/config.txt",
      "templates/NOTES.txt",
      "templates/_helpers.tpl",
      "templates/configmap.yaml",
      "templates/deployment.yaml",
      "templates/extra/service.yaml",
      "values.schema.json",
      "values.yaml",
    ]);
    expect(chart.chartYamlPath).toBe(join(fixture("with-subchart"), "Chart.yaml"));
    expect(chart.metadata.name).toBe("fixture-app");
    expect(chart.warnings).toHaveLength(1);
    expect(chart.warnings[0]).toContain("x-internal-note");
  });
});

describe("loadChartDir and symbolic links", () => {
  it("follows a link to a file inside the chart and stores the content under the link's path", async () => {
    const dir = await chartWith({ "files/real.txt": "shared\n" });
    await mkdir(join(dir, "templates"), { recursive: true });
    await symlink("../files/real.txt", join(dir, "templates", "linked.txt"));
    const chart = await loadChartDir(dir);
    const linked = chart.files.find((file) => file.path === "templates/linked.txt");
    expect(new TextDecoder().decode(linked?.data)).toBe("shared\n");
  });

  it("follows a link to a directory inside the chart", async () => {
    const dir = await chartWith({ "files/conf/a.txt": "a" });
    await symlink("files/conf", join(dir, "conf"));
    const chart = await loadChartDir(dir);
    expect(chart.files.map((file) => file.path)).toContain("conf/a.txt");
  });

  it("refuses a link that leads outside the chart", async () => {
    const outside = join(await tempDir(), "secret.txt");
    await writeFile(outside, "host secret");
    const dir = await chartWith({});
    await symlink(outside, join(dir, "leak.txt"));
    const error = await rejection(loadChartDir(dir));
    expect(error.code).toBe("CHART_INVALID");
    expect(error.file).toBe(join(dir, "leak.txt"));
    expect(error.message).toMatch(/outside the chart/);
  });

  it("refuses a relative link that climbs out with ..", async () => {
    const parent = await tempDir();
    await writeFile(join(parent, "neighbour.txt"), "x");
    const dir = join(parent, "demo");
    await mkdir(dir);
    await writeFile(join(dir, "Chart.yaml"), MINIMAL_CHART_YAML);
    await symlink("../neighbour.txt", join(dir, "n.txt"));
    expect((await rejection(loadChartDir(dir))).message).toMatch(/outside the chart/);
  });

  it("accepts a link outside the chart when .helmignore ignores it", async () => {
    const outside = join(await tempDir(), "secret.txt");
    await writeFile(outside, "host secret");
    const dir = await chartWith({ ".helmignore": "leak.txt\n" });
    await symlink(outside, join(dir, "leak.txt"));
    const chart = await loadChartDir(dir);
    expect(chart.files.map((file) => file.path)).toEqual([".helmignore", "Chart.yaml"]);
  });

  it("refuses a dangling link and a loop", async () => {
    const dangling = await chartWith({});
    await symlink("missing.txt", join(dangling, "gone.txt"));
    expect((await rejection(loadChartDir(dangling))).message).toMatch(/points to nothing/);

    const looping = await chartWith({ "files/a.txt": "a" });
    await symlink("..", join(looping, "files", "up"));
    const error = await rejection(loadChartDir(looping));
    expect(error.file).toBe(join(looping, "files", "up"));
    expect(error.message).toMatch(/loop/);
  });
});

describe("loadChartDir refuses", () => {
  it("a fifo", async () => {
    const dir = await chartWith({});
    execFileSync("mkfifo", [join(dir, "pipe")]);
    const error = await rejection(loadChartDir(dir));
    expect(error.file).toBe(join(dir, "pipe"));
    expect(error.message).toMatch(/not a regular file/);
  });

  it("a file over 5 MiB, but not one of exactly 5 MiB", async () => {
    const ok = await chartWith({ "files/big.bin": new Uint8Array(MAX_FILE_BYTES) });
    expect((await loadChartDir(ok)).files).toHaveLength(2);
    const tooBig = await chartWith({ "files/big.bin": new Uint8Array(MAX_FILE_BYTES + 1) });
    const error = await rejection(loadChartDir(tooBig));
    expect(error.code).toBe("CHART_INVALID");
    expect(error.file).toBe(join(tooBig, "files/big.bin"));
    expect(error.message).toMatch(/over 5 MiB/);
  });

  it("files that add up to 100 MiB", async () => {
    const files: Record<string, Uint8Array> = {};
    for (let i = 0; i < 20; i++) files[`files/part-${i}.bin`] = new Uint8Array(MAX_FILE_BYTES);
    const dir = await chartWith(files);
    const error = await rejection(loadChartDir(dir));
    expect(error.message).toMatch(/reach 100 MiB/);
  });

  it("a missing Chart.yaml, and a Chart.yaml that .helmignore ignores", async () => {
    const empty = await tempDir();
    const missing = await rejection(loadChartDir(empty));
    expect(missing.file).toBe(join(empty, "Chart.yaml"));
    expect(missing.message).toMatch(/missing/);
    const ignored = await chartWith({ ".helmignore": "Chart.yaml\n" });
    expect((await rejection(loadChartDir(ignored))).message).toMatch(/ignored by \.helmignore/);
  });

  it("a path that is not a directory", async () => {
    const file = join(await tempDir(), "x.tgz");
    await writeFile(file, "x");
    expect((await rejection(loadChartDir(file))).message).toMatch(/not a directory/);
  });

  it("an invalid Chart.yaml, naming it", async () => {
    const dir = await chartWith({ "Chart.yaml": "apiVersion: v2\nname: demo\nversion: v1.0.0\n" });
    const error = await rejection(loadChartDir(dir));
    expect(error.file).toBe(join(dir, "Chart.yaml"));
    expect(error.field).toBe("version");
  });

  it("values.yaml that is not a mapping, or has a duplicated key", async () => {
    const list = await chartWith({ "values.yaml": "- a\n- b\n" });
    const error = await rejection(loadChartDir(list));
    expect(error.file).toBe(join(list, "values.yaml"));
    expect(error.message).toMatch(/mapping/);
    const duplicated = await chartWith({ "values.yaml": "a: 1\na: 2\n" });
    expect((await rejection(loadChartDir(duplicated))).message).toMatch(/not valid YAML/);
  });

  it("values.schema.json that is not JSON", async () => {
    const dir = await chartWith({ "values.schema.json": "{ type: object }" });
    const error = await rejection(loadChartDir(dir));
    expect(error.file).toBe(join(dir, "values.schema.json"));
    expect(error.message).toMatch(/not valid JSON/);
  });

  it("a Helm 2 requirements.yaml", async () => {
    const dir = await chartWith({ "requirements.yaml": "dependencies: []\n" });
    expect((await rejection(loadChartDir(dir))).file).toBe(join(dir, "requirements.yaml"));
  });

  it("a .helmignore with **", async () => {
    const dir = await chartWith({ ".helmignore": "**/*.bak\n" });
    const error = await rejection(loadChartDir(dir));
    expect(error.file).toBe(join(dir, ".helmignore"));
    expect(error.field).toBe("line 1");
  });

  it("a file name with a backslash", async () => {
    const dir = await chartWith({ "files/a\\b.txt": "x" });
    expect((await rejection(loadChartDir(dir))).message).toMatch(/backslash/);
  });

  it("a stray file in charts/ and a subchart without Chart.yaml", async () => {
    const stray = await chartWith({ "charts/README.md": "x" });
    expect((await rejection(loadChartDir(stray))).file).toBe(join(stray, "charts/README.md"));
    const noChart = await chartWith({ "charts/sub/values.yaml": "a: 1\n" });
    expect((await rejection(loadChartDir(noChart))).file).toBe(join(noChart, "charts/sub"));
  });

  it("a subchart whose own Chart.yaml is invalid for Helm", async () => {
    const dir = await chartWith({
      "charts/sub/Chart.yaml": "apiVersion: v2\nname: sub\nversion: not-a-version\n",
    });
    const error = await rejection(loadChartDir(dir));
    expect(error.file).toBe(join(dir, "charts/sub/Chart.yaml"));
    expect(error.field).toBe("version");
  });

  it("a dependency declared in Chart.yaml but absent from charts/", async () => {
    const dir = await chartWith({
      "Chart.yaml": `${MINIMAL_CHART_YAML}dependencies:\n  - name: redis\n    version: 1.0.0\n`,
    });
    const error = await rejection(loadChartDir(dir));
    expect(error.file).toBe(join(dir, "Chart.yaml"));
    expect(error.field).toBe("dependencies[0]");
    expect(error.fix).toMatch(/helm dependency build/);
  });
});

describe("loadChartDir accepts", () => {
  it("a packaged subchart under charts/, kept as it is, and a subchart in Helm 2 form", async () => {
    const sub = await loadChartDir(fixture("minimal"));
    const archive = packageChart(sub, { sourceDateEpoch: 0 });
    const dir = await chartWith({
      "Chart.yaml": `${MINIMAL_CHART_YAML}dependencies:\n  - name: minimal\n    version: 1.0.0\n  - name: legacy\n`,
      [`charts/${archive.fileName}`]: archive.bytes,
      "charts/legacy/Chart.yaml": "name: legacy\nversion: 1.0\n",
      "charts/_notes/readme.txt": "Helm skips names starting with _",
      "charts/minimal-1.0.0.tgz.prov": "signature",
    });
    const chart = await loadChartDir(dir);
    const packaged = chart.files.find((file) => file.path === `charts/${archive.fileName}`);
    expect(packaged?.data).toEqual(archive.bytes);
  });

  it("files with a UTF-8 byte order mark, without it (as Helm loads them)", async () => {
    const dir = await chartWith({ "values.yaml": "\uFEFFa: 1\n" });
    const chart = await loadChartDir(dir);
    expect(
      new TextDecoder("utf-8", { ignoreBOM: true }).decode(
        chart.files.find((f) => f.path === "values.yaml")?.data,
      ),
    ).toBe("a: 1\n");
  });

  it("a chart directory given through a symbolic link", async () => {
    const target = await copyFixture("minimal");
    const link = join(await tempDir(), "via-link");
    await symlink(target, link);
    const chart = await loadChartDir(link);
    expect(chart.files.map((file) => file.path)).toEqual([
      "Chart.yaml",
      "templates/configmap.yaml",
      "values.yaml",
    ]);
    await rm(link);
  });
});
