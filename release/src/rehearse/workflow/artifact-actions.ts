/**
 * Local equivalents of actions/upload-artifact and actions/download-artifact (v4) for an
 * ActionMap: an artifact is a folder under `root`, shared by the jobs of one run. What v4 does
 * that a workflow can notice is kept: an artifact name is uploaded once (unless `overwrite`), the
 * files are stored relative to the paths' common folder, hidden files are left out unless asked
 * for, file modes are not kept, and a missing artifact fails the download. Globs and downloads
 * from other runs or repositories are refused rather than guessed at.
 */
import { chmod, copyFile, lstat, mkdir, readdir, realpath, rm, stat } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import type { ActionContext, ActionMap, ActionOutcome } from "./run-options.js";

interface Found {
  /** Absolute path of the file. */
  file: string;
}

function absolute(path: string, context: ActionContext): string {
  return isAbsolute(path) ? path : resolve(context.workspace, path);
}

function commonFolder(paths: string[]): string {
  const split = paths.map((path) => path.split(sep));
  const first = split[0] ?? [];
  let length = 0;
  while (length < first.length && split.every((parts) => parts[length] === first[length])) length++;
  return first.slice(0, length).join(sep) || sep;
}

async function collect(path: string, hidden: boolean, into: Found[]): Promise<void> {
  const info = await stat(path);
  if (info.isFile()) {
    into.push({ file: path });
    return;
  }
  if (!info.isDirectory()) return;
  for (const entry of (await readdir(path)).sort()) {
    if (!hidden && entry.startsWith(".")) continue;
    await collect(join(path, entry), hidden, into);
  }
}

async function upload(
  root: string,
  inputs: Record<string, string>,
  context: ActionContext,
): Promise<ActionOutcome> {
  const name = inputs.name || "artifact";
  if (/[\\/":<>|*?\r\n]/.test(name))
    throw new Error(`artifact name ${JSON.stringify(name)} has a character v4 refuses`);
  const lines = (inputs.path ?? "")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
  if (lines.length === 0) throw new Error("input path is required");
  const glob = lines.find((line) => /[*?[\]!]/.test(line));
  if (glob !== undefined)
    throw new Error(
      `path ${glob} uses a glob or an exclusion, which the rehearsal does not expand: list files or folders`,
    );
  const hidden = inputs["include-hidden-files"] === "true";
  const paths: string[] = [];
  const files: Found[] = [];
  for (const line of lines) {
    const path = absolute(line, context);
    if (!(await lstat(path).catch(() => undefined))) continue;
    paths.push(path);
    await collect(path, hidden, files);
  }
  const ifNone = inputs["if-no-files-found"] || "warn";
  if (files.length === 0) {
    const message = `no files were found with the provided path: ${lines.join(", ")}. No artifacts will be uploaded.`;
    if (ifNone === "error") throw new Error(message);
    if (ifNone === "warn") context.log(`Warning: ${message}`);
    return { outputs: {} };
  }
  const stored = join(root, name);
  if (await stat(stored).catch(() => undefined)) {
    if (inputs.overwrite !== "true") {
      throw new Error(
        `an artifact named ${name} was already uploaded in this run (set overwrite: true to replace it)`,
      );
    }
    await rm(stored, { recursive: true });
  }
  // A single folder is the root itself; files or several paths keep their place under the common folder.
  const single = paths.length === 1 && (await stat(paths[0] as string)).isDirectory();
  const base = single
    ? (paths[0] as string)
    : commonFolder(paths.map((path) => (files.some((f) => f.file === path) ? dirname(path) : path)));
  for (const { file } of files) {
    const target = join(stored, relative(base, file));
    await mkdir(dirname(target), { recursive: true });
    await copyFile(await realpath(file), target);
  }
  context.log(`Uploaded artifact ${name}: ${files.length} file(s)`);
  return { outputs: { "artifact-id": name, "artifact-url": "" } };
}

async function copyTree(from: string, to: string): Promise<number> {
  let count = 0;
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory()) {
      count += await copyTree(source, target);
    } else {
      await mkdir(to, { recursive: true });
      // v4 stores files in a zip without their modes: a downloaded file is never executable.
      await rm(target, { force: true });
      await copyFile(source, target);
      await chmod(target, 0o644);
      count++;
    }
  }
  return count;
}

async function download(
  root: string,
  inputs: Record<string, string>,
  context: ActionContext,
): Promise<ActionOutcome> {
  for (const key of ["github-token", "repository", "run-id", "pattern", "merge-multiple"]) {
    if ((inputs[key] ?? "") !== "")
      throw new Error(
        `input ${key} (artifacts of other runs, or patterns) is not supported by the rehearsal`,
      );
  }
  const path = absolute(inputs.path || ".", context);
  const names = inputs.name ? [inputs.name] : ((await readdir(root).catch(() => [])) as string[]).sort();
  for (const name of names) {
    const stored = join(root, name);
    if (!(await stat(stored).catch(() => undefined))?.isDirectory()) {
      throw new Error(`Unable to download artifact(s): Artifact not found for name: ${name}`);
    }
    const count = await copyTree(stored, inputs.name ? path : join(path, name));
    context.log(`Downloaded artifact ${name}: ${count} file(s) to ${path}`);
  }
  return { outputs: { "download-path": path } };
}

/** ActionMap entries for actions/upload-artifact and actions/download-artifact, storing artifacts under `root`. */
export function artifactActions(root: string): ActionMap {
  return {
    "actions/upload-artifact": (inputs, context) => upload(root, inputs, context),
    "actions/download-artifact": (inputs, context) => download(root, inputs, context),
  };
}
