import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { parseImageReference } from "../../image/reference.js";
import { layoutSboms, sbomFileName } from "../../image/sbom/image-sbom.js";
import type { CliContext } from "../context.js";
import { commandOutput, type Rendering } from "../output.js";

interface SbomFlags {
  out: string;
  repository: string;
  tag?: string;
  created?: string;
  json?: boolean;
}

export function registerImageSbom(image: Command, context: CliContext): void {
  image
    .command("sbom")
    .description(
      "write an SPDX 2.3 JSON SBOM per platform of a built OCI layout: the node binary and every npm package in the image's files",
    )
    .argument("<oci-layout>", "the folder `image build --oci-layout` wrote (the one scanned and pushed)")
    .requiredOption("--out <dir>", "folder for sbom-<os>-<arch>.spdx.json (created if missing)")
    .option("--repository <host/name>", "the image repository the SBOM names", "ghcr.io/alto9/kube9-operator")
    .option("--tag <tag>", "the layout's image to read, when it holds more than one")
    .option(
      "--created <time>",
      "RFC 3339 creation time (default: the image's created label, the commit time)",
    )
    .option("--json", "print the result as JSON")
    .action(async (layoutText: string, flags: SbomFlags) => {
      const output = commandOutput(context, flags);
      const outcome = await imageSbom(sbomRequest(layoutText, flags, context.cwd), output.progress);
      output.render(renderImageSbom(outcome));
    });
}

export interface ImageSbomRequest {
  layoutDir: string;
  /** host/name, as the SBOM names the image. */
  repository: string;
  tag?: string;
  /** As given; layoutSboms checks it before reading the layout. */
  created?: string;
  outDir: string;
}

/** The flags as a typed request, checked before the layout is read. */
export function sbomRequest(layoutText: string, flags: SbomFlags, cwd: string): ImageSbomRequest {
  const repositoryRef = parseImageReference(flags.repository, "--repository", "latest");
  return {
    layoutDir: resolve(cwd, layoutText),
    repository: `${repositoryRef.registry}/${repositoryRef.name}`,
    ...(flags.tag === undefined ? {} : { tag: flags.tag }),
    ...(flags.created === undefined ? {} : { created: flags.created }),
    outDir: resolve(cwd, flags.out),
  };
}

export interface ImageSbomOutcome {
  /** The image index digest. */
  digest: string;
  platforms: Array<{ platform: string; digest: string; file: string; packages: number }>;
}

/** `image sbom` as a plain function: one SPDX document per platform, written to the out folder. */
export async function imageSbom(
  request: ImageSbomRequest,
  progress: (line: string) => void,
): Promise<ImageSbomOutcome> {
  progress(`reading the layers of ${request.layoutDir}`);
  const sboms = await layoutSboms(request.layoutDir, {
    repository: request.repository,
    ...(request.tag === undefined ? {} : { tag: request.tag }),
    ...(request.created === undefined ? {} : { created: request.created }),
  });
  await mkdir(request.outDir, { recursive: true });
  const platforms = [];
  for (const sbom of sboms.platforms) {
    const file = join(request.outDir, sbomFileName(sbom.platform));
    await writeFile(file, `${JSON.stringify(sbom.document, null, 2)}\n`);
    // The document's first package is the image itself, not one it contains.
    platforms.push({
      platform: sbom.platform,
      digest: sbom.digest,
      file,
      packages: sbom.document.packages.length - 1,
    });
  }
  return { digest: sboms.digest, platforms };
}

export function renderImageSbom(outcome: ImageSbomOutcome): Rendering {
  const { digest, platforms } = outcome;
  return {
    data: { digest, platforms },
    human: [
      `SBOMs of ${digest} (SPDX 2.3):`,
      ...platforms.map((f) => `  ${f.platform.padEnd(13)} ${f.digest}  ${f.packages} packages  ${f.file}`),
    ].join("\n"),
    summary: [
      "### Image SBOMs (SPDX 2.3)",
      "",
      "| platform | digest | packages |",
      "| --- | --- | --- |",
      ...platforms.map((f) => `| ${f.platform} | \`${f.digest}\` | ${f.packages} |`),
    ].join("\n"),
  };
}
