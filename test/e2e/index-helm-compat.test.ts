/**
 * Our index.yaml against the real Helm 3 and Helm 4 readers. `helm repo index <empty dir> --merge
 * <our index>` loads our file with Helm's strict loader (the same code `helm repo update` uses) and
 * writes back what it understood, which we compare with what we meant.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yaml from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mergeEntry } from "../../release/src/repo/merge.js";
import type { ChartVersion, IndexFile } from "../../release/src/repo/model/index-file.js";
import { emptyIndex } from "../../release/src/repo/model/index-file.js";
import { sortedKeys } from "../../release/src/repo/order/order.js";
import { parseIndex } from "../../release/src/repo/parse/parse-index.js";
import { serializeIndex } from "../../release/src/repo/serialize/serialize-index.js";
import { goStringOf, resolvePlain } from "../../release/src/yaml/yaml11-scalars.js";
import { HOSTILE_STRINGS } from "../../release/test/repo/hostile-strings.js";
import { hostileEntry } from "../../release/test/repo/sample-index.js";
import { helmClients, repoRoot } from "../support/tools.js";

const FIXTURES = join(repoRoot, "release", "test", "testdata", "index");

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "kube9-index-helm-"));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

let runs = 0;
/** Runs `helm repo index <empty dir> --merge <index text>`: Helm's parsed-and-rewritten index, or Helm's error. */
function helmMerge(
  helm: string,
  indexText: string | Uint8Array,
): { ok: true; text: string } | { ok: false; error: string } {
  const dir = join(work, `run-${++runs}`);
  mkdirSync(join(dir, "repo"), { recursive: true });
  const input = join(dir, "input-index.yaml");
  writeFileSync(input, indexText);
  const env = {
    ...process.env,
    HELM_CACHE_HOME: join(dir, "cache"),
    HELM_CONFIG_HOME: join(dir, "config"),
    HELM_DATA_HOME: join(dir, "data"),
  };
  try {
    execFileSync(helm, ["repo", "index", join(dir, "repo"), "--merge", input], { env, stdio: "pipe" });
  } catch (error) {
    return { ok: false, error: String((error as { stderr?: Buffer }).stderr ?? error) };
  }
  return { ok: true, text: readFileSync(join(dir, "repo", "index.yaml"), "utf8") };
}

/** Go's sanitizeString (chart/v2 metadata.go), which Helm applies to some Chart.yaml fields when it loads an index. */
const GO_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/u;
const GO_PRINT = /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u;
function sanitize(s: string): string {
  return Array.from(s, (ch) => (GO_SPACE.test(ch) ? " " : GO_PRINT.test(ch) ? ch : "")).join("");
}

/** Helm writes what it understood; empty strings and empty lists disappear (Go omitempty). */
function expectedField(value: string | undefined, sanitized: boolean): string | undefined {
  if (value === undefined) return undefined;
  const s = sanitized ? sanitize(value) : value;
  return s === "" ? undefined : s;
}

/** The keys of the mappings at `indent` under the first line `header`, in file order (JS objects reorder integer-like keys). */
function keysInTextOrder(text: string, header: string, indent: number): string[] {
  const lines = text.split("\n");
  const start = lines.indexOf(header);
  expect(start).toBeGreaterThanOrEqual(0);
  const keys: string[] = [];
  for (const line of lines.slice(start + 1)) {
    const lead = line.length - line.trimStart().length;
    if (lead < indent) break;
    if (lead === indent && !line.trimStart().startsWith("- ")) {
      keys.push(Object.keys(yaml.load(line.trim()) as object)[0] as string);
    }
  }
  return keys;
}

/** The index we publish in this test: three versions (one a pre-release) full of hostile strings, plus a chart named "yes". */
function ourIndex(): IndexFile {
  let index = emptyIndex("2025-06-01T12:00:01Z");
  for (const [i, version] of ["1.2.3", "1.10.0-rc.1", "1.10.0"].entries()) {
    const entry = hostileEntry("kube9-operator", version, i * 11);
    entry.description = `${HOSTILE_STRINGS[i * 13] ?? ""} | multi\nline: yes # not a comment`;
    index = mergeEntry(index, entry).index;
  }
  index = mergeEntry(index, hostileEntry("yes", "0.1.0", 5)).index;
  return { ...index, annotations: { "kube9.io/owners": "alto9", on: "1.0" }, publicKeys: ["yes"] };
}

