import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // infrastructure/ imports the repository policy as a package (release/package.json exports,
    // built into release/dist); tests read its source, like every other module they import, so a
    // policy change is tested without a build. app-entry.test.ts runs the built app as cdk does.
    alias: {
      "@kube9/release/policy": fileURLToPath(
        new URL("./release/src/policy/repository-policy.ts", import.meta.url),
      ),
    },
  },
  test: {
    include: [
      "release/test/**/*.test.ts",
      "operator/test/**/*.test.ts",
      "infrastructure/test/**/*.test.ts",
      "test/**/*.test.ts",
    ],
    // End-to-end tests start real servers and helm processes: give them room on a 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: "forks",
    reporters: ["default"],
  },
});
