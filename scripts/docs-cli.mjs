#!/usr/bin/env node
// Writes docs/cli.md and the README's command table from the commands' own definitions
// (release/src/cli/reference.ts; `npm run docs:cli` builds release/ first). Thin glue: the text
// comes from the reference module, this only reads and writes the two files.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  programDefinitions,
  renderCliReference,
  renderReadmeTable,
  withReadmeTable,
} from "../release/dist/cli/reference.js";
import { repoRoot } from "./tool-paths.mjs";

const program = await programDefinitions();
const readmePath = join(repoRoot, "README.md");
const readme = readFileSync(readmePath, "utf8");
writeFileSync(join(repoRoot, "docs", "cli.md"), renderCliReference(program));
writeFileSync(readmePath, withReadmeTable(readme, renderReadmeTable(program)));
process.stderr.write("docs-cli: wrote docs/cli.md and the command table of README.md\n");
