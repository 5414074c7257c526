import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  emulatedSteps,
  parseDockerfileStages,
  runStepsInLog,
  stagePlatform,
} from "../../../src/image/builder/dockerfile-stages.js";
import { refusalOf } from "../../support/refusal.js";

const REPO_DOCKERFILE = join(import.meta.dirname, "..", "..", "..", "..", "Dockerfile");
const AMD64 = "linux/amd64";
const ARM64 = "linux/arm64";

/** What buildah 1.28 logs for the repository's Dockerfile (abridged to the step lines and some noise). */
const REPO_BUILD_LOG = [
  "[1/2] STEP 1/10: FROM node:22-bookworm-slim@sha256:53ad AS build",
  "Trying to pull docker.io/library/node@sha256:53ad...",
  "[1/2] STEP 2/10: WORKDIR /src",
  "[1/2] STEP 3/10: COPY package.json package-lock.json tsconfig.base.json ./",
  "[1/2] STEP 7/10: RUN npm install --no-save --ignore-scripts --no-audit --no-fund       --workspace operator --include-workspace-root",
  "added 42 packages in 3s",
  "[1/2] STEP 8/10: COPY operator/src operator/src",
  '[1/2] STEP 9/10: ARG VERSION=""',
  '[1/2] STEP 10/10: RUN if [ -n "$VERSION" ]; then npm pkg set "version=$VERSION" --workspace operator; fi  && node_modules/.bin/tsc -p operator/tsconfig.json',
  "[2/2] STEP 1/16: FROM gcr.io/distroless/nodejs22-debian13@sha256:773a",
  "[2/2] STEP 14/16: COPY --from=build /out /app",
  "[2/2] COMMIT localhost/kube9-build:1.2.3-linux-arm64",
  "--> 3f1c0e0b8a2d",
].join("\n");

describe("parseDockerfileStages on the repository's Dockerfile", () => {
  const stages = parseDockerfileStages(readFileSync(REPO_DOCKERFILE, "utf8"));

  it("finds the build stage on $BUILDPLATFORM with its two RUN steps", () => {
    expect(stages).toHaveLength(2);
    expect(stages[0]).toEqual({
      index: 0,
      name: "build",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Dockerfile text, not a template
      from: "${BUILD_IMAGE}",
      platformFlag: "$BUILDPLATFORM",
      runSteps: 2,
    });
  });

  it("finds the final stage on $TARGETPLATFORM with no RUN step", () => {
    expect(stages[1]).toEqual({
      index: 1,
      name: undefined,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Dockerfile text, not a template
      from: "${RUNTIME_IMAGE}",
      platformFlag: "$TARGETPLATFORM",
      runSteps: 0,
    });
  });

  it("places the build stage on the builder and the final stage on the target", () => {
    expect(stagePlatform(stages, 0, ARM64, AMD64)).toBe(AMD64);
    expect(stagePlatform(stages, 1, ARM64, AMD64)).toBe(ARM64);
  });

  it("runs no step under emulation when building linux/arm64 on linux/amd64", () => {
    expect(runStepsInLog(REPO_BUILD_LOG)).toEqual(new Map([[0, 2]]));
    expect(emulatedSteps(stages, REPO_BUILD_LOG, ARM64, AMD64)).toBe(0);
  });
});

