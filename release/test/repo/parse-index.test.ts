import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ReleaseError } from "../../src/errors.js";
import { ZERO_TIME } from "../../src/repo/model/index-file.js";
import { parseIndex } from "../../src/repo/parse/parse-index.js";
import { refusalOf } from "../support/refusal.js";

const FIXTURES = join(import.meta.dirname, "..", "testdata", "index");
const fixture = (name: string): Uint8Array => readFileSync(join(FIXTURES, name));

function parseError(input: Uint8Array | string, file = "index.yaml"): ReleaseError {
  const e = refusalOf(() => parseIndex(input, file), "INDEX_INVALID");
  expect(e.file).toBe(file);
  expect(e.fix).toMatch(/\S/);
  return e;
}

const ENTRY = `  - apiVersion: v2
    created: "2025-06-01T12:00:00Z"
    digest: 3a1f0e8d2c4b6a9e7f5d3c1b0a9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e
    name: kube9-operator
    urls:
    - https://charts.kube9.io/kube9-operator-1.0.0.tgz
`;

/** A one-entry index with `extra` lines added to the entry (and `version: 1.0.0` unless given). */
function withEntry(extra: string, top = ""): string {
  const version = extra.includes("version:") && !extra.includes("Version:") ? "" : "    version: 1.0.0\n";
  return `${top}apiVersion: v1\nentries:\n  kube9-operator:\n${ENTRY}${version}${extra}generated: "2025-06-01T12:00:01Z"\n`;
}

