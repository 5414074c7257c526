/**
 * CDK feature flags: cdk.json sets exactly the flags `cdk init` writes for the installed
 * aws-cdk-lib, and the in-process synth of the other tests runs with them. After an aws-cdk-lib
 * upgrade that recommends new flags this fails: review what they change (`cdk flags`, `cdk diff`)
 * before adding them to cdk.json.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { CDK_JSON_CONTEXT, MINIMAL_CONTEXT, synthesize } from "./synth.js";

const recommended = JSON.parse(
  readFileSync(createRequire(import.meta.url).resolve("aws-cdk-lib/recommended-feature-flags.json"), "utf8"),
) as Record<string, unknown>;

describe("feature flags", () => {
  it("cdk.json's context is the installed aws-cdk-lib's recommended flags, nothing more", () => {
    expect(CDK_JSON_CONTEXT).toEqual(recommended);
  });

  it("reach the app in the in-process synth, as the CLI passes them", () => {
    const { app } = synthesize(MINIMAL_CONTEXT);
    for (const [flag, value] of Object.entries(recommended)) {
      expect(app.node.tryGetContext(flag), flag).toEqual(value);
    }
  });
});
