/** --repo <path>: a repository in a local directory (the default). */
import { resolve } from "node:path";
import { DirectoryStore } from "../../storage/directory-store.js";
import type { StoreBackend } from "./backend.js";

export const directoryBackend: StoreBackend = {
  scheme: "",
  usage: "a directory path (e.g. chart-repo)",
  help: { placeholder: "dir", accepts: "a directory" },
  remote: false,
  open: async (repo, { cwd }) => new DirectoryStore(resolve(cwd, repo)),
};
