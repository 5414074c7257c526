/**
 * The order jobs run in: each after everything it `needs:`, ties broken by the order of the file,
 * so that a rehearsal runs the same sequence every time.
 */
import type { Job } from "./model.js";
import type { Where } from "./yaml-shape.js";

export function orderJobs(jobs: readonly Job[], where: Where): Job[] {
  const byId = new Map(jobs.map((job) => [job.id, job]));
  for (const job of jobs) {
    job.needs.forEach((need, index) => {
      if (!byId.has(need)) {
        where
          .at(job.id)
          .at("needs")
          .at(index)
          .fail(
            `job ${job.id} needs ${JSON.stringify(need)}, which is not a job of this workflow`,
            `use one of: ${[...byId.keys()].join(", ")}`,
          );
      }
    });
  }
  const ordered: Job[] = [];
  const done = new Set<string>();
  while (ordered.length < jobs.length) {
    const ready = jobs.find((job) => !done.has(job.id) && job.needs.every((need) => done.has(need)));
    if (ready === undefined) {
      const stuck = jobs.filter((job) => !done.has(job.id)).map((job) => job.id);
      where.fail(
        `the needs: of jobs ${stuck.join(", ")} form a cycle`,
        "remove one of the needs: so that the jobs can be ordered",
      );
    }
    ordered.push(ready);
    done.add(ready.id);
  }
  return ordered;
}

/** Every job that `id` needs, directly or through other jobs. */
export function ancestors(id: string, jobs: readonly Job[]): Set<string> {
  const byId = new Map(jobs.map((job) => [job.id, job]));
  const found = new Set<string>();
  const visit = (current: string) => {
    for (const need of byId.get(current)?.needs ?? []) {
      if (!found.has(need)) {
        found.add(need);
        visit(need);
      }
    }
  };
  visit(id);
  return found;
}
