import { defineConfig } from "vitest/config";

// Benchmarks that need the TypeScript test support (base images, registry) run under vitest as a
// TypeScript runner; they print figures. `npm run bench:image`.
export default defineConfig({
  test: {
    include: ["bench/**/*.bench.ts"],
    testTimeout: 3_600_000,
    hookTimeout: 900_000,
    pool: "forks",
    reporters: ["default"],
  },
});
