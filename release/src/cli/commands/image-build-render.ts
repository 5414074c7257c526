/** What `image build` prints: the --json document, the human text and the GitHub step summary. */
import { formatSize } from "../../image/units.js";
import type { Rendering } from "../output.js";
import type { ImageBuildOutcome } from "./image-build-run.js";

export function renderImageBuild(outcome: ImageBuildOutcome): Rendering {
  const { result, seconds, push } = outcome;
  const rows = result.platforms.map(
    (p) =>
      `  ${p.platform.padEnd(13)} ${p.digest}  ${formatSize(p.compressedBytes)} compressed, ${formatSize(p.uncompressedBytes)} uncompressed, built in ${p.buildSeconds.toFixed(1)} s, ${p.emulatedSteps} emulated step(s)`,
  );
  const pushedLines = result.pushed.map((p) => `  ${p.reference} -> ${p.version} (${p.outcome})`);
  return {
    data: result,
    human: [
      `kube9-operator ${result.version}: ${result.digest} (built in ${seconds.toFixed(1)} s)`,
      ...rows,
      ...(push === undefined ? ["not pushed (no --push)"] : ["pushed:", ...pushedLines]),
      ...(result.ociLayout === undefined ? [] : [`OCI layout: ${result.ociLayout} (tag ${result.version})`]),
    ].join("\n"),
    summary: [
      `### Image ${result.version}`,
      "",
      "| platform | digest | compressed | uncompressed | build | emulated steps |",
      "|---|---|---|---|---|---|",
      ...result.platforms.map(
        (p) =>
          `| ${p.platform} | \`${p.digest}\` | ${formatSize(p.compressedBytes)} | ${formatSize(p.uncompressedBytes)} | ${p.buildSeconds.toFixed(1)} s | ${p.emulatedSteps} |`,
      ),
    ].join("\n"),
  };
}
