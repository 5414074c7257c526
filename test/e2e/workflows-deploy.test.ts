import { describe, expect, it } from "vitest";
import { loadWorkflow } from "../support/workflows.js";

describe("deploy-infrastructure.yml", () => {
  it("is started only by hand or by pushes to main touching infrastructure/, never by a release", () => {
    const deploy = loadWorkflow("deploy-infrastructure.yml").doc;
    expect(Object.keys(deploy.on).sort()).toEqual(["push", "workflow_dispatch"]);
    const push = deploy.on.push as { branches?: string[]; tags?: string[]; paths?: string[] };
    // Branches only (no tags): pushing a release tag starts nothing.
    expect(push.branches).toEqual(["main"]);
    expect(push.tags).toBeUndefined();
    expect(push.paths?.length).toBeGreaterThan(0);
    for (const p of push.paths ?? []) {
      expect(p.startsWith("infrastructure/") || p === ".github/workflows/deploy-infrastructure.yml").toBe(
        true,
      );
    }
  });
});
