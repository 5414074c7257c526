/**
 * The update bot's configuration (.github/dependabot.yml) covers every pin the repository has,
 * grouped, and the Go tool pins it can read (tools/pins/<tool>/go.mod) say what
 * scripts/tools.json says: a bot update of a go.mod fails here until tools.json follows.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { load } from "js-yaml";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../support/tools.js";

interface Update {
  "package-ecosystem": string;
  directory?: string;
  directories?: string[];
  groups?: Record<string, { patterns: string[] }>;
  allow?: Array<Record<string, string>>;
}

const config = load(readFileSync(join(repoRoot, ".github", "dependabot.yml"), "utf8")) as {
  version: number;
  updates: Update[];
};
const tools = JSON.parse(readFileSync(join(repoRoot, "scripts", "tools.json"), "utf8")) as Record<
  string,
  { module?: string; version: string; ldflags?: string }
>;
const goTools = Object.entries(tools).filter(([, tool]) => tool.module !== undefined);
const updateOf = (ecosystem: string) => config.updates.find((u) => u["package-ecosystem"] === ecosystem);

/** `require <module> <version>` lines of a go.mod, single or in a block, without `// indirect`. */
function directRequires(goMod: string): Map<string, string> {
  const requires = new Map<string, string>();
  const lines = goMod.split("\n");
  let inBlock = false;
  for (const line of lines) {
    const trimmed = line.trim();
    if (trimmed === "require (" || (inBlock && trimmed === ")")) {
      inBlock = trimmed === "require (";
      continue;
    }
    const match = (inBlock ? /^(\S+) (\S+)$/ : /^require (\S+) (\S+)$/).exec(trimmed);
    if (match !== null && !trimmed.includes("// indirect"))
      requires.set(match[1] as string, match[2] as string);
  }
  return requires;
}

describe("update bot configuration", () => {
  it("updates the actions, the npm lockfile and the Go tool pins", () => {
    expect(config.version).toBe(2);
    expect(config.updates.map((u) => u["package-ecosystem"]).sort()).toEqual([
      "github-actions",
      "gomod",
      "npm",
    ]);
    expect(updateOf("github-actions")?.directory).toBe("/");
    expect(updateOf("npm")?.directory).toBe("/");
  });

  it("groups every update of an ecosystem into one pull request", () => {
    for (const update of config.updates) {
      const patterns = Object.values(update.groups ?? {}).flatMap((group) => group.patterns);
      expect(patterns, update["package-ecosystem"]).toContain("*");
    }
  });

  it("has one npm lockfile, at the root, covering every workspace", () => {
    const root = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { workspaces: string[] };
    const lock = JSON.parse(readFileSync(join(repoRoot, "package-lock.json"), "utf8")) as {
      packages: Record<string, unknown>;
    };
    for (const workspace of root.workspaces) {
      expect(Object.keys(lock.packages)).toContain(workspace);
      expect(readdirSync(join(repoRoot, workspace))).not.toContain("package-lock.json");
    }
  });

  it("reads a Go module for every Go tool of scripts/tools.json, and nothing else", () => {
    expect([...(updateOf("gomod")?.directories ?? [])].sort()).toEqual(
      goTools.map(([name]) => `/tools/pins/${name}`).sort(),
    );
    expect(readdirSync(join(repoRoot, "tools", "pins")).sort()).toEqual(goTools.map(([name]) => name).sort());
  });
});

describe.each(goTools)("Go tool pin %s", (name, tool) => {
  const dir = join(repoRoot, "tools", "pins", name);
  const goMod = readFileSync(join(dir, "go.mod"), "utf8");
  const requires = directRequires(goMod);

  it("requires exactly the tool's module at the version of scripts/tools.json", () => {
    expect(requires.size).toBe(1);
    const [module, version] = [...requires][0] as [string, string];
    expect(tool.module?.startsWith(`${module}/`) || tool.module === module).toBe(true);
    expect(
      version,
      `tools/pins/${name}/go.mod and scripts/tools.json disagree: set both to one version`,
    ).toBe(tool.version);
  });

  it("imports the tool's package, so tidy keeps the requirement direct", () => {
    expect(readFileSync(join(dir, "tools.go"), "utf8")).toContain(`import _ "${tool.module}"`);
    expect(goMod).toContain(`tool ${tool.module}`);
  });

  it("stamps the same version into the binary", () => {
    for (const stamped of tool.ldflags?.match(/version=v[\w.+-]+/g) ?? []) {
      expect(stamped).toBe(`version=${tool.version}`);
    }
  });
});