function compareEntry(ours: ChartVersion, helm: Record<string, unknown>): void {
  expect(helm.name).toBe(ours.name);
  expect(helm.version).toBe(ours.version);
  expect(helm.digest).toBe(ours.digest);
  expect(helm.urls).toEqual(ours.urls);
  expect(Date.parse(helm.created as string)).toBe(Date.parse(ours.created));
  expect(helm.apiVersion).toBe(ours.apiVersion);
  // Annotations are not sanitized by Helm: every hostile string comes through as the same string.
  expect(helm.annotations).toEqual(ours.annotations);
  for (const key of ["appVersion", "description", "home", "icon", "kubeVersion"] as const) {
    expect(helm[key], key).toBe(expectedField(ours[key], true));
  }
  const list = (l: string[] | undefined) => {
    const out = l?.map((s) => sanitize(s));
    return out === undefined || out.length === 0 ? undefined : out;
  };
  expect(helm.keywords).toEqual(list(ours.keywords));
  expect(helm.sources).toEqual(list(ours.sources));
  expect(helm.maintainers).toEqual(
    ours.maintainers?.map((m) =>
      Object.fromEntries(
        Object.entries(m)
          .map(([k, v]) => [k, expectedField(v, true)])
          .filter(([, v]) => v !== undefined),
      ),
    ),
  );
  const dep = ours.dependencies?.[0];
  const helmDep = (helm.dependencies as Array<Record<string, unknown>>)[0];
  expect(helmDep?.["import-values"]).toEqual(dep?.["import-values"]);
  expect(helmDep?.alias).toBe(dep?.alias);
  expect(helmDep?.version).toBe(expectedField(dep?.version, true));
}

