/**
 * The module map of docs/architecture.md as data, and the imports of the sources checked against
 * it. The table is the one home of the rules: test/unit/import-direction.test.ts reads it from the
 * doc, so the doc and the check cannot drift apart.
 */
import ts from "typescript";

export const MAP_START = "<!-- module-map: start";
export const MAP_END = "<!-- module-map: end -->";
/** Row names are paths under this folder unless they start with `infrastructure/`. */
export const RELEASE_SRC = "release/src/";

export interface ModuleRule {
  /** As the table writes it: `chart/`, `cli/run.ts`, `infrastructure/lib/`. */
  name: string;
  /** Repository-relative path prefix (a folder ending in `/`) or file. */
  path: string;
  /** Row names this module may import. */
  modules: Set<string>;
  /** Whether it may import every module outside `cli/` (the table's **core**). */
  core: boolean;
  /** npm packages, exact or `@scope/*`. */
  packages: string[];
  /** Whether `node:` built-ins are allowed. */
  nodeBuiltins: boolean;
}

/** The rows between the markers: | `module` | what it is | may import |. */
export function parseModuleMap(markdown: string): ModuleRule[] {
  const start = markdown.indexOf(MAP_START);
  const end = markdown.indexOf(MAP_END);
  if (start === -1 || end < start) throw new Error(`no module map between ${MAP_START} and ${MAP_END}`);
  const rows = markdown
    .slice(start, end)
    .split("\n")
    .filter((line) => line.startsWith("| `"));
  return rows.map((line) => {
    const cells = line
      .split("|")
      .slice(1, -1)
      .map((cell) => cell.trim());
    const name = (cells[0] ?? "").replace(/`/g, "");
    const allowed = cells[2] ?? "";
    const nothing = allowed.startsWith("nothing");
    const tokens = nothing ? [] : allowed.split(",").map((token) => token.trim());
    return {
      name,
      path: name.startsWith("infrastructure/") ? name : `${RELEASE_SRC}${name}`,
      modules: new Set(tokens.filter((t) => t.startsWith("`")).map((t) => t.replace(/`/g, ""))),
      core: tokens.includes("core"),
      packages: tokens.filter((t) => t !== "core" && !t.startsWith("`")),
      nodeBuiltins: !allowed.includes("not even `node:`"),
    };
  });
}

/** The row holding `file` (repository-relative): the longest matching path. */
export function moduleOf(rules: readonly ModuleRule[], file: string): ModuleRule | undefined {
  let best: ModuleRule | undefined;
  for (const rule of rules) {
    const holds = rule.path.endsWith("/") ? file.startsWith(rule.path) : file === rule.path;
    if (holds && (best === undefined || rule.path.length > best.path.length)) best = rule;
  }
  return best;
}

function isCore(rule: ModuleRule): boolean {
  return rule.path.startsWith(RELEASE_SRC) && !rule.name.startsWith("cli/");
}

/** What one import names: a file of the repository, a package, or a built-in. */
type Target =
  | { kind: "file"; path: string }
  | { kind: "package"; name: string }
  | { kind: "builtin"; name: string };

/** The package export through which infrastructure/ reaches policy/ (release/package.json's, as source). */
export const PACKAGE_EXPORTS: Readonly<Record<string, string>> = {
  "@kube9/release/policy": `${RELEASE_SRC}policy/repository-policy.ts`,
};

export function targetOf(importer: string, specifier: string): Target {
  if (specifier.startsWith("node:")) return { kind: "builtin", name: specifier };
  const exported = PACKAGE_EXPORTS[specifier];
  if (exported !== undefined) return { kind: "file", path: exported };
  if (!specifier.startsWith(".")) {
    const parts = specifier.split("/");
    const name = specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? specifier);
    return { kind: "package", name };
  }
  const segments = importer.split("/").slice(0, -1);
  for (const part of specifier.split("/")) {
    if (part === "..") segments.pop();
    else if (part !== ".") segments.push(part);
  }
  return { kind: "file", path: segments.join("/").replace(/\.js$/, ".ts") };
}

/** Every module specifier a TypeScript source imports: static, type-only, re-exports, dynamic. */
export function importsOf(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((file) => file.fileName);
}

export interface Violation {
  file: string;
  specifier: string;
  why: string;
}

export interface Edge {
  from: string;
  to: string;
}

export interface Checked {
  violations: Violation[];
  /** Imports between different modules, once each. */
  edges: Edge[];
}

/** Checks every import of `files` (repository-relative path -> source) against the rules. */
export function checkImports(rules: readonly ModuleRule[], files: ReadonlyMap<string, string>): Checked {
  const violations: Violation[] = [];
  const edges = new Map<string, Edge>();
  for (const [file, source] of files) {
    const from = moduleOf(rules, file);
    if (from === undefined) {
      violations.push({ file, specifier: "", why: "no row of the module map holds this file: add one" });
      continue;
    }
    for (const specifier of importsOf(source)) {
      const why = judge(rules, from, file, specifier, edges);
      if (why !== undefined) violations.push({ file, specifier, why });
    }
  }
  return { violations, edges: [...edges.values()] };
}

function judge(
  rules: readonly ModuleRule[],
  from: ModuleRule,
  file: string,
  specifier: string,
  edges: Map<string, Edge>,
): string | undefined {
  const target = targetOf(file, specifier);
  if (target.kind === "builtin") {
    return from.nodeBuiltins ? undefined : `${from.name} may not import built-ins`;
  }
  if (target.kind === "package") {
    const allowed = from.packages.some(
      (p) => p === target.name || (p.endsWith("/*") && target.name.startsWith(p.slice(0, -1))),
    );
    return allowed ? undefined : `${from.name} may not import the package ${target.name}`;
  }
  const to = moduleOf(rules, target.path);
  if (to === undefined) return `${target.path} is outside the module map`;
  if (to === from) return undefined;
  edges.set(`${from.name} ${to.name}`, { from: from.name, to: to.name });
  if (from.modules.has(to.name) || (from.core && isCore(to))) return undefined;
  return `${from.name} may not import ${to.name}`;
}

/** Groups of modules that import each other in a circle (Tarjan's strongly connected components). */
export function cyclesOf(edges: readonly Edge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) next.set(from, [...(next.get(from) ?? []), to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node) ?? 0);
    stack.push(node);
    onStack.add(node);
    for (const to of next.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(to) ?? 0));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node) ?? 0, index.get(to) ?? 0));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop();
      if (member === undefined) break;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1) cycles.push(component.sort());
  };
  for (const node of new Set(edges.flatMap((edge) => [edge.from, edge.to]))) {
    if (!index.has(node)) visit(node);
  }
  return cycles;
}

/** The edges the table itself allows (core expanded), to check that the map is layered. */
export function allowedEdges(rules: readonly ModuleRule[]): Edge[] {
  return rules.flatMap((rule) =>
    rules
      .filter((to) => to !== rule && (rule.modules.has(to.name) || (rule.core && isCore(to))))
      .map((to) => ({ from: rule.name, to: to.name })),
  );
}
