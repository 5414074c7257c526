/**
 * Workflow files by their place in the repository: errors and reports name them as GitHub does
 * (`.github/workflows/release.yml`), whatever folder the repository is checked out in.
 */
import { isAbsolute, relative, resolve, sep } from "node:path";
import { loadWorkflow } from "./load-workflow.js";
import type { Workflow } from "./model.js";

/** The path of a file inside the repository, with `/` separators (absolute when outside it). */
export function repositoryPath(root: string, file: string): string {
  const absolute = resolve(root, file);
  const inside = relative(resolve(root), absolute);
  if (inside === "" || inside.startsWith("..") || isAbsolute(inside)) return absolute;
  return inside.split(sep).join("/");
}

/** Loads a workflow given relative to the repository root (or absolute), named by its repository path. */
export async function openWorkflow(root: string, file: string): Promise<Workflow> {
  return loadWorkflow(resolve(root, file), repositoryPath(root, file));
}