describe("parseDockerfileStages", () => {
  it("joins continuation lines into one instruction and skips comment lines inside them", () => {
    const stages = parseDockerfileStages(
      [
        "FROM alpine:3.20 \\",
        "  AS base",
        "RUN apk add --no-cache \\",
        "# a comment in the middle does not end the RUN",
        "      curl \\",
        "    # nor does an indented one",
        "      jq",
        "RUN true",
        "",
      ].join("\n"),
    );
    expect(stages).toEqual([
      { index: 0, name: "base", from: "alpine:3.20", platformFlag: undefined, runSteps: 2 },
    ]);
  });

  it("reads CRLF line endings, lower-case keywords and `as`", () => {
    const stages = parseDockerfileStages("from --platform=linux/s390x busybox as tools\r\nrun echo hi\r\n");
    expect(stages).toEqual([
      { index: 0, name: "tools", from: "busybox", platformFlag: "linux/s390x", runSteps: 1 },
    ]);
  });

  it("counts RUN steps per stage", () => {
    const stages = parseDockerfileStages(
      ["FROM a AS one", "RUN x", "RUN y", "RUN z", "FROM b AS two", "COPY . .", "FROM c", "RUN w"].join("\n"),
    );
    expect(stages.map((s) => [s.name, s.runSteps])).toEqual([
      ["one", 3],
      ["two", 0],
      [undefined, 1],
    ]);
  });

  it("refuses a Dockerfile without FROM, naming the file", () => {
    const error = refusalOf(() =>
      parseDockerfileStages("# only a comment\nARG X=1\n", "/src/empty.Dockerfile"),
    );
    expect(error.code).toBe("IMAGE_BUILD_FAILED");
    expect(error.file).toBe("/src/empty.Dockerfile");
    expect(error.message).toContain("no FROM");
  });

  it("refuses RUN before the first FROM, naming the file", () => {
    const error = refusalOf(() =>
      parseDockerfileStages("ARG X=1\nRUN echo\nFROM alpine\n", "/src/Dockerfile.bad"),
    );
    expect(error.code).toBe("IMAGE_BUILD_FAILED");
    expect(error.file).toBe("/src/Dockerfile.bad");
    expect(error.message).toContain("RUN before the first FROM");
  });

  it("refuses FROM that names no image, naming the file and the stage", () => {
    const error = refusalOf(() =>
      parseDockerfileStages("FROM alpine\nRUN x\nFROM --platform=$BUILDPLATFORM\n", "df"),
    );
    expect(error.code).toBe("IMAGE_BUILD_FAILED");
    expect(error.file).toBe("df");
    expect(error.field).toBe("stage 2");
    expect(error.message).toContain("FROM names no image");
  });

  it("names `Dockerfile` when no file is given", () => {
    expect(refusalOf(() => parseDockerfileStages("")).file).toBe("Dockerfile");
  });
});

describe("stagePlatform", () => {
  it("follows $BUILDPLATFORM and $TARGETPLATFORM, with or without braces", () => {
    const stages = parseDockerfileStages(
      [
        "FROM --platform=$BUILDPLATFORM a AS a",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Dockerfile text, not a template
        "FROM --platform=${BUILDPLATFORM} b AS b",
        "FROM --platform=$TARGETPLATFORM c AS c",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Dockerfile text, not a template
        "FROM --platform=${TARGETPLATFORM} d AS d",
      ].join("\n"),
    );
    expect([0, 1, 2, 3].map((i) => stagePlatform(stages, i, ARM64, AMD64))).toEqual([
      AMD64,
      AMD64,
      ARM64,
      ARM64,
    ]);
  });

  it("takes a literal --platform as it is, whatever the target and builder", () => {
    const stages = parseDockerfileStages("FROM --platform=linux/ppc64le a\n");
    expect(stagePlatform(stages, 0, ARM64, AMD64)).toBe("linux/ppc64le");
  });

  it("puts a stage without --platform on the target", () => {
    const stages = parseDockerfileStages("FROM alpine\n");
    expect(stagePlatform(stages, 0, ARM64, AMD64)).toBe(ARM64);
  });

  it("lets FROM <stage> inherit that stage's platform, through several generations", () => {
    const stages = parseDockerfileStages(
      [
        "FROM --platform=$BUILDPLATFORM node AS deps",
        "FROM deps AS build",
        "FROM build AS test",
        "FROM --platform=linux/riscv64 alpine AS cross",
        "FROM cross",
        "FROM alpine",
      ].join("\n"),
    );
    expect(stages.map((_, i) => stagePlatform(stages, i, ARM64, AMD64))).toEqual([
      AMD64,
      AMD64,
      AMD64,
      "linux/riscv64",
      "linux/riscv64",
      ARM64,
    ]);
  });

  it("does not inherit from a stage defined later (FROM names an image then)", () => {
    const stages = parseDockerfileStages("FROM later\nFROM --platform=$BUILDPLATFORM x AS later\n");
    expect(stagePlatform(stages, 0, ARM64, AMD64)).toBe(ARM64);
  });
});

