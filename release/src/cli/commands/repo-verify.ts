import type { Command } from "commander";
import { httpRepositoryReader } from "../../publish/repository-reader.js";
import { verifyPublished } from "../../publish/verify.js";
import type { CliContext } from "../context.js";
import { DEFAULT_CHART } from "../defaults.js";
import { repositoryUrl } from "../options.js";
import { commandOutput } from "../output.js";

interface VerifyFlags {
  url: string;
  chart: string;
  version: string;
  digest?: string;
  json?: boolean;
}

export function registerRepoVerify(repo: Command, context: CliContext): void {
  repo
    .command("verify")
    .description(
      "check what users get: the version is in index.yaml and its archive has the digest the index claims",
    )
    .requiredOption("--url <url>", "repository URL, as users give it to `helm repo add`")
    .option("--chart <name>", "chart name", DEFAULT_CHART)
    .requiredOption("--version <version>", "chart version to check")
    .option("--digest <sha256>", "also require this archive digest")
    .option("--json", "print the result as JSON")
    .action(async (flags: VerifyFlags) => {
      const output = commandOutput(context, flags);
      const url = repositoryUrl(flags.url, "--url");
      output.progress(`reading ${url}/index.yaml`);
      const result = await verifyPublished(httpRepositoryReader(url), {
        chart: flags.chart,
        version: flags.version,
        ...(flags.digest === undefined ? {} : { expectedDigest: flags.digest.toLowerCase() }),
      });
      output.result(
        result,
        `OK ${result.chart} ${result.version} (app ${result.appVersion ?? "-"})\n  index   ${result.index}\n  archive ${result.archive} (${result.size} bytes)\n  sha256  ${result.digest} matches the index`,
      );
      output.summary(
        `### Verified ${result.chart} ${result.version}\n\n- index: ${result.index}\n- archive: ${result.archive}\n- sha256: \`${result.digest}\``,
      );
    });
}
