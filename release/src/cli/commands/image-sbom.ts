import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { parseImageReference } from "../../image/reference.js";
import { layoutSboms, sbomFileName } from "../../image/sbom/image-sbom.js";
import type { CliContext } from "../context.js";
import { commandOutput } from "../output.js";

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
      const repositoryRef = parseImageReference(flags.repository, "--repository", "latest");
      const repository = `${repositoryRef.registry}/${repositoryRef.name}`;
      const layout = resolve(context.cwd, layoutText);
      output.progress(`reading the layers of ${layout}`);
      const sboms = await layoutSboms(layout, {
        repository,
        ...(flags.tag === undefined ? {} : { tag: flags.tag }),
        ...(flags.created === undefined ? {} : { created: flags.created }),
      });
      const out = resolve(context.cwd, flags.out);
      await mkdir(out, { recursive: true });
      const files = [];
      for (const sbom of sboms.platforms) {
        const file = join(out, sbomFileName(sbom.platform));
        await writeFile(file, `${JSON.stringify(sbom.document, null, 2)}\n`);
        files.push({
          platform: sbom.platform,
          digest: sbom.digest,
          file,
          packages: sbom.document.packages.length - 1,
        });
      }
      output.result(
        { digest: sboms.digest, platforms: files },
        [
          `SBOMs of ${sboms.digest} (SPDX 2.3):`,
          ...files.map((f) => `  ${f.platform.padEnd(13)} ${f.digest}  ${f.packages} packages  ${f.file}`),
        ].join("\n"),
      );
      output.summary(
        [
          "### Image SBOMs (SPDX 2.3)",
          "",
          "| platform | digest | packages |",
          "| --- | --- | --- |",
          ...files.map((f) => `| ${f.platform} | \`${f.digest}\` | ${f.packages} |`),
        ].join("\n"),
      );
    });
}
