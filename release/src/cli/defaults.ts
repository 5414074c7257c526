/** Defaults of the CLI, in one place so that the docs and --help name the same values. */

/** The embedded default repository: a directory in the working tree, served by `repo serve`. */
export const DEFAULT_REPO_DIR = "chart-repo";

/** `repo serve` binds only the loopback interface, on the port Helm 2's `helm serve` used. */
export { DEFAULT_SERVE_HOST, DEFAULT_SERVE_PORT } from "../serve/repo-server.js";

/** The chart name used by the quick start and by `repo verify` when none is given. */
export const DEFAULT_CHART = "kube9-operator";
