/**
 * The download URL written into an index entry (`urls[0]`, the one Helm uses).
 */
import { ReleaseError } from "../../errors.js";

/**
 * Percent-encodes each path segment of a file name. `+` becomes %2B: S3 (and CloudFront in front of
 * it) reads a raw `+` in a path as a space, so `chart-1.0.0+build.1.tgz` would not be found.
 * `/` separates segments and is kept.
 */
function encodePath(fileName: string): string {
  return fileName.split("/").map(encodeURIComponent).join("/");
}

/**
 * `https://charts.kube9.io` + `kube9-operator-1.2.3.tgz` -> `https://charts.kube9.io/kube9-operator-1.2.3.tgz`:
 * exactly one slash between them, a path prefix in the base kept (`https://host/charts/` ->
 * `https://host/charts/<file>`). Without a base URL: the encoded file name alone, which Helm
 * resolves against the repository URL.
 */
export function chartUrl(baseUrl: string | undefined, fileName: string): string {
  if (
    fileName === "" ||
    fileName.startsWith("/") ||
    fileName.split("/").some((s) => s === "" || s === "." || s === "..")
  ) {
    throw new ReleaseError("USAGE", `invalid chart file name "${fileName}"`, {
      field: "fileName",
      fix: "pass the archive's file name, e.g. kube9-operator-1.2.3.tgz",
    });
  }
  const path = encodePath(fileName);
  if (baseUrl === undefined || baseUrl === "") return path;
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch (error) {
    throw new ReleaseError("USAGE", `invalid repository URL "${baseUrl}"`, {
      field: "url",
      fix: "pass an absolute URL such as https://charts.kube9.io",
      cause: error,
    });
  }
  if (url.search !== "" || url.hash !== "" || baseUrl.includes("?") || baseUrl.includes("#")) {
    throw new ReleaseError("USAGE", `repository URL "${baseUrl}" has a query or fragment`, {
      field: "url",
      fix: "pass the repository's base URL only, e.g. https://charts.kube9.io",
    });
  }
  return `${baseUrl.replace(/\/+$/, "")}/${path}`;
}
