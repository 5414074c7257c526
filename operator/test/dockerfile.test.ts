/**
 * The Dockerfile's contract, read from the file itself: a build stage on $BUILDPLATFORM, a final
 * stage that only copies, bases pinned by digest through build arguments, OCI labels from build
 * arguments, and a user, port, entrypoint and filesystem that match the chart's Deployment.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { startHealthServer } from "../src/http-server.js";
import { get } from "./support/http.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const read = (path: string) => readFileSync(join(root, path), "utf8");

interface Instruction {
  keyword: string;
  args: string;
}

/** Dockerfile instructions with continuation lines joined and comments dropped. */
function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("#")) continue;
    if (line.endsWith("\\")) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const full = (pending + line).trim();
    pending = "";
    if (full === "") continue;
    const space = full.search(/\s/);
    instructions.push({ keyword: full.slice(0, space).toUpperCase(), args: full.slice(space + 1).trim() });
  }
  return instructions;
}

const instructions = parseDockerfile(read("Dockerfile"));
const fromIndexes = instructions.flatMap((instruction, index) =>
  instruction.keyword === "FROM" ? [index] : [],
);
const globalArgs = instructions.slice(0, fromIndexes[0]);
const buildStage = instructions.slice(fromIndexes[0], fromIndexes[1]);
const finalStage = instructions.slice(fromIndexes[1]);
const all = (stage: Instruction[], keyword: string) =>
  stage.filter((instruction) => instruction.keyword === keyword).map((instruction) => instruction.args);

/** `${NAME}`, the way a Dockerfile refers to a build argument. */
const argRef = (name: string) => `\${${name}}`;

/** ARG name=value pairs of a stage (values unquoted). */
function args(stage: Instruction[]): Map<string, string | undefined> {
  const result = new Map<string, string | undefined>();
  for (const arg of all(stage, "ARG")) {
    const [name, ...value] = arg.split("=");
    result.set(name as string, value.length === 0 ? undefined : value.join("=").replace(/^"(.*)"$/, "$1"));
  }
  return result;
}

const values = yaml.load(read("charts/kube9-operator/values.yaml")) as {
  podSecurityContext: { runAsUser: number; runAsGroup: number; runAsNonRoot: boolean };
  securityContext: { readOnlyRootFilesystem: boolean; allowPrivilegeEscalation: boolean };
  service: { port: number };
};
const deployment = read("charts/kube9-operator/templates/deployment.yaml");

