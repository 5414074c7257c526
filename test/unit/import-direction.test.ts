/**
 * The import direction of docs/architecture.md's module map, enforced on the sources of
 * release/src and infrastructure/: every import is one its module's row allows, every file
 * belongs to a row, and modules import each other in no circle. The rules are read from the doc
 * itself (test/support/import-graph.ts), so changing what may import what is one table row.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  allowedEdges,
  checkImports,
  cyclesOf,
  type ModuleRule,
  PACKAGE_EXPORTS,
  parseModuleMap,
  RELEASE_SRC,
} from "../support/import-graph.js";
import { repoRoot } from "../support/tools.js";

const read = (file: string) => readFileSync(join(repoRoot, file), "utf8");
const rules = parseModuleMap(read("docs/architecture.md"));

/** The TypeScript sources under `folder` (repository-relative), declaration files aside. */
function sources(folder: string): string[] {
  if (!existsSync(join(repoRoot, folder))) return [];
  return readdirSync(join(repoRoot, folder), { withFileTypes: true }).flatMap((entry) => {
    const path = `${folder}/${entry.name}`;
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

const files = new Map(
  ["release/src", "infrastructure/lib", "infrastructure/bin"]
    .flatMap(sources)
    .map((file) => [file, readFileSync(join(repoRoot, file), "utf8")] as const),
);
const checked = checkImports(rules, files);

describe("the module map of docs/architecture.md", () => {
  it("is read from the doc, one row per module, each naming a path that exists", () => {
    expect(rules.length).toBeGreaterThanOrEqual(15);
    expect(new Set(rules.map((rule) => rule.name)).size).toBe(rules.length);
    for (const rule of rules) expect(existsSync(join(repoRoot, rule.path)), rule.path).toBe(true);
  });

  it("lets no core module import cli/, and only cli/run.ts import the commands", () => {
    for (const rule of rules) {
      const cli = [...rule.modules].filter((name) => name.startsWith("cli/"));
      if (!rule.name.startsWith("cli/")) expect(cli, rule.name).toEqual([]);
      if (rule.name !== "cli/run.ts") expect(rule.modules.has("cli/commands/"), rule.name).toBe(false);
    }
  });

  it("is layered: what it allows has no circle", () => {
    expect(cyclesOf(allowedEdges(rules))).toEqual([]);
  });

  it("knows release/package.json's exports, as the sources they are built from", () => {
    const { exports } = JSON.parse(read("release/package.json")) as {
      exports: Record<string, { default: string }>;
    };
    const asSource = Object.entries(exports).map(([subpath, target]) => [
      `@kube9/release${subpath.slice(1)}`,
      target.default.replace(/^\.\/dist\//, RELEASE_SRC).replace(/\.js$/, ".ts"),
    ]);
    expect(Object.fromEntries(asSource)).toEqual(PACKAGE_EXPORTS);
  });

  it("keeps policy/ free of every import, so infrastructure/ can load it alone", () => {
    const policy = rules.find((rule) => rule.name === "policy/") as ModuleRule;
    expect([policy.modules.size, policy.packages.length, policy.nodeBuiltins]).toEqual([0, 0, false]);
  });
});

describe("the imports of release/src and infrastructure/", () => {
  it("reads every source file", () => {
    expect(files.size).toBeGreaterThan(100);
    expect(checked.edges.length).toBeGreaterThan(20);
  });

  it("are all ones the module map allows", () => {
    expect(
      checked.violations.map((v) => `${v.file}: ${v.specifier}: ${v.why}`),
      "change the import, or the module map in docs/architecture.md if the design changed",
    ).toEqual([]);
  });

  it("make no circle between modules", () => {
    expect(cyclesOf(checked.edges)).toEqual([]);
  });
});

describe("the check is not vacuous", () => {
  const fake = (entries: Record<string, string>) => checkImports(rules, new Map(Object.entries(entries)));

  it("refuses core importing cli/, an adapter importing a command, and an unmapped file", () => {
    const { violations } = fake({
      "release/src/storage/x.ts": 'import { a } from "../cli/options.js";',
      "release/src/cli/options2.ts": 'import { b } from "./commands/chart-publish.js";',
      "release/src/nowhere.ts": "",
      "release/src/policy/y.ts": 'import { c } from "node:fs";',
      "infrastructure/lib/z.ts":
        'import { d } from "../../release/src/storage/object-policy.js";\nimport { e } from "commander";',
    });
    expect(violations.map((v) => v.why)).toEqual([
      "storage/ may not import cli/",
      "cli/ may not import cli/commands/",
      "no row of the module map holds this file: add one",
      "policy/ may not import built-ins",
      "infrastructure/lib/ may not import storage/",
      "infrastructure/lib/ may not import the package commander",
    ]);
  });

  it("finds a circle, and reads type-only, re-exported and dynamic imports", () => {
    const { edges, violations } = fake({
      "release/src/repo/a.ts": 'import type { X } from "../chart/chart-yaml.js";',
      "release/src/chart/b.ts":
        'export { y } from "../repo/order.js";\nconst z = await import("../image/tag-set.js");',
    });
    expect(cyclesOf(edges)).toEqual([["chart/", "repo/"]]);
    expect(violations.map((v) => v.why)).toEqual([
      "repo/ may not import chart/",
      "chart/ may not import repo/",
      "chart/ may not import image/",
    ]);
  });

  it("lets infrastructure/ reach policy/ through the package export only", () => {
    const { violations, edges } = fake({
      "infrastructure/lib/w.ts": 'import { INDEX } from "@kube9/release/policy";',
    });
    expect(violations).toEqual([]);
    expect(edges).toEqual([{ from: "infrastructure/lib/", to: "policy/" }]);
  });
});
