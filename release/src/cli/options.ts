/** Parsing and checking of option values shared by several commands. */
import { resolve } from "node:path";
import { ReleaseError } from "../errors.js";
import { DirectoryStore } from "../storage/directory-store.js";
import type { Store } from "../storage/store.js";

/** A repository given with --repo: for now, a directory path. */
export function storeFor(repo: string, cwd: string): Store {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(repo)?.[1];
  if (scheme !== undefined) {
    throw new ReleaseError("USAGE", `unsupported repository ${repo}: this build publishes to a directory`, {
      field: "--repo",
      fix: "give a directory path, e.g. --repo chart-repo",
    });
  }
  return new DirectoryStore(resolve(cwd, repo));
}

/** The public base URL of a repository: absolute http(s), no query or fragment. */
export function repositoryUrl(value: string, option: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ReleaseError("USAGE", `${JSON.stringify(value)} is not a URL`, {
      field: option,
      fix: "give an absolute URL such as https://charts.kube9.io",
    });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ReleaseError("USAGE", `${value} is not an http(s) URL`, {
      field: option,
      fix: "Helm repositories are served over https (or http locally)",
    });
  }
  if (url.search !== "" || url.hash !== "" || url.username !== "" || url.password !== "") {
    throw new ReleaseError("USAGE", `${value} carries a query, fragment or credentials`, {
      field: option,
      fix: "give the plain base URL of the repository",
    });
  }
  return value.replace(/\/+$/, "");
}

export function portNumber(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ReleaseError("USAGE", `${JSON.stringify(value)} is not a port number`, {
      field: "--port",
      fix: "give 0-65535 (0 picks a free port)",
    });
  }
  return port;
}