describe("runStepsInLog", () => {
  it("counts RUN steps per stage from multi-stage step lines", () => {
    const log = [
      "[1/3] STEP 1/4: FROM golang AS build",
      "[1/3] STEP 2/4: RUN go mod download",
      "[1/3] STEP 3/4: RUN go build ./...",
      "[2/3] STEP 1/2: FROM alpine AS certs",
      "[2/3] STEP 2/2: RUN apk add ca-certificates",
      "[3/3] STEP 1/3: FROM scratch",
      "[3/3] STEP 2/3: COPY --from=build /app /app",
      '[3/3] STEP 3/3: ENTRYPOINT ["/app"]',
    ].join("\n");
    expect(runStepsInLog(log)).toEqual(
      new Map([
        [0, 2],
        [1, 1],
      ]),
    );
  });

  it("counts a single-stage build's steps as stage 0", () => {
    const log = "STEP 1/2: FROM alpine\nSTEP 2/2: RUN apk add --no-cache curl\nCOMMIT x\n";
    expect(runStepsInLog(log)).toEqual(new Map([[0, 1]]));
  });

  it("does not count non-RUN steps, RUN inside other text, or RUNNING", () => {
    const log = [
      "[1/1] STEP 1/5: FROM alpine",
      "[1/1] STEP 2/5: COPY RUN.sh /",
      "[1/1] STEP 3/5: ENV RUN=1",
      "[1/1] STEP 4/5: RUNNING is not an instruction",
      "echo STEP 5/5: RUN in the output of a step",
      '[1/1] STEP 5/5: CMD ["RUN"]',
    ].join("\n");
    expect(runStepsInLog(log)).toEqual(new Map());
  });

  it("reads lines with surrounding whitespace and CRLF endings", () => {
    expect(runStepsInLog("  [2/2] STEP 3/3: RUN make\r\n")).toEqual(new Map([[1, 1]]));
  });
});

describe("emulatedSteps", () => {
  const crossDockerfile = [
    "FROM --platform=$BUILDPLATFORM golang:1.23 AS build",
    "RUN go build -o /out/app .",
    "FROM --platform=$TARGETPLATFORM debian:bookworm-slim",
    "RUN apt-get update",
    "RUN apt-get install -y ca-certificates",
    "COPY --from=build /out/app /app",
  ].join("\n");
  const crossLog = [
    "[1/2] STEP 1/2: FROM golang:1.23 AS build",
    "[1/2] STEP 2/2: RUN go build -o /out/app .",
    "[2/2] STEP 1/4: FROM debian:bookworm-slim",
    "[2/2] STEP 2/4: RUN apt-get update",
    "[2/2] STEP 3/4: RUN apt-get install -y ca-certificates",
    "[2/2] STEP 4/4: COPY --from=build /out/app /app",
  ].join("\n");
  const stages = parseDockerfileStages(crossDockerfile);

  it("counts the final stage's RUN steps when the target is not the builder", () => {
    expect(emulatedSteps(stages, crossLog, ARM64, AMD64)).toBe(2);
  });

  it("counts nothing when the target is the builder", () => {
    expect(emulatedSteps(stages, crossLog, AMD64, AMD64)).toBe(0);
  });

  it("counts what the log shows ran, not what the Dockerfile holds", () => {
    const skipped = crossLog
      .split("\n")
      .filter((line) => !line.includes("apt-get update"))
      .join("\n");
    expect(emulatedSteps(stages, skipped, ARM64, AMD64)).toBe(1);
  });

  it("counts every RUN of a single-stage build for another platform", () => {
    const single = parseDockerfileStages("FROM alpine\nRUN apk add curl\nRUN apk add jq\n");
    const log = "STEP 1/3: FROM alpine\nSTEP 2/3: RUN apk add curl\nSTEP 3/3: RUN apk add jq\n";
    expect(emulatedSteps(single, log, ARM64, AMD64)).toBe(2);
    expect(emulatedSteps(single, log, AMD64, AMD64)).toBe(0);
  });
});
