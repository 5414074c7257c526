import { createHash } from "node:crypto";
import { chmod, mkdir, readdir, readFile, stat, utimes, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { parseChartYaml } from "../../src/chart/chart-yaml.js";
import { emitChartYaml } from "../../src/chart/emit-chart-yaml.js";
import { loadChartDir } from "../../src/chart/load-chart-dir.js";
import { packageChart } from "../../src/chart/package-chart.js";
import { readChartArchive } from "../../src/chart/read-chart-archive.js";
import { fixture, readTgz, rejection, tempDir } from "./helpers.js";

const EPOCH = 1_700_000_000;

describe("packageChart", () => {
  it("writes Helm's member order, regular files only, with fixed owners, modes and times", async () => {
    const chart = await loadChartDir(fixture("with-subchart"));
    const packaged = packageChart(chart, { sourceDateEpoch: EPOCH });
    expect(packaged.fileName).toBe("fixture-app-0.3.1.tgz");
    const entries = await readTgz(packaged.bytes);
    expect(entries.map((entry) => entry.name)).toEqual([
      "fixture-app/Chart.yaml",
      "fixture-app/values.yaml",
      "fixture-app/values.schema.json",
      "fixture-app/templates/NOTES.txt",
      "fixture-app/templates/_helpers.tpl",
      "fixture-app/templates/configmap.yaml",
      "fixture-app/templates/deployment.yaml",
      "fixture-app/templates/extra/service.yaml",
      "fixture-app/.helmignore",
      "fixture-app/README.md",
      "fixture-app/files/a-rather-long-directory-name-to-exercise-ustar-prefix-splitting/another-fairly-long-subdirectory-name/data.txt",
      "fixture-app/files/config.txt",
      "fixture-app/charts/backend/Chart.yaml",
      "fixture-app/charts/backend/templates/service.yaml",
      "fixture-app/charts/backend/values.yaml",
    ]);
    for (const entry of entries) {
      expect(entry).toMatchObject({
        type: "file",
        mode: 0o644,
        uid: 0,
        gid: 0,
        uname: "",
        gname: "",
        mtime: EPOCH,
        pax: null,
      });
      const path = entry.name.slice("fixture-app/".length);
      if (path !== "Chart.yaml")
        expect(entry.data).toEqual(Buffer.from(chart.files.find((file) => file.path === path)?.data ?? []));
    }
    expect(entries[0]?.data.toString("utf8")).toBe(emitChartYaml(chart.metadata));
    expect(packaged.digest).toBe(createHash("sha256").update(packaged.bytes).digest("hex"));
  });

  it("writes a fixed gzip header: no mtime, best compression, OS unknown, no extra field, name or comment", async () => {
    const packaged = packageChart(await loadChartDir(fixture("minimal")), { sourceDateEpoch: EPOCH });
    expect([...packaged.bytes.subarray(0, 10)]).toEqual([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x02, 0xff]);
  });

  it("writes --version and --app-version into the archive's Chart.yaml, without the unknown keys", async () => {
    const chart = await loadChartDir(fixture("with-subchart"));
    const packaged = packageChart(chart, {
      sourceDateEpoch: EPOCH,
      version: "2.0.0-rc.1",
      appVersion: "yes",
    });
    expect(packaged.fileName).toBe("fixture-app-2.0.0-rc.1.tgz");
    expect(packaged.metadata).toEqual({ ...chart.metadata, version: "2.0.0-rc.1", appVersion: "yes" });
    const chartYaml = (await readTgz(packaged.bytes))[0]?.data.toString("utf8") ?? "";
    expect(chartYaml).toContain("appVersion: 'yes'\n");
    expect(chartYaml).not.toContain("x-internal-note");
    expect(parseChartYaml(chartYaml, "archive")).toEqual(packaged.metadata);
  });

  it.each([
    [{ version: "v2.0.0" }, "--version"],
    [{ version: "2.0.0+build.1" }, "--version"],
    [{ version: "2.0" }, "--version"],
    [{ appVersion: "" }, "--app-version"],
    [{ sourceDateEpoch: -1 }, "sourceDateEpoch"],
    [{ sourceDateEpoch: 1.5 }, "sourceDateEpoch"],
    [{ sourceDateEpoch: 8 ** 11 }, "sourceDateEpoch"],
  ])("refuses the option %j as bad usage", async (options, field) => {
    const chart = await loadChartDir(fixture("minimal"));
    const error = await rejection(() => packageChart(chart, { sourceDateEpoch: EPOCH, ...options }));
    expect(error.code).toBe("USAGE");
    expect(error.field).toBe(field);
  });

  it("refuses a path that a plain ustar header cannot hold", async () => {
    const dir = join(await tempDir(), "demo");
    await mkdir(join(dir, "files"), { recursive: true });
    await writeFile(join(dir, "Chart.yaml"), "apiVersion: v2\nname: demo\nversion: 1.0.0\n");
    await writeFile(join(dir, "files", `${"x".repeat(101)}.txt`), "x");
    const chart = await loadChartDir(dir);
    const error = await rejection(() => packageChart(chart, { sourceDateEpoch: 0 }));
    expect(error.code).toBe("CHART_INVALID");
    expect(error.file).toBe(`${dir}/files/${"x".repeat(101)}.txt`);
    expect(error.message).toMatch(/too long/);
  });

  it("produces an archive readChartArchive accepts, with the same files", async () => {
    const chart = await loadChartDir(fixture("with-subchart"));
    const packaged = packageChart(chart, { sourceDateEpoch: EPOCH });
    const read = await readChartArchive(packaged.bytes, packaged.fileName);
    expect(read.metadata).toEqual(chart.metadata);
    expect(read.files.map((file) => file.path)).toEqual(chart.files.map((file) => file.path));
  });
});

/** Copies a directory file by file in the given order, with the given umask and file mode. */
async function copyTree(
  from: string,
  to: string,
  options: { reverse: boolean; umask: number; mode: number },
): Promise<void> {
  const files: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else files.push(relative(from, path));
    }
  };
  await walk(from);
  if (options.reverse) files.reverse();
  const previous = process.umask(options.umask);
  try {
    for (const file of files) {
      await mkdir(join(to, file, ".."), { recursive: true });
      await writeFile(join(to, file), await readFile(join(from, file)));
      await chmod(join(to, file), options.mode);
    }
  } finally {
    process.umask(previous);
  }
}

