/**
 * Every `uses:` step of a workflow and of the reusable workflows it calls, found before anything
 * runs, so that a rehearsal can refuse an unmapped action up front instead of halfway through.
 */
import { ReleaseError } from "../../errors.js";
import { parseActionRef, parseReusableWorkflowRef } from "./action-ref.js";
import type { ActionMap } from "./run-options.js";
import { openWorkflow } from "./workflow-files.js";
import { Where } from "./yaml-shape.js";

export interface ActionUse {
  /** The workflow file, as a repository path. */
  file: string;
  /** `jobs.<job>.steps[<n>].uses`. */
  field: string;
  jobId: string;
  /** The step's id, or its position (`#3`). */
  step: string;
  /** As written: `owner/repo@sha`. */
  uses: string;
  /** The ActionMap key. */
  key: string;
}

/** The `uses:` steps of `workflow` and of every workflow it calls, in file order, each file once. */
export async function listActionUses(repositoryRoot: string, workflow: string): Promise<ActionUse[]> {
  const found: ActionUse[] = [];
  const seen = new Set<string>();
  const visit = async (path: string) => {
    const loaded = await openWorkflow(repositoryRoot, path);
    if (seen.has(loaded.file)) return;
    seen.add(loaded.file);
    for (const job of loaded.jobs) {
      const where = new Where(loaded.file, `jobs.${job.id}`);
      if (job.uses !== undefined) {
        await visit(parseReusableWorkflowRef(job.uses, where.at("uses")));
        continue;
      }
      for (const step of job.steps) {
        if (step.uses === undefined) continue;
        const at = where.at("steps").at(step.index).at("uses");
        const ref = parseActionRef(step.uses, at);
        found.push({
          file: loaded.file,
          field: at.field,
          jobId: job.id,
          step: step.id ?? `#${step.index + 1}`,
          uses: step.uses,
          key: ref.key,
        });
      }
    }
  };
  await visit(workflow);
  return found;
}

/** The error for actions without a local equivalent: the first one, naming all the others too. */
export function unmappedActionError(
  unmapped: readonly [ActionUse, ...ActionUse[]],
  mapSource?: string,
): ReleaseError {
  const [first, ...rest] = unmapped;
  const others = rest.map((use) => `${use.file}: ${use.field}: ${use.uses}`);
  const where = mapSource ?? "the rehearsal's action map";
  return new ReleaseError(
    "ACTION_UNMAPPED",
    `job ${first.jobId}, step ${first.step}: no local equivalent for ${first.uses}${
      others.length === 0 ? "" : ` (also unmapped: ${others.join("; ")})`
    }`,
    {
      file: first.file,
      field: first.field,
      fix: `map ${first.key} in ${where}, or remove it from the workflow`,
    },
  );
}

/** Throws ACTION_UNMAPPED when any of the uses has no entry in the ActionMap. */
export function checkActionsMapped(uses: readonly ActionUse[], actions: ActionMap, mapSource?: string): void {
  const unmapped = uses.filter((use) => !Object.hasOwn(actions, use.key));
  const [first, ...rest] = unmapped;
  if (first !== undefined) throw unmappedActionError([first, ...rest], mapSource);
}
