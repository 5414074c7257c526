import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Buildah, logTail } from "../../../src/image/builder/buildah.js";
import { rejectionOf } from "../../support/refusal.js";

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "kube9-buildah-"));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A stand-in for buildah: prints each argument as `arg: <value>`, its isolation and a test
 * variable, a stdout line interrupted by a stderr line, a character split across two writes,
 * an unterminated last line, and exits with $FAKE_EXIT.
 */
function fakeBuildah(): string {
  const path = join(dir, "buildah");
  writeFileSync(
    path,
    [
      "#!/bin/sh",
      'for arg in "$@"; do echo "arg: $arg"; done',
      'echo "isolation: $BUILDAH_ISOLATION"',
      'echo "extra: $KUBE9_TEST_EXTRA"',
      "sleep 0.1",
      // An unfinished stdout line, a whole stderr line, then the rest of the stdout line.
      'printf "half a line"',
      "sleep 0.1",
      'echo "warning from stderr" >&2',
      "sleep 0.1",
      'echo ", then the rest"',
      // A check mark (e2 9c 93) split across two writes.
      "printf '\\342\\234'",
      "sleep 0.1",
      "printf '\\223 done\\n'",
      'printf "last words of %s" "$1"',
      '[ -n "$FAKE_EXIT" ] || FAKE_EXIT=0',
      'exit "$FAKE_EXIT"',
      "",
    ].join("\n"),
  );
  chmodSync(path, 0o755);
  return path;
}

function buildah(env: Record<string, string> = {}, lines: string[] = []): Buildah {
  return new Buildah({
    binary: fakeBuildah(),
    root: join(dir, "root"),
    runRoot: join(dir, "run"),
    env,
    onLine: (line) => lines.push(line),
  });
}

describe("Buildah", () => {
  it("puts the private storage and vfs before the command's own arguments", async () => {
    const { log } = await buildah().run(["build", "--platform", "linux/arm64", "."], "the build");
    const args = log
      .split("\n")
      .filter((line) => line.startsWith("arg: "))
      .map((line) => line.slice("arg: ".length));
    expect(args).toEqual([
      "--root",
      join(dir, "root"),
      "--runroot",
      join(dir, "run"),
      "--storage-driver",
      "vfs",
      "build",
      "--platform",
      "linux/arm64",
      ".",
    ]);
  });

  it("gives every command the registries.conf of the run, as a global flag", async () => {
    const builder = new Buildah({
      binary: fakeBuildah(),
      root: join(dir, "root"),
      runRoot: join(dir, "run"),
      registriesConf: join(dir, "registries.conf"),
    });
    const { log } = await builder.run(
      ["manifest", "push", "--all", "list", "docker://127.0.0.1:5000/a/b:1"],
      "push",
    );
    const args = log
      .split("\n")
      .filter((line) => line.startsWith("arg: "))
      .map((line) => line.slice("arg: ".length));
    // Before the subcommand (a global option), and no --tls-verify anywhere.
    expect(args.slice(0, 8)).toEqual([
      "--root",
      join(dir, "root"),
      "--runroot",
      join(dir, "run"),
      "--storage-driver",
      "vfs",
      "--registries-conf",
      join(dir, "registries.conf"),
    ]);
    expect(args.some((arg) => arg.startsWith("--tls-verify"))).toBe(false);
  });

  it("runs buildah with chroot isolation and the extra environment", async () => {
    const { log } = await buildah({ KUBE9_TEST_EXTRA: "yes", BUILDAH_ISOLATION: "oci" }).run(
      ["info"],
      "info",
    );
    expect(log).toContain("isolation: chroot\n");
    expect(log).toContain("extra: yes\n");
  });

  it("hands every line of stdout and stderr to onLine, the unterminated last one included", async () => {
    const lines: string[] = [];
    const { log } = await buildah({}, lines).run(["version"], "version");
    expect(lines).toEqual([
      "arg: --root",
      `arg: ${join(dir, "root")}`,
      "arg: --runroot",
      `arg: ${join(dir, "run")}`,
      "arg: --storage-driver",
      "arg: vfs",
      "arg: version",
      "isolation: chroot",
      "extra: ",
      "warning from stderr",
      "half a line, then the rest",
      "\u2713 done",
      "last words of --root",
    ]);
    expect(log.endsWith("last words of --root")).toBe(true);
    expect(log).toContain("warning from stderr\n");
  });

  it("rejects a non-zero exit with IMAGE_BUILD_FAILED, what failed and the last lines of output", async () => {
    const lines: string[] = [];
    const error = await rejectionOf(
      buildah({ FAKE_EXIT: "3" }, lines).run(["build", "."], "the linux/arm64 build"),
    );
    expect(error.code).toBe("IMAGE_BUILD_FAILED");
    expect(error.message).toContain("the linux/arm64 build failed (buildah exit status 3)");
    expect(error.message).toContain("warning from stderr");
    expect(error.message.endsWith("last words of --root")).toBe(true);
    expect(lines.at(-1)).toBe("last words of --root");
  });

  it("rejects a binary that cannot be run with TOOL_FAILED and how to install buildah", async () => {
    const missing = new Buildah({ binary: join(dir, "no-such-buildah"), root: dir, runRoot: dir });
    const error = await rejectionOf(missing.run(["version"], "version"));
    expect(error.code).toBe("TOOL_FAILED");
    expect(error.file).toBe(join(dir, "no-such-buildah"));
    expect(error.fix).toContain("install buildah");
  });
});

describe("logTail", () => {
  const log = Array.from({ length: 40 }, (_, i) => `line ${i + 1}`).join("\n");

  it("keeps the last 25 lines by default", () => {
    const tail = logTail(log).split("\n");
    expect(tail).toHaveLength(25);
    expect(tail[0]).toBe("line 16");
    expect(tail.at(-1)).toBe("line 40");
  });

  it("keeps the last N lines, ignoring trailing blank lines", () => {
    expect(logTail(`${log}\n\n\n`, 3)).toBe("line 38\nline 39\nline 40");
  });

  it("keeps a short log whole", () => {
    expect(logTail("only\ntwo", 10)).toBe("only\ntwo");
  });
});