describe("parseIndex accepts what Helm writes", () => {
  it("reads an index written by `helm repo index` (Helm 3.22)", () => {
    const index = parseIndex(fixture("helm3-repo-index.yaml"), "helm3-repo-index.yaml");
    expect(Object.keys(index.entries)).toEqual(["demo-app", "kube9-operator"]);
    expect(index.entries["kube9-operator"]?.map((e) => e.version)).toEqual(["1.10.0", "1.3.0-rc.1", "1.2.3"]);
    const latest = index.entries["kube9-operator"]?.[0];
    expect(latest).toMatchObject({
      apiVersion: "v2",
      appVersion: "1.2.3",
      name: "kube9-operator",
      type: "application",
      urls: ["https://charts.kube9.io/kube9-operator-1.10.0.tgz"],
    });
    expect(latest?.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(latest?.created).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it("reads Helm 4's YAML and its JSON form (index.yaml with JSON content) to the same model", () => {
    const yamlIndex = parseIndex(fixture("helm4-repo-index.yaml"), "a.yaml");
    const jsonIndex = parseIndex(fixture("helm4-repo-index-json.yaml"), "b.yaml");
    expect(Object.keys(jsonIndex.entries)).toEqual(Object.keys(yamlIndex.entries));
    for (const name of Object.keys(yamlIndex.entries)) {
      const strip = (list: unknown[] | undefined) =>
        list?.map((e) => ({ ...(e as object), created: "", urls: [] as string[] }));
      expect(strip(jsonIndex.entries[name])).toEqual(strip(yamlIndex.entries[name]));
    }
  });

  it("keeps ChartMuseum's serverInfo", () => {
    const index = parseIndex(fixture("chartmuseum.yaml"), "chartmuseum.yaml");
    expect(index.serverInfo).toEqual({ contextPath: "/chartmuseum" });
    expect(index.entries["kube9-operator"]?.[0]?.urls).toEqual(["charts/kube9-operator-0.9.1.tgz"]);
  });

  it("keeps top-level annotations and publicKeys, and every Chart.yaml field of an entry", () => {
    const index = parseIndex(fixture("annotations-publickeys.yaml"), "a.yaml");
    expect(index.annotations).toEqual({
      "artifacthub.io/repositoryID": "0c5e1bd2-6f3a-4b4e-9d8e-5f2b1c3d4e5f",
      "kube9.io/owners": "alto9",
    });
    expect(index.publicKeys?.[0]).toMatch(/^-----BEGIN PGP PUBLIC KEY BLOCK-----\n.*\n=AbCd\n-----END/s);
    const entry = index.entries["kube9-operator"]?.[0];
    expect(entry?.appVersion).toBe("2.4");
    expect(entry?.keywords).toEqual(["kubernetes", "yes", "on"]);
    expect(entry?.deprecated).toBe(false);
    expect(entry?.kubeVersion).toBe(">=1.27.0-0");
    expect(entry?.description).toBe("Kubernetes operator: watches clusters #1 and reports");
    expect(entry?.annotations?.["artifacthub.io/changes"]).toBe(
      "- kind: added\n  description: Cache index reads\n",
    );
    expect(entry?.dependencies).toEqual([
      {
        alias: "cache_store",
        condition: "cache.enabled",
        enabled: true,
        "import-values": [{ child: "exports.data", parent: "cacheData" }, "defaults"],
        name: "redis",
        repository: "oci://registry.example.com/charts",
        tags: ["storage"],
        version: "~18.0.0",
      },
    ]);
    expect(entry?.maintainers).toEqual([{ email: "dev@alto9.com", name: "Alto9", url: "https://alto9.com" }]);
  });

  it("accepts Helm 2 era keys and fills what Helm fills for missing created/digest/apiVersion", () => {
    const index = parseIndex(fixture("helm2-legacy-keys.yaml"), "legacy.yaml");
    const [newer, older] = index.entries.legacy ?? [];
    expect(newer).toMatchObject({
      checksum: "2f4b62f9b8f7b8e0a1d1e9a5b0f2e2c3",
      engine: "gotpl",
      tillerVersion: ">=2.8.0",
      url: "https://charts.example.com/legacy-1.1.0.tgz",
      created: "2018-03-14T09:26:53.123456789Z",
      apiVersion: "v1",
    });
    expect(older).toMatchObject({
      version: "1.0.0",
      removed: true,
      created: ZERO_TIME,
      digest: "",
      apiVersion: "v1",
    });
    expect(index.generated).toBe("2018-03-14T09:26:53Z");
  });

  it("orders each chart's versions newest first, pre-releases below their release", () => {
    const index = parseIndex(fixture("unordered.yaml"), "unordered.yaml");
    expect(index.entries.alpha?.map((e) => e.version)).toEqual([
      "1.0.0",
      "1.0.0-rc.1",
      "1.0.0-beta.2",
      "0.10.0",
      "0.9.0",
    ]);
    expect(index.entries.zeta?.map((e) => e.version)).toEqual(["0.1.0"]);
  });

  it("reads quoted YAML 1.1 look-alikes as the strings they are", () => {
    const index = parseIndex(fixture("quoted-yaml11-strings.yaml"), "q.yaml");
    const entry = index.entries["0123"]?.[0];
    expect(entry).toMatchObject({
      appVersion: "1.10",
      description: "yes",
      home: "off",
      icon: "~",
      kubeVersion: ">=1.27",
    });
    expect(entry?.keywords).toEqual([
      "no",
      "Y",
      "NULL",
      "0x1F",
      "1_000",
      "1e3",
      "2024-01-01",
      "=",
      "<<",
      "",
      " padded ",
      "1:20",
    ]);
    expect(entry?.annotations).toEqual({
      on: "true",
      "1.0": "0o17",
      multi: "line one\nline two\ttab",
      colon: "key: value # not a comment",
    });
  });

  it("accepts a UTF-8 byte order mark and a string input", () => {
    const bytes = fixture("helm3-repo-index.yaml");
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...bytes]);
    expect(parseIndex(withBom, "bom.yaml")).toEqual(parseIndex(bytes, "plain.yaml"));
    expect(parseIndex(`\ufeff${new TextDecoder().decode(bytes)}`, "s.yaml")).toEqual(
      parseIndex(bytes, "plain.yaml"),
    );
  });

  it("reads null and empty values as absent fields, as Go leaves zero values", () => {
    const index = parseIndex(withEntry("    description: ~\n    keywords:\n    home: null\n"), "n.yaml");
    const entry = index.entries["kube9-operator"]?.[0] as unknown as Record<string, unknown>;
    expect(Object.hasOwn(entry, "description")).toBe(false);
    expect(Object.hasOwn(entry, "keywords")).toBe(false);
    expect(Object.hasOwn(entry, "home")).toBe(false);
  });

  it("accepts a YAML 1.1 number in a field Helm converts to a string when the text does not change", () => {
    const index = parseIndex(withEntry("    checksum: 123\n    engine: true\n"), "c.yaml");
    expect(index.entries["kube9-operator"]?.[0]).toMatchObject({ checksum: "123", engine: "true" });
  });
});

describe("parseIndex refuses what Helm refuses", () => {
  it.each([
    ["invalid-empty.yaml", "", /is empty/],
    ["invalid-comment-only.yaml", "", /no YAML document/],
    ["invalid-s3-access-denied.yaml", "", /not an index: expected a mapping/],
    ["invalid-truncated.yaml", "", /not valid YAML.*line 7/],
    ["invalid-duplicate-key.yaml", "", /duplicate key `version` at line 11/],
    ["invalid-unknown-key.yaml", "entries.kube9-operator[0].releaseNotes", /unknown key `releaseNotes`/],
    [
      "invalid-unquoted-float-version.yaml",
      "entries.kube9-operator[0].version",
      /`1\.0` is a YAML 1\.1 number/,
    ],
    ["invalid-appversion-yes.yaml", "entries.kube9-operator[0].appVersion", /`yes` is a YAML 1\.1 boolean/],
    ["invalid-missing-apiversion.yaml", "apiVersion", /no API version/],
    ["invalid-created-not-rfc3339.yaml", "entries.kube9-operator[0].created", /RFC 3339/],
  ])("%s", (file, field, message) => {
    const error = parseError(fixture(file), file);
    expect(error.field ?? "").toBe(field);
    expect(error.message).toMatch(message);
  });

  it.each([
    [
      "version: 1 (a YAML int)",
      "    version: 1\n",
      "entries.kube9-operator[0].version",
      /`1` is a YAML 1\.1 integer/,
    ],
    ["appVersion: 7", "    appVersion: 7\n", "entries.kube9-operator[0].appVersion", /integer/],
    [
      "appVersion: 1.10 (Helm would read 1.1)",
      "    appVersion: 1.10\n",
      "entries.kube9-operator[0].appVersion",
      /number/,
    ],
    ["description: on", "    description: on\n", "entries.kube9-operator[0].description", /boolean/],
    ["keyword 0123", "    keywords:\n    - 0123\n", "entries.kube9-operator[0].keywords[0]", /integer/],
    [
      "annotation value yes",
      "    annotations:\n      a: yes\n",
      "entries.kube9-operator[0].annotations.a",
      /boolean/,
    ],
    [
      "maintainer name 1.0",
      "    maintainers:\n    - name: 1.0\n",
      "entries.kube9-operator[0].maintainers[0].name",
      /number/,
    ],
    [
      'deprecated: "true" (a string)',
      '    deprecated: "true"\n',
      "entries.kube9-operator[0].deprecated",
      /true or false/,
    ],
    ["deprecated: 1", "    deprecated: 1\n", "entries.kube9-operator[0].deprecated", /true or false/],
    [
      'digest: 1.0 (Helm reads "1")',
      "    checksum: 1.0\n",
      "entries.kube9-operator[0].checksum",
      /Helm reads it as the string "1"/,
    ],
    [
      "digest: 0123 (octal)",
      "    tillerVersion: 0123\n",
      "entries.kube9-operator[0].tillerVersion",
      /Helm reads it as the string "83"/,
    ],
    [
      "keywords as a string",
      "    keywords: kubernetes\n",
      "entries.kube9-operator[0].keywords",
      /expected a list/,
    ],
    [
      "annotations as a list",
      "    annotations:\n    - a\n",
      "entries.kube9-operator[0].annotations",
      /expected a mapping/,
    ],
    [
      "invalid version",
      "    version: latest\n",
      "entries.kube9-operator[0].version",
      /not a semantic version/,
    ],
    [
      "version with a zero-led pre-release",
      "    version: 1.0.0-01\n",
      "entries.kube9-operator[0].version",
      /leading zero/,
    ],
    ["type plugin", "    type: plugin\n", "entries.kube9-operator[0].type", /application or library/],
    [
      "bad dependency alias",
      "    dependencies:\n    - name: a\n      alias: a.b\n",
      "entries.kube9-operator[0].dependencies[0].alias",
      /alias/,
    ],
    [
      "null maintainer",
      "    maintainers:\n    -\n",
      "entries.kube9-operator[0].maintainers[0]",
      /empty maintainer/,
    ],
    [
      "unknown maintainer key",
      "    maintainers:\n    - name: a\n      github: a\n",
      "entries.kube9-operator[0].maintainers[0].github",
      /unknown key/,
    ],
    [
      "unknown dependency key",
      "    dependencies:\n    - name: a\n      optional: true\n",
      "entries.kube9-operator[0].dependencies[0].optional",
      /unknown key/,
    ],
    ["Digest in the wrong case", "    Digest: abc\n", "entries.kube9-operator[0].Digest", /ignoring case/],
  ])("%s", (_name, extra, field, message) => {
    const error = parseError(withEntry(extra));
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
  });

  it.each([
    ["an unknown top-level key", "kind: IndexFile\n", "kind", /unknown key `kind`/],
    ["apiVersion v2", "", "apiVersion", /unsupported index apiVersion "v2"/],
    ["generated not RFC 3339", "", "generated", /RFC 3339/],
    [
      'index annotation 1.0 (Helm reads "1")',
      "annotations:\n  a: 1.0\n",
      "annotations.a",
      /Helm reads it as the string "1"/,
    ],
    ["publicKeys as a string", "publicKeys: abc\n", "publicKeys", /expected a list/],
    ["serverInfo .inf", "serverInfo:\n  x: .inf\n", "serverInfo.x", /cannot be converted to JSON/],
  ])("%s", (name, top, field, message) => {
    let text = withEntry("", top);
    if (name === "apiVersion v2") text = text.replace("apiVersion: v1", "apiVersion: v2");
    if (name.startsWith("generated"))
      text = text.replace('generated: "2025-06-01T12:00:01Z"', "generated: 2025-06-01");
    const error = parseError(text);
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
  });
});

describe("parseIndex refuses what Helm would silently skip or misread", () => {
  it.each([
    [
      "invalid-version.yaml",
      "entries.kube9-operator[1].version",
      /"latest" is not a semantic version: Helm skips/,
    ],
    ["invalid-null-entry.yaml", "entries.kube9-operator[0]", /empty entry/],
    [
      "invalid-name-mismatch.yaml",
      "entries.kube9-operator[1].name",
      /differs from the chart it is listed under/,
    ],
    ["invalid-json-duplicate-key.yaml", undefined, /duplicate key `"digest"` at line 12/],
    ["invalid-json-unknown-key.yaml", "entries.kube9-operator[0].Digest", /unknown key `Digest`/],
  ])("%s", (file, field, message) => {
    const error = parseError(fixture(file), file);
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
  });

  it('refuses a chart listed twice once YAML 1.1 keys are converted (1.0 and "1")', () => {
    const text = `apiVersion: v1\nentries:\n  1.0: []\n  "1": []\ngenerated: "2025-06-01T12:00:01Z"\n`;
    expect(parseError(text).message).toMatch(/the key `1\.0` is a YAML 1\.1 float: Helm reads it as "1"/);
  });

  it("refuses a typed plain key that Helm would rename", () => {
    const error = parseError(withEntry("    annotations:\n      yes: a\n"));
    expect(error.message).toMatch(/the key `yes` is a YAML 1\.1 bool: Helm reads it as "true"/);
    expect(error.fix).toBe('quote it: "yes":');
  });

  it("refuses invalid UTF-8 and UTF-16 instead of guessing", () => {
    expect(parseError(new Uint8Array([0x61, 0x3a, 0x20, 0xff, 0x0a])).message).toMatch(/not valid UTF-8/);
    expect(parseError(new Uint8Array([0xff, 0xfe, 0x61, 0x00])).message).toMatch(/UTF-16/);
  });

  it("refuses two YAML documents and explicit tags", () => {
    expect(parseError(`${withEntry("")}---\napiVersion: v1\n`).message).toMatch(
      /more than one YAML document/,
    );
    expect(parseError(withEntry("    description: !!binary aGVsbG8=\n")).message).toMatch(
      /explicit YAML tag/,
    );
  });

  it("refuses a lone surrogate escape (Go cannot decode it)", () => {
    const error = parseError(withEntry('    description: "bad \\ud800 escape"\n'));
    expect(error.field).toBe("entries.kube9-operator[0].description");
    expect(error.message).toMatch(/lone UTF-16 surrogate/);
  });

  it("refuses a JSON number where Helm's JSON decoder expects a string", () => {
    const json = JSON.stringify({
      apiVersion: "v1",
      entries: { a: [{ name: "a", version: 1, urls: [], created: "2025-06-01T12:00:00Z" }] },
      generated: "2025-06-01T12:00:01Z",
    });
    const error = parseError(json);
    expect(error.field).toBe("entries.a[0].version");
    expect(error.message).toMatch(/JSON number 1: Helm rejects/);
  });

  it("names a chart key that is not a simple name with brackets", () => {
    const text = withEntry("")
      .replace("  kube9-operator:\n", '  "my.chart":\n')
      .replace("name: kube9-operator", "name: my.chart");
    expect(parseError(text.replace("version: 1.0.0", "version: x")).field).toBe(
      'entries["my.chart"][0].version',
    );
  });
});

describe("parseIndex is strict on JSON content too", () => {
  it("reads JSON content with the same rules (Helm's JSON decoder would ignore unknown keys)", () => {
    const json = {
      apiVersion: "v1",
      entries: {
        a: [
          {
            apiVersion: "v2",
            name: "a",
            version: "1.0.0",
            urls: ["a-1.0.0.tgz"],
            created: "2025-06-01T12:00:00Z",
            digest: "d",
          },
        ],
      },
      generated: "2025-06-01T12:00:01Z",
    };
    expect(parseIndex(JSON.stringify(json, null, 2), "j.yaml").entries.a?.[0]?.digest).toBe("d");
    const withUnknown = JSON.stringify({ ...json, extra: true });
    expect(parseError(withUnknown).message).toMatch(/unknown key `extra`/);
  });

  it("finds a duplicate key JSON.parse would hide, even with escaped quotes around", () => {
    const text =
      '{"apiVersion": "v1", "entries": {}, "generated": "2025-06-01T12:00:01Z", "annotations": {"a\\"b": "x\\\\", "a\\"b": "y"}}';
    expect(parseError(text).message).toMatch(/duplicate key/);
    const fine =
      '{"apiVersion": "v1", "entries": {}, "generated": "2025-06-01T12:00:01Z", "annotations": {"a\\"b": "x\\\\\\": y", "c": ":"}}';
    expect(parseIndex(fine, "j.yaml").annotations).toEqual({ 'a"b': 'x\\": y', c: ":" });
  });

  it("reads `{`-started YAML that is not JSON as YAML, as Helm does", () => {
    const flow = "{apiVersion: v1, entries: {}, generated: '2025-06-01T12:00:01Z'}";
    expect(parseIndex(flow, "flow.yaml").entries).toEqual({});
  });
});
