import { defineConfig } from "vitest/config";

export default defineConfig({
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
