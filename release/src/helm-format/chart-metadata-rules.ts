/**
 * The rules on Chart.yaml metadata values, as one table applied at three strictnesses:
 * - `chart`: our own Chart.yaml (chart/chart-yaml.ts), stricter than Helm where Helm's leniency
 *   corrupts data (strict SemVer 2, `helm create`'s name charset);
 * - `subchart`: a dependency's Chart.yaml under charts/ (chart/subchart-yaml.ts), only what Helm's
 *   loader requires (pkg/chart/v2 metadata.go Validate): subcharts are often third-party charts;
 * - `entry`: a chart version of index.yaml (repo/parse/read-entry.ts), Helm's Validate, whose failure
 *   makes Helm skip the version (we refuse the index instead, so that it is not dropped silently).
 *
 * A row says, per strictness, what is wrong and how to fix it; a strictness without a text does not
 * apply the row. Rows of one field are checked in table order and the first broken one is reported.
 * The callers read the values (each with its own YAML typing rules) and turn a violation into
 * their error (CHART_INVALID for Chart.yaml, INDEX_INVALID for index.yaml).
 */
import { cachedCheck, isHelmVersion, isStrictSemver, isValidConstraint } from "./version.js";

export type Strictness = "chart" | "subchart" | "entry";

export type RuleField =
  | "apiVersion"
  | "name"
  | "version"
  | "kubeVersion"
  | "type"
  | "url"
  | "maintainer email"
  | "dependency version"
  | "alias";

export interface RuleSubject {
  /** The value; "" when absent. */
  value: string;
  /** The field as the message names it: "version", or an option such as --version. */
  field: string;
  /** entry: the key of `entries` the version is listed under, when there is one. */
  listedUnder?: string | undefined;
}

export interface Violation {
  message: string;
  fix: string;
}

type Say = (subject: RuleSubject) => Violation;

export interface MetadataRule {
  field: RuleField;
  /** True when an empty value ("", or absent) is judged too; other rows only judge non-empty values. */
  checksEmpty?: true;
  breaks(subject: RuleSubject, at: Strictness): boolean;
  says: Partial<Record<Strictness, Say>>;
}

/** Helm's loader skips an index entry that fails Validate; this names why we refuse instead. */
const SKIPPED = "Helm skips this chart version with a warning; refusing so that it is not dropped silently";

const q = JSON.stringify;

/** Chart names become archive file names and URL paths: `helm create`'s rule. */
const NAME_FORMAT = /^[a-zA-Z0-9._-]+$/;

/** Helm's dependency alias rule (pkg/chart/v2 dependency.go). */
export const ALIAS_FORMAT = /^[a-zA-Z0-9_-]+$/;

/** How a subchart and an index entry report a name Helm refuses, whichever rule refused it. */
const NAME_NOT_ALLOWED = {
  subchart: ({ value }: { value: string }) => ({
    message: `subchart name ${q(value)} is not allowed`,
    fix: "fix the subchart's name",
  }),
  entry: ({ value }: { value: string }) => ({
    message: `chart name "${value}" is not allowed: ${SKIPPED}`,
    fix: "use a plain name without `/` or `\\`",
  }),
};

