import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { ReleaseError } from "../../src/errors.js";
import { mergeEntry } from "../../src/repo/merge.js";
import { emptyIndex, type IndexFile } from "../../src/repo/model/index-file.js";
import { parseIndex } from "../../src/repo/parse/parse-index.js";
import { serializeIndex } from "../../src/repo/serialize/serialize-index.js";
import { HOSTILE_STRINGS } from "./hostile-strings.js";
import { hostileIndex } from "./sample-index.js";

const FIXTURES = join(import.meta.dirname, "..", "testdata", "index");
const VALID_FIXTURES = readdirSync(FIXTURES).filter((f) => !f.startsWith("invalid-"));

describe("serializeIndex", () => {
  it("writes exactly what `helm repo index` writes for the same index (Helm 3 and Helm 4 output)", () => {
    for (const file of ["helm3-repo-index.yaml", "helm4-repo-index.yaml"]) {
      const text = readFileSync(join(FIXTURES, file), "utf8");
      expect(serializeIndex(parseIndex(text, file))).toBe(text);
    }
  });

  it.each(VALID_FIXTURES)("round-trips %s: serialize(parse(x)) parses back to the same model", (file) => {
    const index = parseIndex(readFileSync(join(FIXTURES, file)), file);
    const text = serializeIndex(index);
    expect(parseIndex(text, "again.yaml")).toEqual(index);
    expect(serializeIndex(parseIndex(text, "again.yaml"))).toBe(text);
  });

  it("round-trips every hostile string in every field", () => {
    const index = hostileIndex();
    const text = serializeIndex(index);
    expect(parseIndex(text, "hostile.yaml")).toEqual(index);
    // Any YAML 1.2 reader gets the same strings too.
    expect(yaml.load(text)).toEqual(JSON.parse(JSON.stringify(index)));
  });

  it("quotes every hostile string and keeps ordinary ones plain", () => {
    const index = mergeEntry(emptyIndex("2025-06-01T12:00:01Z"), {
      apiVersion: "v2",
      appVersion: "1.0",
      created: "2025-06-01T12:00:00Z",
      description: "yes",
      digest: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
      keywords: ["on", "0123", "kubernetes"],
      name: "kube9-operator",
      urls: ["https://charts.kube9.io/kube9-operator-1.2.3.tgz"],
      version: "1.2.3",
    }).index;
    expect(serializeIndex(index)).toBe(
      [
        "apiVersion: v1",
        "entries:",
        "  kube9-operator:",
        "  - apiVersion: v2",
        '    appVersion: "1.0"',
        '    created: "2025-06-01T12:00:00Z"',
        '    description: "yes"',
        "    digest: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "    keywords:",
        '    - "on"',
        '    - "0123"',
        "    - kubernetes",
        "    name: kube9-operator",
        "    urls:",
        "    - https://charts.kube9.io/kube9-operator-1.2.3.tgz",
        "    version: 1.2.3",
        'generated: "2025-06-01T12:00:01Z"',
        "",
      ].join("\n"),
    );
  });

  it("is deterministic: the same model gives the same bytes whatever the key insertion order", () => {
    const a = hostileIndex();
    const b: IndexFile = JSON.parse(JSON.stringify(a));
    // Rebuild every object with its keys in reverse order.
    const reverse = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(reverse)
        : v !== null && typeof v === "object"
          ? Object.fromEntries(
              Object.entries(v)
                .reverse()
                .map(([k, x]) => [k, reverse(x)]),
            )
          : v;
    expect(serializeIndex(reverse(b) as IndexFile)).toBe(serializeIndex(a));
  });

  it("writes chart names and annotation keys in Helm's key order, versions in model order", () => {
    const base = hostileIndex();
    const text = serializeIndex(base);
    const loaded = yaml.load(text) as { entries: Record<string, Array<{ version: string }>> };
    expect(Object.keys(loaded.entries)).toEqual(["1.0", "kube9-operator", "yes"]);
    expect(loaded.entries.yes?.map((e) => e.version)).toEqual(["1.10.0", "1.10.0-rc.1", "1.2.3"]);
  });

  it("omits an empty digest, as Helm does, and writes empty lists and maps", () => {
    const legacy = parseIndex(readFileSync(join(FIXTURES, "helm2-legacy-keys.yaml")), "legacy.yaml");
    const text = serializeIndex(legacy);
    expect(text.match(/digest:/g)).toHaveLength(1);
    const empty = serializeIndex({ ...emptyIndex("2025-06-01T12:00:01Z"), annotations: {}, publicKeys: [] });
    expect(empty).toBe(
      'annotations: {}\napiVersion: v1\nentries: {}\ngenerated: "2025-06-01T12:00:01Z"\npublicKeys: []\n',
    );
  });

  it("never reads the clock: `generated` is what the caller set", () => {
    expect(serializeIndex(emptyIndex("2000-01-01T00:00:00Z"))).toContain('generated: "2000-01-01T00:00:00Z"');
  });

  it("refuses to write a string no YAML reader could read back (a lone surrogate)", () => {
    const index = hostileIndex();
    const entry = index.entries.yes?.[0];
    if (entry === undefined) throw new Error("sample has no entry");
    entry.description = "broken \ud800";
    try {
      serializeIndex(index);
      throw new Error("expected INDEX_INVALID");
    } catch (error) {
      expect(error).toBeInstanceOf(ReleaseError);
      expect((error as ReleaseError).field).toBe("entries.yes[0].description");
    }
  });

  it("writes every hostile string as a key and as a value of serverInfo", () => {
    const serverInfo = Object.fromEntries(
      HOSTILE_STRINGS.map((s, i) => [s, i % 2 === 0 ? s : [s, { [s]: s }]]),
    );
    const index = { ...emptyIndex("2025-06-01T12:00:01Z"), serverInfo };
    expect(parseIndex(serializeIndex(index), "s.yaml").serverInfo).toEqual(serverInfo);
  });
});