describe("Dockerfile", () => {
  it("has exactly a build stage on $BUILDPLATFORM and a per-platform final stage", () => {
    expect(fromIndexes).toHaveLength(2);
    expect(buildStage[0]?.args).toBe(`--platform=$BUILDPLATFORM ${argRef("BUILD_IMAGE")} AS build`);
    // Explicit, because buildah 1.28 otherwise builds the final stage of every platform from the
    // $BUILDPLATFORM variant of the runtime image (an x86-64 node in the arm64 image).
    expect(finalStage[0]?.args).toBe(`--platform=$TARGETPLATFORM ${argRef("RUNTIME_IMAGE")}`);
    expect(globalArgs.every((instruction) => instruction.keyword === "ARG")).toBe(true);
  });

  it("takes both base images as build arguments pinned by digest", () => {
    const globals = args(globalArgs);
    expect(globals.has("BUILDPLATFORM")).toBe(true);
    expect(globals.has("TARGETPLATFORM")).toBe(true);
    for (const name of ["BUILD_IMAGE", "RUNTIME_IMAGE"]) {
      expect(globals.get(name), name).toMatch(
        /^[a-z0-9.-]+(\/[a-z0-9._-]+)*(:[\w.-]+)?@sha256:[0-9a-f]{64}$/,
      );
    }
    expect(globals.get("BUILD_IMAGE")).toMatch(/^node:22-/);
    expect(globals.get("RUNTIME_IMAGE")).toMatch(/^gcr\.io\/distroless\/nodejs22-/);
  });

  it("installs from the lockfile for the operator only, compiles and prunes in the build stage", () => {
    const runs = all(buildStage, "RUN").join("\n");
    expect(runs).toMatch(/npm install --no-save .*--workspace operator/);
    expect(runs).toContain("tsc -p operator/tsconfig.json");
    expect(runs).toMatch(/npm prune --omit=dev/);
    expect(all(buildStage, "COPY")).toContain("package.json package-lock.json tsconfig.base.json ./");
  });

  it("only copies the build output into the final stage: no RUN, no npm", () => {
    expect(all(finalStage, "RUN")).toEqual([]);
    expect(all(finalStage, "ADD")).toEqual([]);
    expect(all(finalStage, "COPY")).toEqual(["--from=build /out /app"]);
    expect(all(finalStage, "ENTRYPOINT")).toEqual(['["/nodejs/bin/node", "/app/dist/main.js"]']);
    // /out/dist is operator/dist, compiled from operator/src/main.ts.
    const tsconfig = JSON.parse(read("operator/tsconfig.json")) as {
      compilerOptions: Record<string, string>;
    };
    expect(tsconfig.compilerOptions.outDir).toBe("dist");
    expect(existsSync(join(root, "operator/src/main.ts"))).toBe(true);
  });

  it("carries the OCI labels from build arguments", () => {
    const declared = args(finalStage);
    const labels = new Map(
      [
        ...all(finalStage, "LABEL")
          .join(" ")
          .matchAll(/([\w.]+)="([^"]*)"/g),
      ].map((m) => [m[1], m[2]]),
    );
    for (const [label, arg] of [
      ["version", "VERSION"],
      ["revision", "REVISION"],
      ["created", "CREATED"],
      ["source", "SOURCE"],
      ["title", "TITLE"],
      ["description", "DESCRIPTION"],
      ["licenses", "LICENSES"],
    ] as const) {
      expect(labels.get(`org.opencontainers.image.${label}`), label).toBe(argRef(arg));
      expect(declared.has(arg), arg).toBe(true);
    }
    expect(declared.get("LICENSES")).toBe(
      (JSON.parse(read("operator/package.json")) as { license: string }).license,
    );
  });

  it("runs as the chart's non-root user and exposes the chart's port", () => {
    expect(all(finalStage, "USER")).toEqual([
      `${values.podSecurityContext.runAsUser}:${values.podSecurityContext.runAsGroup}`,
    ]);
    expect(values.podSecurityContext.runAsUser).toBe(65532);
    expect(values.podSecurityContext.runAsNonRoot).toBe(true);
    expect(all(finalStage, "EXPOSE")).toEqual(["8080"]);
    expect(deployment).toMatch(/- name: http\s+containerPort: 8080\s+protocol: TCP/);
    expect(values.service.port).toBe(8080);
  });

  it("works with the chart's read-only root filesystem: only /tmp is writable", () => {
    expect(values.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(values.securityContext.allowPrivilegeEscalation).toBe(false);
    expect(deployment).toMatch(/- name: tmp\s+mountPath: \/tmp/);
    // Nothing in the image is made writable for the operator: /app stays owned by root.
    expect(all(finalStage, "COPY").join(" ")).not.toContain("--chown");
    expect(all(finalStage, "VOLUME")).toEqual([]);
  });

  it("serves the chart's probe paths: liveness stays 200 while readiness fails", async () => {
    const liveness = /livenessProbe:\s+httpGet:\s+path: (\S+)\s+port: http/.exec(deployment)?.[1];
    const readiness = /readinessProbe:\s+httpGet:\s+path: (\S+)\s+port: http/.exec(deployment)?.[1];
    expect([liveness, readiness]).toEqual(["/healthz", "/readyz"]);
    const server = await startHealthServer(
      { notReadyReason: () => "API server unreachable", metrics: () => "" },
      0,
      "127.0.0.1",
    );
    try {
      expect((await get(server.port, liveness as string)).status).toBe(200);
      expect((await get(server.port, readiness as string)).status).toBe(503);
      expect(deployment).toContain("prometheus.io/path: /metrics");
      expect((await get(server.port, "/metrics")).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe(".dockerignore", () => {
  const lines = read(".dockerignore")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
  const allowed = lines
    .filter((line) => line.startsWith("!"))
    .map((line) => line.slice(1).replace(/\/$/, ""));

  it("excludes everything but what the build stage copies", () => {
    expect(lines[0]).toBe("*");
    const sources = all(buildStage, "COPY").flatMap((copy) => copy.split(/\s+/).slice(0, -1));
    for (const source of sources) {
      expect(
        allowed.some((entry) => source === entry || source.startsWith(`${entry}/`)),
        source,
      ).toBe(true);
    }
    for (const entry of allowed) {
      expect(entry).not.toMatch(/test|dist|node_modules|\.git|\.tools|\.env/);
    }
  });
});
