/**
 * What a `uses:` names. Steps use actions pinned by a full commit SHA (`owner/repo[/path]@<40 hex>`:
 * a tag can be moved to other code, a SHA cannot) or an action in this repository (`./path`).
 * Jobs use reusable workflows of this repository (`./.github/workflows/<file>.yml`).
 */
import type { Where } from "./yaml-shape.js";

export interface ActionRef {
  /** The ActionMap key: `owner/repo[/path]` (no ref), or `./path` for an action of this repository. */
  key: string;
  /** The pinned commit, absent for an action of this repository. */
  sha?: string;
  /** As written in the workflow. */
  uses: string;
}

const SHA = /^[0-9a-f]{40}$/;
const REMOTE = /^([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(?:\/[^@\s]+)?)@([^@\s]+)$/;

export function parseActionRef(uses: string, where: Where): ActionRef {
  if (uses.startsWith("docker://")) where.unsupported(`the container action ${uses}`);
  if (uses.startsWith("./")) return { key: uses.replace(/\/+$/, ""), uses };
  const match = REMOTE.exec(uses);
  if (match === null) {
    where.fail(
      `${JSON.stringify(uses)} is not owner/repo[/path]@<commit SHA>`,
      "pin the action by its full commit SHA",
    );
  }
  const [, key, ref] = match as unknown as [string, string, string];
  if (!SHA.test(ref)) {
    where.fail(
      `action ${key} is pinned to ${JSON.stringify(ref)}, not a full 40-character commit SHA`,
      `pin it by commit: uses: ${key}@<sha> # ${ref} (a tag or branch can be moved to other code)`,
    );
  }
  return { key, sha: ref, uses };
}

const LOCAL_WORKFLOW = /^\.\/\.github\/workflows\/[^/]+\.ya?ml$/;

/** The repository-relative path of a job's reusable workflow. */
export function parseReusableWorkflowRef(uses: string, where: Where): string {
  if (LOCAL_WORKFLOW.test(uses)) return uses.slice(2);
  if (uses.includes("@")) {
    where.unsupported(
      `the reusable workflow of another repository ${uses}`,
      "call a workflow of this repository (./.github/workflows/<file>.yml), or remove it",
    );
  }
  return where.fail(
    `${JSON.stringify(uses)} is not a reusable workflow of this repository`,
    "write uses: ./.github/workflows/<file>.yml",
  );
}
