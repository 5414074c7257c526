/**
 * The stages of a Dockerfile and the platform each one runs on, so that a build can say how many
 * of its RUN steps ran under emulation. Only what that needs is read: FROM (image, --platform,
 * AS name) and the RUN instructions of each stage, with line continuations and comments as
 * BuildKit reads them. Heredocs and `--platform` values from ARG defaults are not interpreted.
 */
import { ReleaseError } from "../../errors.js";

export interface DockerfileStage {
  /** 0-based position, as the builder numbers stages ([1/2] is index 0). */
  index: number;
  name: string | undefined;
  /** The image after FROM, as written (build arguments not expanded). */
  from: string;
  /** The --platform flag as written, if any (e.g. `$BUILDPLATFORM`). */
  platformFlag: string | undefined;
  runSteps: number;
}

/** One instruction per logical line: comments dropped, `\` continuations joined. */
function instructions(text: string): string[] {
  const result: string[] = [];
  let current = "";
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    // A comment line inside a continuation is skipped and does not end it, as in BuildKit.
    if (line.startsWith("#")) continue;
    if (line.endsWith("\\")) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    current += line;
    if (current.trim() !== "") result.push(current.trim());
    current = "";
  }
  if (current.trim() !== "") result.push(current.trim());
  return result;
}

export function parseDockerfileStages(text: string, file = "Dockerfile"): DockerfileStage[] {
  const stages: DockerfileStage[] = [];
  for (const instruction of instructions(text)) {
    const [keyword = "", ...rest] = instruction.split(/\s+/);
    const upper = keyword.toUpperCase();
    if (upper === "FROM") {
      const flags = rest.filter((word) => word.startsWith("--"));
      const words = rest.filter((word) => !word.startsWith("--"));
      const from = words[0];
      if (from === undefined) {
        throw new ReleaseError("IMAGE_BUILD_FAILED", "FROM names no image", {
          file,
          field: `stage ${stages.length + 1}`,
          fix: "write FROM <image> [AS <name>]",
        });
      }
      const platform = flags.find((flag) => flag.startsWith("--platform="));
      const asIndex = words.findIndex((word) => word.toUpperCase() === "AS");
      stages.push({
        index: stages.length,
        name: asIndex === -1 ? undefined : words[asIndex + 1],
        from,
        platformFlag: platform?.slice("--platform=".length),
        runSteps: 0,
      });
    } else if (upper === "RUN") {
      const stage = stages.at(-1);
      if (stage === undefined) {
        throw new ReleaseError("IMAGE_BUILD_FAILED", "RUN before the first FROM", {
          file,
          fix: "start the Dockerfile with FROM",
        });
      }
      stage.runSteps += 1;
    }
  }
  if (stages.length === 0) {
    throw new ReleaseError("IMAGE_BUILD_FAILED", "the Dockerfile has no FROM instruction", {
      file,
      fix: "start the Dockerfile with FROM",
    });
  }
  return stages;
}

/**
 * The platform a stage runs on when building for `target` on a `builder` machine: its --platform
 * flag ($BUILDPLATFORM, $TARGETPLATFORM or a literal), else the platform of the stage it starts
 * from, else the target.
 */
export function stagePlatform(
  stages: readonly DockerfileStage[],
  index: number,
  target: string,
  builder: string,
): string {
  const stage = stages[index];
  if (stage === undefined) return target;
  const flag = stage.platformFlag?.replace(/^\$\{?(\w+)\}?$/, "$1");
  if (flag === "BUILDPLATFORM") return builder;
  if (flag === "TARGETPLATFORM") return target;
  if (flag !== undefined && flag !== "") return flag;
  const parent = stages.findIndex((s, i) => i < index && s.name !== undefined && s.name === stage.from);
  return parent === -1 ? target : stagePlatform(stages, parent, target, builder);
}

/** `[2/3] STEP 4/9: RUN ...` (multi-stage) or `STEP 2/5: RUN ...` (one stage), as buildah logs steps. */
const STEP_LINE = /^(?:\[(\d+)\/\d+\] )?STEP \d+\/\d+: RUN\b/;

/**
 * RUN steps that really ran, per stage, read from the builder's log: a stage that the target
 * does not need is skipped by the builder and must not count.
 */
export function runStepsInLog(log: string): Map<number, number> {
  const counts = new Map<number, number>();
  for (const line of log.split("\n")) {
    const match = STEP_LINE.exec(line.trim());
    if (match === null) continue;
    const index = match[1] === undefined ? 0 : Number(match[1]) - 1;
    counts.set(index, (counts.get(index) ?? 0) + 1);
  }
  return counts;
}

/** RUN steps of the log that ran in a stage whose platform is not the builder's own. */
export function emulatedSteps(
  stages: readonly DockerfileStage[],
  log: string,
  target: string,
  builder: string,
): number {
  let emulated = 0;
  for (const [index, count] of runStepsInLog(log)) {
    if (stagePlatform(stages, index, target, builder) !== builder) emulated += count;
  }
  return emulated;
}
