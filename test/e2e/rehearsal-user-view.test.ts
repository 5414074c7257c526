/**
 * The rehearsal's last step on its own: what a user gets from a cloud where the image was pushed
 * and the chart published (here by the commands directly, the full rehearsal does it through the
 * workflows). Installs into a real API server with Helm 3 and Helm 4.
 */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RehearsalCloud } from "../../release/src/rehearse/cloud.js";
import { checkUserView } from "../../release/src/rehearse/user-view.js";
import { runReleaseAsync } from "../support/cli.js";
import { type ControlPlane, startControlPlane } from "../support/control-plane.js";
import { writeReleaseLayout } from "../support/oci-layout.js";
import { startPinnedRehearsalCloud } from "../support/rehearsal-cloud.js";
import { helmClients, repoRoot } from "../support/tools.js";

let cloud: RehearsalCloud;
let cluster: ControlPlane;
let work: string;
const helm = () => helmClients().map(({ label, path }) => ({ label, binary: path }));

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "kube9-user-view-"));
  cluster = await startControlPlane();
  cloud = await startPinnedRehearsalCloud();
  cpSync(join(repoRoot, "charts", "kube9-operator"), join(work, "chart"), { recursive: true });
}, 120_000);

afterAll(async () => {
  await cloud?.stop();
  await cluster?.stop();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

/** The chart as the release publishes it: the tag's version, to S3 behind the CDN. */
function publishChart(version: string) {
  return runReleaseAsync(
    [
      "chart",
      "publish",
      "chart",
      "--version",
      version,
      "--app-version",
      version,
      "--repo",
      `s3://${cloud.bucket}`,
      "--url",
      cloud.cdn.url,
      "--cdn",
      `cloudfront:${cloud.cdn.distributionId}`,
      "--wait",
    ],
    { cwd: work, env: cloud.awsEnv() },
  );
}

async function release(version: string): Promise<string> {
  const layout = await writeReleaseLayout(join(work, `layout-${version}`), version);
  const pushed = await runReleaseAsync(["image", "push", layout.dir, version, "--to", cloud.image], {
    cwd: work,
    env: {
      KUBE9_REGISTRY_USERNAME: cloud.registry.pusher.username,
      KUBE9_REGISTRY_PASSWORD: cloud.registry.pusher.password,
    },
  });
  if (pushed.status !== 0) throw new Error(pushed.stderr);
  const published = await publishChart(version);
  if (published.status !== 0) throw new Error(published.stderr);
  return layout.digest;
}

describe("the rehearsal's user view", () => {
  it("pulls both platforms anonymously, and adds, searches, pulls and installs the chart with Helm 3 and 4", async () => {
    const digest = await release("1.0.0");
    const view = await checkUserView({
      cloud,
      version: "1.0.0",
      helm: helm(),
      kubeconfig: cluster.kubeconfig,
      parts: ["image", "chart"],
      progress: () => undefined,
    });
    expect(view.image?.digest).toBe(digest);
    expect(view.image?.platforms.map((p) => p.platform)).toEqual(["linux/amd64", "linux/arm64"]);
    expect(view.chart.map((c) => [c.helm, c.listed, c.installed, c.renderedImage])).toEqual([
      ["helm3", ["1.0.0"], "installed", "ghcr.io/alto9/kube9-operator:1.0.0"],
      ["helm4", ["1.0.0"], "installed", "ghcr.io/alto9/kube9-operator:1.0.0"],
    ]);
  });

  it("renders from the repository without a cluster, and fails when the chart's image tag is not in the registry", async () => {
    const rendered = await checkUserView({
      cloud,
      version: "1.0.0",
      helm: helm(),
      parts: ["chart"],
      progress: () => undefined,
    });
    expect(rendered.chart.map((c) => c.installed)).toEqual(["rendered", "rendered"]);
    const published = await publishChart("2.0.0");
    expect(published.status).toBe(0);
    await expect(
      checkUserView({ cloud, version: "2.0.0", helm: helm(), parts: ["chart"], progress: () => undefined }),
    ).rejects.toThrow(/ghcr\.io\/alto9\/kube9-operator:2\.0\.0 does not resolve/);
  });
});
