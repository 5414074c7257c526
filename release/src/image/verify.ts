/**
 * Judges an inspected image against what a release needs: exactly the expected platforms (an
 * `unknown/unknown` attestation entry is refused: ghcr.io lists it as an architecture and some
 * clients pick it), the expected labels on every platform, and each platform's compressed size
 * under the budget. Every problem is collected, so one run names them all.
 */
import { ReleaseError } from "../errors.js";
import type { ImageInspection } from "./inspect.js";
import { formatSize } from "./units.js";

export interface ImageExpectations {
  platforms: string[];
  /** Budget per platform, in bytes of compressed layers. */
  maxBytes: number;
  labels: Record<string, string>;
}

export interface VerifiedImage extends ImageInspection {
  maxBytes: number;
}

export function imageProblems(image: ImageInspection, expect: ImageExpectations): string[] {
  const problems: string[] = [];
  const found = image.platforms.map((p) => p.platform);
  for (const entry of image.platforms.filter((p) => p.attestation)) {
    problems.push(
      `the index lists ${entry.platform} (${entry.digest}), an attestation manifest inside the index: ` +
        "build with provenance: false and sbom: false and attach provenance/SBOM by digest afterwards",
    );
  }
  for (const platform of expect.platforms) {
    if (!found.includes(platform))
      problems.push(`platform ${platform} is missing (found: ${found.join(", ") || "none"})`);
  }
  for (const entry of image.platforms) {
    if (entry.attestation) continue;
    if (!expect.platforms.includes(entry.platform)) {
      problems.push(`unexpected platform ${entry.platform} (expected only ${expect.platforms.join(", ")})`);
    }
    // Report a duplicated platform once, at its first entry.
    if (
      found.indexOf(entry.platform) === image.platforms.indexOf(entry) &&
      found.lastIndexOf(entry.platform) !== found.indexOf(entry.platform)
    ) {
      problems.push(`platform ${entry.platform} is listed more than once`);
    }
    for (const [key, value] of Object.entries(expect.labels)) {
      const actual = entry.labels[key];
      if (actual === undefined)
        problems.push(`${entry.platform}: label ${key} is missing (expected ${JSON.stringify(value)})`);
      else if (actual !== value) {
        problems.push(
          `${entry.platform}: label ${key} is ${JSON.stringify(actual)}, expected ${JSON.stringify(value)}`,
        );
      }
    }
    if (entry.compressedBytes > expect.maxBytes) {
      problems.push(
        `${entry.platform}: ${formatSize(entry.compressedBytes)} (${entry.compressedBytes} bytes) of compressed layers is over the budget of ${formatSize(expect.maxBytes)}`,
      );
    }
  }
  return problems;
}

export function verifyImage(image: ImageInspection, expect: ImageExpectations): VerifiedImage {
  const problems = imageProblems(image, expect);
  if (problems.length > 0) {
    throw new ReleaseError(
      "IMAGE_INVALID",
      `${image.reference} (${image.digest}) failed ${problems.length} check(s):\n  - ${problems.join("\n  - ")}`,
      { file: image.reference },
    );
  }
  return { ...image, maxBytes: expect.maxBytes };
}
