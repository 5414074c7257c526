/**
 * The image commands as plain functions: each flag checked into a typed request before anything
 * is read, and each outcome rendered as the --json document, the human text and the step summary.
 * Nothing here needs a registry, cosign or buildah.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { writeOciLayout } from "../../../test/support/oci-layout.js";
import { imageLabelSet, labelsRequest, renderImageLabels } from "../../src/cli/commands/image-labels.js";
import { pushRequest, renderImagePush } from "../../src/cli/commands/image-push.js";
import { imageSbom, renderImageSbom, sbomRequest } from "../../src/cli/commands/image-sbom.js";
import { imageSign, renderImageSign, signRequest } from "../../src/cli/commands/image-sign.js";
import { imageTags, renderImageTags, tagsRequest } from "../../src/cli/commands/image-tags.js";
import { renderImageWait, waitRequest } from "../../src/cli/commands/image-wait.js";
import type { PushReport } from "../../src/image/push/push-layout.js";
import { parseImageReference } from "../../src/image/reference.js";
import { PASSWORD_ENV, USERNAME_ENV } from "../../src/image/registry-credentials.js";
import { refusalOf, rejectionOf } from "../support/refusal.js";

const DIGEST = `sha256:${"a".repeat(64)}`;
const AMD64 = `sha256:${"b".repeat(64)}`;
const ARM64 = `sha256:${"c".repeat(64)}`;
const REVISION = "0123456789abcdef0123456789abcdef01234567";

let cwd: string;

beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), "kube9-image-commands-"));
});

afterEach(() => {
  rmSync(cwd, { recursive: true, force: true });
});

describe("image wait", () => {
  it("keeps the timeout as given for the progress line, and its milliseconds for the wait", () => {
    const request = waitRequest("ghcr.io/alto9/kube9-operator:1.2.3", { timeout: "1m30s" });
    expect(request).toMatchObject({ refText: "ghcr.io/alto9/kube9-operator:1.2.3", timeoutText: "1m30s" });
    expect(request.timeoutMs).toBe(90_000);
    expect(request.ref.reference).toBe("1.2.3");
  });

  it("refuses a bad --timeout before the reference", () => {
    const refusal = refusalOf(() => waitRequest("not a reference", { timeout: "soon" }), "USAGE");
    expect(refusal.field).toBe("--timeout");
  });

  it("renders the reference and the number of checks", () => {
    const rendering = renderImageWait({ reference: "ghcr.io/a/b:1.2.3", attempts: 3, waitedMs: 6000 });
    expect(rendering).toEqual({
      data: { reference: "ghcr.io/a/b:1.2.3", attempts: 3, waitedMs: 6000 },
      human: "OK ghcr.io/a/b:1.2.3 exists (after 3 check(s))",
    });
  });
});

describe("image labels", () => {
  const flags = {
    revision: REVISION,
    created: "2026-03-04T05:06:07+01:00",
    source: "https://github.com/alto9/kube9-operator",
  };

  it("puts created in UTC, whole seconds, in the labels and the build arguments", () => {
    const labelSet = imageLabelSet(labelsRequest("v1.2.3", flags));
    expect(labelSet.created).toBe("2026-03-04T04:06:07Z");
    expect(labelSet.labels["org.opencontainers.image.created"]).toBe("2026-03-04T04:06:07Z");
    expect(labelSet.buildArgs).toEqual([
      "VERSION=1.2.3",
      `REVISION=${REVISION}`,
      "CREATED=2026-03-04T04:06:07Z",
      "SOURCE=https://github.com/alto9/kube9-operator",
    ]);
  });

  it("refuses a --created that is not RFC 3339", () => {
    const refusal = refusalOf(
      () => labelsRequest("not a version", { ...flags, created: "yesterday" }),
      "USAGE",
    );
    expect(refusal.field).toBe("--created");
  });

  it("renders key=value lines, and the labels object for --json", () => {
    const labelSet = imageLabelSet(labelsRequest("v1.2.3", flags));
    const rendering = renderImageLabels(labelSet);
    expect(rendering.data).toBe(labelSet.labels);
    expect(rendering.human.split("\n")).toContain("org.opencontainers.image.version=1.2.3");
    expect(rendering.human.split("\n")).toHaveLength(Object.keys(labelSet.labels).length);
    expect(rendering.summary).toBeUndefined();
  });
});

describe("image tags", () => {
  it("refuses a bad version before any registry is read", () => {
    const refusal = refusalOf(() => tagsRequest("v1.2.3+build", { image: "ghcr.io/alto9/kube9-operator" }));
    expect(refusal.code).toBe("USAGE");
  });

  it("takes --existing alone as no tags, and splits comma-separated ones", () => {
    expect(tagsRequest("v1.2.3", { existing: true }).existing).toEqual([]);
    expect(tagsRequest("v1.2.3", { existing: ["v1.0.0,1.0.0", "v1.3.0"] }).existing).toEqual([
      "v1.0.0",
      "1.0.0",
      "v1.3.0",
    ]);
    expect(tagsRequest("v1.2.3", {}).existing).toBeUndefined();
  });

  it("explains each floating tag and names the refs of the repository", async () => {
    const lines: string[] = [];
    const outcome = await imageTags(
      {
        ...tagsRequest("v1.2.3", { image: "ghcr.io/alto9/kube9-operator", existing: ["v1.3.0"] }),
      },
      (line) => lines.push(line),
    );
    expect(outcome.set.tags).toEqual(["v1.2.3", "1.2.3", "1.2"]);
    expect(outcome.refs).toEqual([
      "ghcr.io/alto9/kube9-operator:v1.2.3",
      "ghcr.io/alto9/kube9-operator:1.2.3",
      "ghcr.io/alto9/kube9-operator:1.2",
    ]);
    expect(lines).toHaveLength(outcome.set.floating.length);
    expect(lines.find((l) => l.startsWith("latest: "))).toMatch(/^latest: stays \(/);
  });

  it("renders the tags as lines; the JSON has refs only with --image, existing last", async () => {
    const without = renderImageTags(await imageTags(tagsRequest("v0.2.0", { existing: true }), () => {}));
    expect(without.human).toBe("v0.2.0\n0.2.0\n0.2\nlatest");
    expect(Object.keys(without.data as object)).toEqual([
      "version",
      "prerelease",
      "fixed",
      "tags",
      "floating",
      "existing",
    ]);
    const withImage = renderImageTags(
      await imageTags(tagsRequest("v0.2.0", { image: "ghcr.io/a/b", existing: true }), () => {}),
    );
    expect(Object.keys(withImage.data as object)).toEqual([
      "version",
      "prerelease",
      "fixed",
      "tags",
      "floating",
      "refs",
      "existing",
    ]);
  });
});

describe("image push", () => {
  const context = () => ({ cwd, env: {} });

  it("turns the flags into a request: version without v, the layout resolved, no credentials", () => {
    const request = pushRequest(
      "layout",
      "v1.2.3",
      { to: "ghcr.io/alto9/kube9-operator", digest: DIGEST },
      context(),
    );
    expect(request).toMatchObject({ layoutDir: join(cwd, "layout"), version: "1.2.3", digest: DIGEST });
    expect(request.credentials).toBeUndefined();
    expect(`${request.repository.registry}/${request.repository.name}`).toBe("ghcr.io/alto9/kube9-operator");
  });

  it("refuses a --digest that is not sha256:<64 hex>", () => {
    const refusal = refusalOf(
      () => pushRequest("layout", "v1.2.3", { to: "ghcr.io/a/b", digest: "sha256:abc" }, context()),
      "USAGE",
    );
    expect(refusal.field).toBe("--digest");
    expect(refusal.message).toBe('"sha256:abc" is not a digest');
  });

  it("refuses half the registry credentials before the layout is read", () => {
    const refusal = refusalOf(
      () => pushRequest("missing", "v1.2.3", { to: "ghcr.io/a/b" }, { cwd, env: { [USERNAME_ENV]: "me" } }),
      "USAGE",
    );
    expect(refusal.field).toBe(PASSWORD_ENV);
  });

  it("renders the push report, each tag and where it points", () => {
    const tag = (name: string, version: string, outcome: "pushed" | "unchanged") => ({
      tag: name,
      reference: `ghcr.io/a/b:${name}`,
      outcome,
      version,
      digest: DIGEST,
    });
    const report: PushReport = {
      digest: DIGEST,
      blobsUploaded: 5,
      blobsPresent: 2,
      fixed: [tag("v1.2.3", "1.2.3", "pushed"), tag("1.2.3", "1.2.3", "unchanged")],
      floating: [tag("latest", "1.3.0", "unchanged")],
      floatingRounds: 1,
    };
    const rendering = renderImagePush({ version: "1.2.3", report });
    expect(rendering.data).toBe(report);
    expect(rendering.human).toBe(
      [
        `pushed ${DIGEST} (5 blob(s) uploaded, 2 already there)`,
        "  ghcr.io/a/b:v1.2.3 -> 1.2.3 (pushed)",
        "  ghcr.io/a/b:1.2.3 -> 1.2.3 (unchanged)",
        "  ghcr.io/a/b:latest -> 1.3.0 (unchanged)",
      ].join("\n"),
    );
    expect(rendering.summary).toBe(
      [
        "### Image 1.2.3 pushed",
        "",
        `digest \`${DIGEST}\``,
        "",
        "| tag | points at | |",
        "|---|---|---|",
        "| `v1.2.3` | 1.2.3 | pushed |",
        "| `1.2.3` | 1.2.3 | unchanged |",
        "| `latest` | 1.3.0 | unchanged |",
      ].join("\n"),
    );
  });
});

describe("image sbom", () => {
  it("names the repository as host/name, whatever tag --repository carries", () => {
    const request = sbomRequest(
      "layout",
      { out: "sboms", repository: "ghcr.io/alto9/kube9-operator:v1" },
      cwd,
    );
    expect(request).toEqual({
      layoutDir: join(cwd, "layout"),
      repository: "ghcr.io/alto9/kube9-operator",
      outDir: join(cwd, "sboms"),
    });
  });

  it("writes one SPDX document per platform and renders them", async () => {
    // What an official Node.js build carries: the URL of its headers, naming its version.
    const node = Buffer.from(
      "\x7fELF\0https://nodejs.org/download/release/v22.23.3/node-v22.23.3-headers.tar.gz\0",
    );
    const files = { "nodejs/bin/node": node, "app/package.json": '{"name":"app","version":"1.2.3"}' };
    const layout = await writeOciLayout(join(cwd, "layout"), "1.2.3", [
      { platform: "linux/amd64", files },
      { platform: "linux/arm64", files },
    ]);
    const progress: string[] = [];
    const outcome = await imageSbom(
      sbomRequest(
        "layout",
        { out: "sboms", repository: "ghcr.io/a/b", created: "2026-03-04T05:06:07Z" },
        cwd,
      ),
      (line) => progress.push(line),
    );
    expect(progress).toEqual([`reading the layers of ${join(cwd, "layout")}`]);
    expect(outcome.digest).toBe(layout.digest);
    expect(readdirSync(join(cwd, "sboms")).sort()).toEqual([
      "sbom-linux-amd64.spdx.json",
      "sbom-linux-arm64.spdx.json",
    ]);
    const [amd64] = outcome.platforms;
    expect(amd64).toEqual({
      platform: "linux/amd64",
      digest: layout.platforms[0]?.digest,
      file: join(cwd, "sboms", "sbom-linux-amd64.spdx.json"),
      packages: 2,
    });
    expect(Object.keys(amd64 ?? {})).toEqual(["platform", "digest", "file", "packages"]);
    const rendering = renderImageSbom(outcome);
    expect(rendering.data).toEqual({ digest: outcome.digest, platforms: outcome.platforms });
    expect(rendering.human.split("\n")[0]).toBe(`SBOMs of ${layout.digest} (SPDX 2.3):`);
    expect(rendering.human.split("\n")[1]).toBe(
      `  linux/amd64   ${amd64?.digest}  ${amd64?.packages} packages  ${join(cwd, "sboms", "sbom-linux-amd64.spdx.json")}`,
    );
    expect(rendering.summary?.split("\n").slice(0, 4)).toEqual([
      "### Image SBOMs (SPDX 2.3)",
      "",
      "| platform | digest | packages |",
      "| --- | --- | --- |",
    ]);
  });
});

describe("image sign", () => {
  const byDigest = `ghcr.io/alto9/kube9-operator@${DIGEST}`;

  it("refuses a tag: what is signed must not move", () => {
    const refusal = refusalOf(
      () =>
        signRequest(
          "ghcr.io/alto9/kube9-operator:v1.2.3",
          { sbomDir: "sboms", cosign: "cosign" },
          { cwd, env: {} },
        ),
      "USAGE",
    );
    expect(refusal.field).toBe("<ref@digest>");
    expect(refusal.message).toBe(
      "ghcr.io/alto9/kube9-operator:v1.2.3 names a tag; sign by digest so that what is signed cannot move",
    );
  });

  it("refuses keyless signing without GitHub Actions' OIDC token", () => {
    const refusal = refusalOf(
      () => signRequest(byDigest, { sbomDir: "sboms", cosign: "cosign" }, { cwd, env: {} }),
      "USAGE",
    );
    expect(refusal.field).toBe("--key");
  });

  it("signs with a key file relative to the working directory", () => {
    const request = signRequest(
      byDigest,
      { sbomDir: "sboms", cosign: "/bin/cosign", key: "cosign.key" },
      { cwd, env: {} },
    );
    expect(request.mode).toEqual({ kind: "key", keyFile: join(cwd, "cosign.key") });
    expect(request).toMatchObject({
      sbomDir: join(cwd, "sboms"),
      cosign: "/bin/cosign",
      credentials: undefined,
    });
  });

  it("refuses a missing SBOM folder before the registry is read", async () => {
    const request = signRequest(
      byDigest,
      { sbomDir: "missing", cosign: "cosign", key: "k" },
      { cwd, env: {} },
    );
    const refusal = await rejectionOf(
      imageSign(request, {}, () => {}),
      "USAGE",
    );
    expect(refusal.field).toBe("--sbom-dir");
    expect(refusal.file).toBe(join(cwd, "missing"));
  });

  it("renders the reference as given, each platform's attestation and the summary", () => {
    const report = {
      reference: byDigest,
      digest: DIGEST,
      mode: "key" as const,
      signSeconds: 1.26,
      platforms: [
        { platform: "linux/amd64", digest: AMD64, sbom: "a.spdx.json", seconds: 2 },
        { platform: "linux/arm64", digest: ARM64, sbom: "b.spdx.json", seconds: 0.04 },
      ],
    };
    const rendering = renderImageSign({ ref: parseImageReference(byDigest), report });
    expect(rendering.data).toBe(report);
    expect(rendering.human).toBe(
      [
        `signed ${byDigest} (key) in 1.3 s`,
        `  linux/amd64   ${AMD64}  SBOM attested in 2.0 s`,
        `  linux/arm64   ${ARM64}  SBOM attested in 0.0 s`,
      ].join("\n"),
    );
    expect(rendering.summary).toBe(
      [
        "### Image signed (key)",
        "",
        `\`${byDigest}\``,
        "",
        "| platform | digest | SBOM attestation |",
        "| --- | --- | --- |",
        `| linux/amd64 | \`${AMD64}\` | SPDX 2.3 |`,
        `| linux/arm64 | \`${ARM64}\` | SPDX 2.3 |`,
      ].join("\n"),
    );
  });
});
