/**
 * The npm packages of an image, from its `package.json` files: every package folder under a
 * `node_modules` folder (`node_modules/<name>/` or `node_modules/@scope/<name>/`), and every
 * manifest outside `node_modules` with a name and a version (the application itself). Manifests
 * deeper inside a package (`node_modules/x/esm/package.json`, often `{"type": "module"}` only) are
 * not packages and are left out.
 */
import { ReleaseError } from "../../errors.js";
import type { ImageFile } from "./image-files.js";

export interface NpmPackage {
  name: string;
  version: string;
  /** The declared license as an SPDX expression, or undefined when there is none usable. */
  license: string | undefined;
  /** `pkg:npm/...` (the scope's `@` encoded as `%40`). */
  purl: string;
  /** The manifest it was read from. */
  path: string;
}

const PACKAGE_ROOT = /\/node_modules\/(@[^/]+\/)?[^/@][^/]*\/package\.json$/;

/** Whether a package.json path is the manifest of an installed package (not a nested one). */
export function isPackageManifest(path: string): boolean {
  if (PACKAGE_ROOT.test(path)) return true;
  return !path.includes("/node_modules/") && path.endsWith("/package.json");
}

// An SPDX license expression: ids (letters, digits, `.`, `-`, `+`, `LicenseRef-...`) joined by
// AND, OR and WITH, with parentheses. Anything else (`SEE LICENSE IN ...`, `UNLICENSED`) is not one.
const LICENSE_ID = /^[A-Za-z0-9][A-Za-z0-9.+-]*$/;

export function spdxLicense(value: unknown): string | undefined {
  const text = typeof value === "object" && value !== null ? (value as { type?: unknown }).type : value;
  if (typeof text !== "string") return undefined;
  const tokens = text.replace(/[()]/g, " ").split(/\s+/).filter(Boolean);
  if (tokens.length === 0 || /^UNLICENSED$/i.test(text.trim())) return undefined;
  const valid = tokens.every((token, i) =>
    i % 2 === 1 ? ["AND", "OR", "WITH"].includes(token) : LICENSE_ID.test(token),
  );
  return valid && tokens.length % 2 === 1 ? text.trim() : undefined;
}

/** The package URL: `pkg:npm/name@version`, a scope as an encoded namespace (`pkg:npm/%40scope/name@...`). */
export function npmPurl(name: string, version: string): string {
  return `pkg:npm/${name.split("/").map(encodeURIComponent).join("/")}@${encodeURIComponent(version)}`;
}

function invalid(path: string, message: string): ReleaseError {
  return new ReleaseError("IMAGE_INVALID", message, {
    file: path,
    fix: "the image holds a broken npm package; rebuild it from a clean npm install",
  });
}

export function npmPackages(files: ImageFile[]): NpmPackage[] {
  const packages: NpmPackage[] = [];
  for (const file of files) {
    if (!file.path.endsWith("/package.json") || !isPackageManifest(file.path)) continue;
    const installed = PACKAGE_ROOT.test(file.path);
    let manifest: { name?: unknown; version?: unknown; license?: unknown; licenses?: unknown };
    try {
      manifest = JSON.parse(file.body.toString("utf8")) as typeof manifest;
    } catch (error) {
      if (!installed) continue;
      throw invalid(file.path, `not JSON: ${(error as Error).message}`);
    }
    const { name, version } = manifest ?? {};
    if (typeof name !== "string" || typeof version !== "string" || name === "" || version === "") {
      if (!installed) continue;
      throw invalid(file.path, "an installed package's package.json has no name or version");
    }
    const license =
      spdxLicense(manifest.license) ??
      (Array.isArray(manifest.licenses) && manifest.licenses.length === 1
        ? spdxLicense(manifest.licenses[0])
        : undefined);
    packages.push({ name, version, license, purl: npmPurl(name, version), path: file.path });
  }
  return packages;
}
