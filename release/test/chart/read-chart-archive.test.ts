import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { MAX_FILE_BYTES } from "../../src/chart/limits.js";
import { readChartArchive } from "../../src/chart/read-chart-archive.js";
import { type RawEntry, rejection, tarOf, tgzOf } from "./helpers.js";

const ARCHIVE = "uploads/demo-1.0.0.tgz";
const CHART_YAML: RawEntry = {
  name: "demo/Chart.yaml",
  data: "apiVersion: v2\nname: demo\nversion: 1.0.0\n",
};

/** One raw ustar header block with any type flag, for headers tar-stream does not write (pax global). */
function rawBlock(name: string, typeflag: string, size: number): Buffer {
  const block = Buffer.alloc(512);
  block.write(name, 0);
  block.write("0000644\0", 100);
  block.write("0000000\0", 108);
  block.write("0000000\0", 116);
  block.write(`${size.toString(8).padStart(11, "0")}\0`, 124);
  block.write("00000000000\0", 136);
  block.write(typeflag, 156);
  block.write("ustar\x0000", 257);
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
  return block;
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = body.length + 1;
  while (`${length}${body}`.length !== length) length++;
  return `${length}${body}`;
}

function padded(data: Buffer): Buffer {
  return Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
}

interface Hostile {
  title: string;
  entries: RawEntry[];
  member: string;
  message: RegExp;
}

const big = (name: string, size: number): RawEntry => ({ name, data: new Uint8Array(size) });

const hostile: Hostile[] = [
  {
    title: "a member escaping with ..",
    entries: [CHART_YAML, { name: "demo/../escape.txt", data: "x" }],
    member: "demo/../escape.txt",
    message: /outside the chart/,
  },
  {
    title: "a top-level ..",
    entries: [CHART_YAML, { name: "../escape.txt", data: "x" }],
    member: "../escape.txt",
    message: /outside the chart/,
  },
  {
    title: "an absolute path",
    entries: [CHART_YAML, { name: "/etc/cron.d/evil", data: "x" }],
    member: "/etc/cron.d/evil",
    message: /absolute/,
  },
  {
    title: "a symbolic link",
    entries: [CHART_YAML, { name: "demo/templates/x.yaml", type: "symlink", linkname: "/etc/passwd" }],
    member: "demo/templates/x.yaml",
    message: /symbolic link/,
  },
  {
    title: "a hard link",
    entries: [CHART_YAML, { name: "demo/values.yaml", type: "link", linkname: "demo/Chart.yaml" }],
    member: "demo/values.yaml",
    message: /hard link/,
  },
  {
    title: "a fifo",
    entries: [CHART_YAML, { name: "demo/pipe", type: "fifo" }],
    member: "demo/pipe",
    message: /regular files only/,
  },
  {
    title: "a character device",
    entries: [CHART_YAML, { name: "demo/null", type: "character-device" }],
    member: "demo/null",
    message: /regular files only/,
  },
  {
    title: "two top-level directories",
    entries: [CHART_YAML, { name: "other/values.yaml", data: "a: 1\n" }],
    member: "other/values.yaml",
    message: /one chart directory/,
  },
  {
    title: "a member outside <name>/",
    entries: [CHART_YAML, { name: "README.md", data: "x" }],
    member: "README.md",
    message: /not inside/,
  },
  {
    title: "a ./ prefix",
    entries: [{ ...CHART_YAML, name: "./demo/Chart.yaml" }],
    member: "./demo/Chart.yaml",
    message: /clean relative path/,
  },
  {
    title: "an empty path segment",
    entries: [CHART_YAML, { name: "demo//values.yaml", data: "a: 1\n" }],
    member: "demo//values.yaml",
    message: /clean relative path/,
  },
  {
    title: "a backslash",
    entries: [CHART_YAML, { name: "demo\\values.yaml", data: "a: 1\n" }],
    member: "demo\\values.yaml",
    message: /backslash/,
  },
  {
    title: "a duplicated member",
    entries: [CHART_YAML, CHART_YAML],
    member: "demo/Chart.yaml",
    message: /twice/,
  },
  {
    title: "a path that is a file and a directory",
    entries: [CHART_YAML, { name: "demo/a", data: "x" }, { name: "demo/a/b", data: "y" }],
    member: "demo/a",
    message: /both a file and a directory/,
  },
  {
    title: "a file over 5 MiB",
    entries: [CHART_YAML, big("demo/files/big.bin", MAX_FILE_BYTES + 1)],
    member: "demo/files/big.bin",
    message: /over 5 MiB/,
  },
  {
    title: "files adding up to 100 MiB",
    entries: [
      CHART_YAML,
      ...Array.from({ length: 20 }, (_, i) =>
        big(`demo/files/part-${String(i).padStart(2, "0")}.bin`, MAX_FILE_BYTES),
      ),
    ],
    member: "demo/files/part-19.bin",
    message: /reach 100 MiB/,
  },
];