describe.each(helmClients())("$label reads what we write", ({ path: helm }) => {
  it("loads our index strictly and keeps every entry and every hostile string", () => {
    const ours = ourIndex();
    const result = helmMerge(helm, serializeIndex(ours));
    if (!result.ok) throw new Error(`helm refused our index: ${result.error}`);
    const written = yaml.load(result.text) as { entries: Record<string, Array<Record<string, unknown>>> };
    expect(keysInTextOrder(result.text, "entries:", 2)).toEqual(sortedKeys(ours.entries));
    for (const name of Object.keys(ours.entries)) {
      const ourList = ours.entries[name] ?? [];
      const helmList = written.entries[name] ?? [];
      expect(helmList.map((e) => e.version)).toEqual(ourList.map((e) => e.version));
      ourList.forEach((entry, i) => {
        compareEntry(entry, helmList[i] as Record<string, unknown>);
      });
    }
  });

  it("writes map keys in the order we write them (go yaml.v2 key order)", () => {
    // A key set on which Go's comparison is a total order (with `1e3` added it is not, and Helm's
    // own order then changes from run to run).
    const keys = [
      "chart10",
      "ab",
      "a-b",
      "chart2",
      "B",
      "a10",
      "a9",
      "1.0",
      "10",
      "9",
      "-1",
      "kube9-operator",
      "kube9operator",
      "z",
      "é",
      "true",
    ];
    const entry = hostileEntry("kube9-operator", "1.0.0", 3);
    entry.annotations = Object.fromEntries(keys.map((k) => [k, k]));
    const text = serializeIndex(mergeEntry(emptyIndex("2025-06-01T12:00:01Z"), entry).index);
    const result = helmMerge(helm, text);
    if (!result.ok) throw new Error(result.error);
    const helmOrder = keysInTextOrder(result.text, "  - annotations:", 6);
    expect(helmOrder).toEqual(keysInTextOrder(text, "  - annotations:", 6));
    expect(helmOrder).toEqual(sortedKeys(entry.annotations));
  });

  it("converts YAML 1.1 scalars in string fields the way resolvePlain + goStringOf predict", () => {
    const texts = [
      "123",
      "1.0",
      "1.10",
      "0x1F",
      "0o17",
      "0123",
      "1_000",
      "1e3",
      "1e6",
      "3.14159265",
      "yes",
      "Off",
      "-0",
      "089",
      ".5",
      "+1",
    ];
    const lines = texts.map((t, i) => `  - name: a\n    version: 1.0.${i}\n    urls:\n    - ${t}\n`).join("");
    const result = helmMerge(
      helm,
      `apiVersion: v1\nentries:\n  a:\n${lines}generated: "2025-06-01T12:00:01Z"\n`,
    );
    if (!result.ok) throw new Error(result.error);
    const written = yaml.load(result.text) as { entries: { a: Array<{ version: string; urls: string[] }> } };
    const byVersion = new Map(written.entries.a.map((e) => [e.version, e.urls[0]]));
    texts.forEach((t, i) => {
      expect(byVersion.get(`1.0.${i}`), t).toBe(goStringOf(resolvePlain(t), t));
    });
  });

  it("writes an index that parseIndex accepts", () => {
    const result = helmMerge(helm, serializeIndex(ourIndex()));
    if (!result.ok) throw new Error(result.error);
    const index = parseIndex(result.text, "helm-output.yaml");
    expect(index.entries["kube9-operator"]?.map((e) => e.version)).toEqual([
      "1.10.0",
      "1.10.0-rc.1",
      "1.2.3",
    ]);
  });

  // Every fixture: does Helm load it, do we? Where we differ, we are stricter on purpose.
  const VERDICTS: Record<string, "both accept" | "both refuse" | "helm loses or misreads data, we refuse"> = {
    "annotations-publickeys.yaml": "both accept",
    "chartmuseum.yaml": "both accept",
    "helm2-legacy-keys.yaml": "both accept",
    "helm3-repo-index.yaml": "both accept",
    "helm4-repo-index.yaml": "both accept",
    "helm4-repo-index-json.yaml": "both accept",
    "quoted-yaml11-strings.yaml": "both accept",
    "unordered.yaml": "both accept",
    "invalid-appversion-yes.yaml": "both refuse",
    "invalid-comment-only.yaml": "both refuse",
    "invalid-created-not-rfc3339.yaml": "both refuse",
    "invalid-duplicate-key.yaml": "both refuse",
    "invalid-empty.yaml": "both refuse",
    "invalid-missing-apiversion.yaml": "both refuse",
    "invalid-s3-access-denied.yaml": "both refuse",
    "invalid-truncated.yaml": "both refuse",
    "invalid-unknown-key.yaml": "both refuse",
    "invalid-unquoted-float-version.yaml": "both refuse",
    "invalid-json-duplicate-key.yaml": "helm loses or misreads data, we refuse",
    "invalid-json-unknown-key.yaml": "helm loses or misreads data, we refuse",
    "invalid-name-mismatch.yaml": "helm loses or misreads data, we refuse",
    "invalid-null-entry.yaml": "helm loses or misreads data, we refuse",
    "invalid-version.yaml": "helm loses or misreads data, we refuse",
  };

  it("has a verdict for every fixture", () => {
    expect(Object.keys(VERDICTS).sort()).toEqual(readdirSync(FIXTURES).sort());
  });

  it.each(Object.entries(VERDICTS))("%s: %s", (file, verdict) => {
    const bytes = readFileSync(join(FIXTURES, file));
    const helmResult = helmMerge(helm, bytes);
    let ours: "accept" | "refuse";
    try {
      parseIndex(bytes, file);
      ours = "accept";
    } catch {
      ours = "refuse";
    }
    expect({ helm: helmResult.ok ? "accept" : "refuse", ours }).toEqual(
      verdict === "both accept"
        ? { helm: "accept", ours: "accept" }
        : verdict === "both refuse"
          ? { helm: "refuse", ours: "refuse" }
          : { helm: "accept", ours: "refuse" },
    );
  });

  it("negative control: an unknown key makes both Helm and parseIndex refuse the whole index", () => {
    const good = serializeIndex(ourIndex());
    const bad = good.replace(
      "    version: 1.2.3\n",
      "    version: 1.2.3\n    releaseNotes: https://example.com\n",
    );
    expect(bad).not.toBe(good);
    expect(helmMerge(helm, good).ok).toBe(true);
    const result = helmMerge(helm, bad);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/unknown field "releaseNotes"/);
    expect(() => parseIndex(bad, "bad.yaml")).toThrow(/unknown key `releaseNotes`/);
  });

  it("shows why we refuse what Helm skips: Helm drops the invalid version silently", () => {
    const result = helmMerge(helm, readFileSync(join(FIXTURES, "invalid-version.yaml")));
    if (!result.ok) throw new Error(result.error);
    const written = yaml.load(result.text) as { entries: Record<string, Array<{ version: string }>> };
    expect(written.entries["kube9-operator"]?.map((e) => e.version)).toEqual(["1.0.0"]);
  });
});