export const CHART_METADATA_RULES: readonly MetadataRule[] = [
  {
    field: "apiVersion",
    checksEmpty: true,
    breaks: ({ value }) => value === "",
    says: {
      chart: () => ({
        message: "apiVersion is required",
        fix: "add apiVersion: v2 as the first line of Chart.yaml",
      }),
    },
  },
  {
    field: "apiVersion",
    breaks: ({ value }) => value === "v1",
    says: {
      chart: () => ({
        message:
          "apiVersion v1 (a Helm 2 chart) is not accepted: only apiVersion v2 charts are packaged and published",
        fix: "set apiVersion: v2, and move any requirements.yaml dependencies into Chart.yaml (and requirements.lock to Chart.lock)",
      }),
    },
  },
  {
    field: "apiVersion",
    breaks: ({ value }) => value !== "v2",
    says: {
      chart: ({ value }) => ({ message: `apiVersion ${q(value)} is not v2`, fix: "set apiVersion: v2" }),
    },
  },
  {
    field: "name",
    checksEmpty: true,
    breaks: ({ value }) => value === "",
    says: {
      chart: ({ field }) => ({ message: `${field} is required`, fix: `add ${field}: <chart name>` }),
      subchart: () => ({
        message: "the subchart has no name",
        fix: "add name: to the subchart's Chart.yaml",
      }),
      entry: ({ listedUnder }) => ({
        message: `chart name is missing: ${SKIPPED}`,
        fix: `add name: ${listedUnder ?? "<chart name>"}`,
      }),
    },
  },
  {
    field: "name",
    breaks: ({ value }) => value === "." || value === "..",
    says: {
      chart: ({ field, value }) => ({
        message: `${field} ${q(value)} is not allowed`,
        fix: "name the chart after its directory, e.g. kube9-operator",
      }),
      ...NAME_NOT_ALLOWED,
    },
  },
  {
    field: "name",
    // Helm's loader refuses only "/" in a subchart's name; Validate refuses "\" too.
    breaks: ({ value }, at) => value.includes("/") || (at !== "subchart" && value.includes("\\")),
    says: {
      chart: ({ field, value }) => ({
        message: `${field} ${q(value)} must not contain / or \\`,
        fix: "use a single word such as kube9-operator",
      }),
      ...NAME_NOT_ALLOWED,
    },
  },
  {
    field: "name",
    breaks: ({ value }) => !NAME_FORMAT.test(value),
    says: {
      chart: ({ field, value }) => ({
        message: `${field} ${q(value)} may only contain letters, digits, ".", "_" and "-" (it becomes part of archive file names and URLs)`,
        fix: "use lowercase letters, digits and dashes, e.g. kube9-operator",
      }),
    },
  },
  {
    field: "name",
    breaks: ({ value, listedUnder }) => listedUnder !== undefined && value !== listedUnder,
    says: {
      entry: ({ value, listedUnder }) => ({
        message: `entry name "${value}" differs from the chart it is listed under ("${listedUnder}")`,
        fix: `list it under entries.${value}, or set name: ${listedUnder}`,
      }),
    },
  },
  {
    field: "version",
    checksEmpty: true,
    breaks: ({ value }) => value === "",
    says: {
      chart: ({ field }) => ({
        message: `${field} is required`,
        fix: `set ${field} to a SemVer 2 version such as 1.2.3`,
      }),
      subchart: () => ({
        message: "the subchart has no version",
        fix: "add version: to the subchart's Chart.yaml",
      }),
      entry: () => ({
        message: `chart version is missing: ${SKIPPED}`,
        fix: "add the version from the chart's Chart.yaml",
      }),
    },
  },
  {
    field: "version",
    breaks: ({ value }) => /^[vV]/.test(value),
    says: {
      chart: ({ field, value }) => ({
        message: `${field} ${q(value)} starts with "${value[0]}"; chart versions are plain SemVer`,
        fix: `write ${q(value.slice(1))} (the release tag may be v-prefixed, the chart version is not)`,
      }),
    },
  },
  {
    field: "version",
    breaks: ({ value }) => value.includes("+"),
    says: {
      chart: ({ field, value }) => ({
        message: `${field} ${q(value)} carries +build metadata, which Helm ignores when it matches versions (1.0.0+a and 1.0.0+b would be the same chart version)`,
        fix: `drop the build metadata (${q(value.slice(0, value.indexOf("+")))}) or use a pre-release such as 1.0.0-rc.1`,
      }),
    },
  },
  {
    field: "version",
    breaks: ({ value }) => !isStrictSemver(value),
    says: {
      chart: ({ field, value }) => ({
        message: `${field} ${q(value)} is not a SemVer 2 version`,
        fix: "use MAJOR.MINOR.PATCH with an optional -pre.release, e.g. 1.2.3 or 1.3.0-rc.1 (no leading zeros)",
      }),
    },
  },
  {
    field: "version",
    // Helm's loader takes a version it cannot compare (a part above 2^53 - 1); an index entry's
    // version must be comparable, since the index is ordered by it.
    breaks: ({ value }, at) => (at === "subchart" ? !isHelmVersion(value) : !cachedCheck(value).ok),
    says: {
      subchart: ({ value }) => ({
        message: `subchart version ${q(value)} is not a version Helm can parse`,
        fix: "use a SemVer version such as 1.2.3",
      }),
      entry: ({ value }) => {
        const check = cachedCheck(value);
        const message = check.ok
          ? ""
          : check.reason === "invalid"
            ? `${check.message}: ${SKIPPED}`
            : check.message;
        return { message, fix: "fix the version (SemVer 2, e.g. 1.2.3) or remove this entry" };
      },
    },
  },
  {
    field: "kubeVersion",
    breaks: ({ value }) => !isValidConstraint(value),
    says: {
      chart: ({ value }) => ({
        message: `kubeVersion ${q(value)} is not a version constraint Helm can evaluate`,
        fix: 'write a constraint such as ">=1.25.0-0" (operators =, !=, >, <, >=, <=, ~, ^; "," or a space for AND, "||" for OR)',
      }),
    },
  },
  {
    field: "type",
    breaks: ({ value }) => value !== "application" && value !== "library",
    says: {
      chart: ({ value }) => ({
        message: `type ${q(value)} is not a chart type`,
        fix: "set type to application or library, or remove it",
      }),
      subchart: ({ value }) => ({
        message: `subchart type ${q(value)} is not a chart type`,
        fix: "set type to application or library",
      }),
      entry: ({ value }) => ({
        message: `chart type "${value}" must be application or library: ${SKIPPED}`,
        fix: "fix the type",
      }),
    },
  },
  {
    field: "url",
    checksEmpty: true,
    breaks: ({ value }) => !URL.canParse(value),
    says: {
      chart: ({ field, value }) => ({
        message: `${field} ${q(value)} is not an absolute URL (helm lint refuses it)`,
        fix: "write a full URL such as https://github.com/alto9/kube9-operator",
      }),
    },
  },
  {
    field: "maintainer email",
    breaks: ({ value }) => !/^[^@\s]+@[^@\s]+$/.test(value),
    says: {
      chart: ({ value }) => ({
        message: `${q(value)} is not an email address`,
        fix: "write user@example.com or remove email",
      }),
    },
  },
  {
    field: "dependency version",
    breaks: ({ value }) => !isValidConstraint(value),
    says: {
      chart: ({ value }) => ({
        message: `${q(value)} is not a version or version range`,
        fix: 'write a version such as 1.2.3 or a range such as "~1.2.0"',
      }),
    },
  },
  {
    field: "alias",
    breaks: ({ value }) => !ALIAS_FORMAT.test(value),
    says: {
      chart: ({ value }) => ({
        message: `alias ${q(value)} has characters Helm does not allow`,
        fix: "use only letters, digits, _ and - (values keys are taken from the alias)",
      }),
      subchart: ({ value }) => ({
        message: `alias ${q(value)} has characters Helm does not allow`,
        fix: "use only letters, digits, _ and -",
      }),
      entry: ({ value }) => ({
        message: `dependency alias "${value}" has characters Helm refuses: Helm skips this chart version`,
        fix: "use only letters, digits, `_` and `-` in an alias",
      }),
    },
  },
];

