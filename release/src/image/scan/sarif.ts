/**
 * Gives each platform's SARIF its own code-scanning category. GitHub's Security tab refuses an
 * upload holding several runs of one tool in one category, and upload-sarif keeps a category a
 * run already names (runs[].automationDetails.id): with one category per platform, the SARIF
 * folder can be uploaded in one step and each platform's alerts are tracked on their own.
 */
import { ReleaseError } from "../../errors.js";

/** `kube9-image-scan/linux/arm64/`: the trailing slash marks a category without a run id. */
export function sarifCategory(platform: string): string {
  return `kube9-image-scan/${platform}/`;
}

export function categorizeSarif(text: string, platform: string, file: string): string {
  let sarif: { runs?: unknown };
  try {
    sarif = JSON.parse(text) as { runs?: unknown };
  } catch (error) {
    throw new ReleaseError("TOOL_FAILED", `trivy wrote SARIF that is not JSON: ${(error as Error).message}`, {
      file,
    });
  }
  if (!Array.isArray(sarif.runs)) {
    throw new ReleaseError("TOOL_FAILED", "trivy wrote SARIF without a runs list", { file });
  }
  for (const run of sarif.runs as Array<Record<string, unknown>>) {
    run.automationDetails = { id: sarifCategory(platform) };
  }
  return `${JSON.stringify(sarif, null, 2)}\n`;
}

/** `linux-arm64.sarif`, `linux-arm-v7.sarif`. */
export function sarifFileName(platform: string): string {
  return `${platform.replaceAll("/", "-")}.sarif`;
}