async function scrambleTimes(dir: string, seed: number): Promise<void> {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return 946_684_800 + (state % 900_000_000);
  };
  const walk = async (path: string): Promise<void> => {
    if ((await stat(path)).isDirectory())
      for (const name of await readdir(path)) await walk(join(path, name));
    await utimes(path, next(), next());
  };
  await walk(dir);
}

describe("packageChart is reproducible", () => {
  it("gives identical bytes for two copies with different mtimes, modes, umasks and creation order", async () => {
    const a = join(await tempDir(), "fixture-app");
    const b = join(await tempDir(), "elsewhere", "fixture-app");
    await copyTree(fixture("with-subchart"), a, { reverse: false, umask: 0o022, mode: 0o644 });
    await copyTree(fixture("with-subchart"), b, { reverse: true, umask: 0o077, mode: 0o755 });
    await scrambleTimes(a, 1);
    await scrambleTimes(b, 2);
    expect((await stat(join(a, "values.yaml"))).mtimeMs).not.toBe(
      (await stat(join(b, "values.yaml"))).mtimeMs,
    );
    expect((await stat(join(a, "values.yaml"))).mode & 0o777).not.toBe(
      (await stat(join(b, "values.yaml"))).mode & 0o777,
    );

    const first = packageChart(await loadChartDir(a), { sourceDateEpoch: EPOCH });
    const second = packageChart(await loadChartDir(b), { sourceDateEpoch: EPOCH });
    expect(Buffer.from(second.bytes).equals(Buffer.from(first.bytes))).toBe(true);
    expect(second.digest).toBe(first.digest);

    const later = packageChart(await loadChartDir(a), { sourceDateEpoch: EPOCH + 1 });
    expect(Buffer.from(later.bytes).equals(Buffer.from(first.bytes))).toBe(false);
    expect(later.digest).not.toBe(first.digest);
  });

  it("does not depend on the order of files in the loaded chart", async () => {
    const chart = await loadChartDir(fixture("with-subchart"));
    const shuffled = { ...chart, files: [...chart.files].reverse() };
    expect(packageChart(shuffled, { sourceDateEpoch: EPOCH }).digest).toBe(
      packageChart(chart, { sourceDateEpoch: EPOCH }).digest,
    );
  });
});