/** The rows of each field and strictness, in table order: an index checks tens of thousands of entries. */
const rowsByTable = new WeakMap<readonly MetadataRule[], Map<string, Array<[MetadataRule, Say]>>>();

function rowsOf(
  rules: readonly MetadataRule[],
  field: RuleField,
  at: Strictness,
): Array<[MetadataRule, Say]> {
  let byKey = rowsByTable.get(rules);
  if (byKey === undefined) {
    byKey = new Map();
    rowsByTable.set(rules, byKey);
  }
  const key = `${field}/${at}`;
  let rows = byKey.get(key);
  if (rows === undefined) {
    rows = [];
    for (const rule of rules) {
      const say = rule.says[at];
      if (rule.field === field && say !== undefined) rows.push([rule, say]);
    }
    byKey.set(key, rows);
  }
  return rows;
}

/**
 * The first rule of `field` that `subject` breaks at strictness `at`, or undefined. `rules` is the
 * table above unless a test gives another.
 */
export function metadataViolation(
  field: RuleField,
  subject: RuleSubject,
  at: Strictness,
  rules: readonly MetadataRule[] = CHART_METADATA_RULES,
): Violation | undefined {
  for (const [rule, say] of rowsOf(rules, field, at)) {
    if (subject.value === "" && rule.checksEmpty !== true) continue;
    if (rule.breaks(subject, at)) return say(subject);
  }
  return undefined;
}
