/**
 * .helmignore, with Helm's own semantics (helm.sh/helm pkg/ignore rules.go), which are not
 * gitignore's:
 *
 * - one rule per line, surrounding whitespace trimmed, `#` starts a comment line, no inline comments;
 * - globs are Go's filepath.Match (see go-match.ts); `**` is an error;
 * - a trailing `/` makes the rule match directories only;
 * - a leading `/` anchors the rule to the chart root; a rule with a `/` elsewhere is matched against
 *   the whole path relative to the chart root; a rule without `/` against the base name only;
 * - rules are tried in order and the FIRST one that decides wins. A negated rule `!p` decides
 *   "ignore" for every path p does NOT match, and lets paths that match fall through to later rules.
 *   So `!p` does not re-include what an earlier rule ignored, and it ignores everything else that no
 *   earlier rule ignored. Surprising, but it is what Helm does.
 *
 * Helm always adds one rule after the file's: `templates/.?*` (dotfiles directly in templates/).
 * Nothing else is ignored by default: .helmignore itself is packaged unless a rule ignores it.
 */
import { ReleaseError } from "../errors.js";
import { BadPatternError, goMatch } from "./go-match.js";

interface Rule {
  raw: string;
  line: number;
  negate: boolean;
  mustDir: boolean;
  /** Pattern matched against the whole path (anchored or containing `/`) or the base name. */
  pattern: string;
  wholePath: boolean;
}

// Go's strings.TrimSpace: unicode.IsSpace characters at either end.
const GO_TRIM =
  /^[\t\n\v\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]+|[\t\n\v\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]+$/gu;

export const HELMIGNORE_DEFAULT_RULE = "templates/.?*";

function parseRule(raw: string, line: number): Rule | undefined {
  const text = raw.replace(GO_TRIM, "");
  if (text === "" || text.startsWith("#")) return undefined;
  if (text.includes("**")) throw new Error("double-star (**) syntax is not supported");
  goMatch(text, "abc"); // throws on a malformed pattern, as Helm checks
  let rule = text;
  const negate = rule.startsWith("!");
  if (negate) rule = rule.slice(1);
  const mustDir = rule.endsWith("/");
  if (mustDir) rule = rule.slice(0, -1);
  if (rule.startsWith("/"))
    return { raw: text, line, negate, mustDir, pattern: rule.slice(1), wholePath: true };
  return { raw: text, line, negate, mustDir, pattern: rule, wholePath: rule.includes("/") };
}

function baseName(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  if (trimmed === "") return path === "" ? "." : "/";
  return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}

function matches(rule: Rule, path: string): boolean {
  try {
    return goMatch(rule.pattern, rule.wholePath ? path : baseName(path));
  } catch (error) {
    if (error instanceof BadPatternError) return false; // Helm logs and treats it as no match
    throw error;
  }
}

export class HelmIgnore {
  private constructor(private readonly rules: readonly Rule[]) {}

  static empty(): HelmIgnore {
    return new HelmIgnore([]);
  }

  /** Parses a .helmignore file; `file` names it in errors (field `line N`). */
  static parse(text: string, file: string): HelmIgnore {
    const rules: Rule[] = [];
    const lines = text.replace(/^\uFEFF/, "").split("\n");
    if (lines.at(-1) === "") lines.pop();
    lines.forEach((line, index) => {
      try {
        const rule = parseRule(line.replace(/\r$/, ""), index + 1);
        if (rule !== undefined) rules.push(rule);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new ReleaseError(
          "CHART_INVALID",
          `.helmignore rule ${JSON.stringify(line.trim())} is invalid: ${reason}`,
          {
            file,
            field: `line ${index + 1}`,
            fix: "Helm's .helmignore has no ** (use a rule per directory level or a directory rule such as dir/); check [ ] classes and trailing \\",
            cause: error,
          },
        );
      }
    });
    return new HelmIgnore(rules);
  }

  /** These rules followed by Helm's default `templates/.?*`, as Helm's directory loader uses them. */
  withDefaults(): HelmIgnore {
    const defaults = parseRule(HELMIGNORE_DEFAULT_RULE, 0) as Rule;
    return new HelmIgnore([...this.rules, defaults]);
  }

  /** Whether `path` (posix, relative to the chart root, no trailing `/`) is left out of the chart. */
  ignores(path: string, isDirectory: boolean): boolean {
    if (path === "" || path === "." || path === "./") return false;
    for (const rule of this.rules) {
      if (rule.negate) {
        if (rule.mustDir && !isDirectory) return true;
        if (!matches(rule, path)) return true;
        continue;
      }
      if (rule.mustDir && !isDirectory) continue;
      if (matches(rule, path)) return true;
    }
    return false;
  }
}