describe("readChartArchive refuses hostile archives", () => {
  it.each(hostile)("$title", async ({ entries, member, message }) => {
    const error = await rejection(readChartArchive(await tgzOf(entries), ARCHIVE));
    expect(error.code).toBe("ARCHIVE_INVALID");
    expect(error.file).toBe(ARCHIVE);
    expect(error.field).toBe(member);
    expect(error.message).toMatch(message);
  });

  it("an archive without Chart.yaml", async () => {
    const error = await rejection(
      readChartArchive(await tgzOf([{ name: "demo/values.yaml", data: "a: 1\n" }]), ARCHIVE),
    );
    expect(error).toMatchObject({ code: "ARCHIVE_INVALID", file: ARCHIVE, field: "demo/Chart.yaml" });
  });

  it("a top-level directory that is not the chart's name", async () => {
    const error = await rejection(
      readChartArchive(await tgzOf([{ ...CHART_YAML, name: "other/Chart.yaml" }]), ARCHIVE),
    );
    expect(error).toMatchObject({ code: "ARCHIVE_INVALID", file: ARCHIVE, field: "other/Chart.yaml" });
    expect(error.message).toMatch(/named "demo"/);
  });

  it("an archive with no files at all", async () => {
    const error = await rejection(
      readChartArchive(await tgzOf([{ name: "demo/", type: "directory" }]), ARCHIVE),
    );
    expect(error).toMatchObject({ code: "ARCHIVE_INVALID", file: ARCHIVE });
    expect(error.message).toMatch(/no files/);
  });

  it("a plain tar that is not gzipped", async () => {
    const error = await rejection(readChartArchive(new Uint8Array(await tarOf([CHART_YAML])), ARCHIVE));
    expect(error).toMatchObject({ code: "ARCHIVE_INVALID", file: ARCHIVE, field: undefined });
    expect(error.message).toMatch(/not a gzip/);
  });

  it("a truncated gzip stream", async () => {
    const bytes = await tgzOf([CHART_YAML]);
    const error = await rejection(readChartArchive(bytes.subarray(0, bytes.length - 12), ARCHIVE));
    expect(error.code).toBe("ARCHIVE_INVALID");
    expect(error.message).toMatch(/gzip|truncated/);
  });

  it("data after the end of the gzip stream, and a second gzip member", async () => {
    const bytes = Buffer.from(await tgzOf([CHART_YAML]));
    const garbage = await rejection(
      readChartArchive(Buffer.concat([bytes, Buffer.from("trailing junk")]), ARCHIVE),
    );
    expect(garbage.code).toBe("ARCHIVE_INVALID");
    const second = gzipSync(
      await tarOf([{ name: "demo/templates/extra.yaml", type: "symlink", linkname: "/etc/passwd" }]),
    );
    const twice = await rejection(readChartArchive(Buffer.concat([bytes, second]), ARCHIVE));
    expect(twice.code).toBe("ARCHIVE_INVALID");
    expect(twice.message).toMatch(/several gzip members|after the end/);
  });

  it("gzip of something that is not a tar", async () => {
    const error = await rejection(
      readChartArchive(gzipSync(Buffer.from("apiVersion: v2\nname: demo\n".repeat(40))), ARCHIVE),
    );
    expect(error.code).toBe("ARCHIVE_INVALID");
    expect(error.message).toMatch(/not a valid tar/);
  });

  it("a zip bomb, stopped once the output passes the bound", async () => {
    const bomb = gzipSync(Buffer.alloc(120 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(200 * 1024);
    const error = await rejection(readChartArchive(bomb, ARCHIVE));
    expect(error.code).toBe("ARCHIVE_INVALID");
    expect(error.message).toMatch(/decompresses to more than/);
  });

  it("an invalid Chart.yaml inside, naming archive and member", async () => {
    const bytes = await tgzOf([
      { name: "demo/Chart.yaml", data: "apiVersion: v2\nname: demo\nversion: 1.0\n" },
    ]);
    const error = await rejection(readChartArchive(bytes, ARCHIVE));
    expect(error).toMatchObject({
      code: "CHART_INVALID",
      file: `${ARCHIVE}:demo/Chart.yaml`,
      field: "version",
    });
  });

  it("a declared dependency missing from charts/", async () => {
    const chartYaml = "apiVersion: v2\nname: demo\nversion: 1.0.0\ndependencies:\n  - name: redis\n";
    const error = await rejection(
      readChartArchive(await tgzOf([{ name: "demo/Chart.yaml", data: chartYaml }]), ARCHIVE),
    );
    expect(error).toMatchObject({
      code: "CHART_INVALID",
      file: `${ARCHIVE}:demo/Chart.yaml`,
      field: "dependencies[0]",
    });
  });
});

describe("readChartArchive accepts", () => {
  it("directory entries, PAX long names and a PAX global header, returning the files sorted", async () => {
    const longName = `demo/files/${"ü".repeat(30)}/${"long-name-".repeat(12)}.txt`;
    const body = await tarOf([
      { name: "demo/", type: "directory" },
      { name: "demo/values.yaml", data: "a: 1\n" },
      CHART_YAML,
      { name: "demo/templates/", type: "directory" },
      { name: longName, data: "long" },
    ]);
    const globalRecord = Buffer.from(paxRecord("comment", "made by a test"));
    const tarball = Buffer.concat([
      rawBlock("pax_global_header", "g", globalRecord.length),
      padded(globalRecord),
      body,
    ]);
    const { metadata, files } = await readChartArchive(gzipSync(tarball), ARCHIVE);
    expect(metadata).toEqual({ apiVersion: "v2", name: "demo", version: "1.0.0" });
    expect(files.map((file) => file.path)).toEqual([
      "Chart.yaml",
      longName.slice("demo/".length),
      "values.yaml",
    ]);
    expect(new TextDecoder().decode(files[1]?.data)).toBe("long");
  });

  it("a file of exactly 5 MiB", async () => {
    const { files } = await readChartArchive(
      await tgzOf([CHART_YAML, big("demo/files/max.bin", MAX_FILE_BYTES)]),
      ARCHIVE,
    );
    expect(files[1]?.data.length).toBe(MAX_FILE_BYTES);
  });

  it("zero padding after the gzip stream", async () => {
    const bytes = Buffer.concat([Buffer.from(await tgzOf([CHART_YAML])), Buffer.alloc(1024)]);
    expect((await readChartArchive(bytes, ARCHIVE)).metadata.name).toBe("demo");
  });
});
