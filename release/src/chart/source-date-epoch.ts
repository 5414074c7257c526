/**
 * The timestamp written into every member of a chart archive. Same chart, same version, same
 * epoch: same bytes. In order of preference:
 *
 * 1. SOURCE_DATE_EPOCH from the environment (reproducible-builds.org), whole seconds >= 0;
 * 2. the commit time of the last commit that touched the chart directory (`git log -1 --format=%ct
 *    -- <dir>`): an unrelated commit elsewhere in the repository must not change the archive of an
 *    unchanged chart, which HEAD's time would;
 * 3. 0 (1970-01-01T00:00:00Z) outside a git repository, or for a chart git does not know yet.
 *
 * Git is injected (same shape as cli/git.ts runGit) so tests need no global patching.
 */
import { ReleaseError } from "../errors.js";

export type GitRunner = (args: string[], cwd: string) => Promise<{ ok: boolean; stdout: string }>;

export interface SourceDateEpochInput {
  env: Readonly<Record<string, string | undefined>>;
  chartDir: string;
  runGit: GitRunner;
}

export interface SourceDateEpoch {
  epoch: number;
  source: "SOURCE_DATE_EPOCH" | "git" | "default";
}

/** Largest mtime a ustar header holds (11 octal digits): year 2242. */
const MAX_EPOCH = 8 ** 11 - 1;

export async function resolveSourceDateEpoch(input: SourceDateEpochInput): Promise<SourceDateEpoch> {
  const fromEnv = input.env.SOURCE_DATE_EPOCH;
  if (fromEnv !== undefined && fromEnv !== "") {
    const epoch = /^[0-9]+$/.test(fromEnv) ? Number(fromEnv) : Number.NaN;
    if (!Number.isSafeInteger(epoch) || epoch > MAX_EPOCH) {
      throw new ReleaseError(
        "USAGE",
        `SOURCE_DATE_EPOCH=${JSON.stringify(fromEnv)} is not a whole number of seconds since 1970`,
        {
          field: "SOURCE_DATE_EPOCH",
          fix: "set it to a Unix time in seconds, e.g. SOURCE_DATE_EPOCH=$(git log -1 --format=%ct), or unset it",
        },
      );
    }
    return { epoch, source: "SOURCE_DATE_EPOCH" };
  }
  const git = await input.runGit(["log", "-1", "--format=%ct", "--", "."], input.chartDir);
  const text = git.stdout.trim();
  if (git.ok && /^[0-9]+$/.test(text)) {
    const epoch = Number(text);
    if (Number.isSafeInteger(epoch) && epoch <= MAX_EPOCH) return { epoch, source: "git" };
  }
  return { epoch: 0, source: "default" };
}
