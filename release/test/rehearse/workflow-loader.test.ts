// biome-ignore-all lint/suspicious/noTemplateCurlyInString: GitHub expressions are ${{ }} inside plain strings, not template literals
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ReleaseError } from "../../src/errors.js";
import { loadWorkflow, parseWorkflow } from "../../src/rehearse/workflow/load-workflow.js";
import { refusalOf } from "../support/refusal.js";
import { workflowFixtures } from "../support/workflow-repo.js";

const SHA = "0123456789abcdef0123456789abcdef01234567";

describe("loadWorkflow", () => {
  it("reads every supported key into typed data", async () => {
    const workflow = await loadWorkflow(join(workflowFixtures, "all-keys.yml"), "all-keys.yml");
    expect(workflow).toMatchObject({
      file: "all-keys.yml",
      name: "all-keys",
      runName: "all keys for ${{ inputs.tag }}",
      env: { TOP: "top" },
      permissions: {},
      concurrency: { group: "all-keys-${{ inputs.tag }}", cancelInProgress: false },
      defaults: { shell: "bash" },
    });
    expect(workflow.on.events).toEqual(["release", "workflow_dispatch", "push"]);
    expect(workflow.on.release).toEqual({ types: ["published"] });
    expect(workflow.on.workflowDispatch?.inputs).toEqual({
      tag: { description: "Release tag", required: true, type: "string" },
      channel: { required: false, type: "choice", options: ["stable", "rc"], default: "stable" },
    });
    const [first, second, third] = workflow.jobs;
    expect(first).toMatchObject({
      id: "first",
      name: "First ${{ inputs.tag }}",
      needs: [],
      runsOn: "ubuntu-24.04",
      timeoutMinutes: 5,
      environment: { name: "release", url: "https://example.invalid/${{ inputs.tag }}" },
      permissions: { contents: "read" },
      concurrency: { group: "first-${{ inputs.tag }}", cancelInProgress: false },
      env: { JOB: "job" },
      outputs: { value: "${{ steps.one.outputs.value }}" },
      defaults: { workingDirectory: "sub" },
    });
    expect(first?.steps).toEqual([
      {
        index: 0,
        id: "one",
        name: "One",
        if: "github.event_name != 'push'",
        run: 'echo "value=1" >> "$GITHUB_OUTPUT"',
        shell: "bash",
        env: { STEP: "step" },
        with: {},
        workingDirectory: "other",
        continueOnError: "${{ inputs.channel == 'rc' }}",
        timeoutMinutes: 2,
      },
      {
        index: 1,
        uses: `example/setup-thing/sub@${SHA}`,
        with: { version: 3 },
        env: {},
        continueOnError: false,
      },
    ]);
    expect(second).toMatchObject({
      id: "second",
      needs: ["first"],
      uses: "./.github/workflows/called.yml",
      with: { tag: "${{ inputs.tag }}" },
      secrets: "inherit",
      steps: [],
    });
    expect(third).toMatchObject({
      needs: ["first", "second"],
      if: "always()",
      environment: { name: "production" },
    });
  });

  it("names a file it cannot read", async () => {
    await expect(loadWorkflow(join(workflowFixtures, "no-such.yml"), "no-such.yml")).rejects.toMatchObject({
      code: "WORKFLOW_INVALID",
      file: "no-such.yml",
    });
  });
});

/** A workflow with one job whose body is `job` (indented YAML lines). */
function withJob(job: string): string {
  return `on: push\njobs:\n  build:\n${job
    .trim()
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n")}\n`;
}

const steps = (...lines: string[]) =>
  `runs-on: ubuntu-24.04\nsteps:\n${lines.map((l) => `  ${l}`).join("\n")}`;

function loadError(text: string): ReleaseError {
  return refusalOf(() => parseWorkflow(text, ".github/workflows/x.yml"));
}

describe("parseWorkflow refuses what it cannot rehearse faithfully", () => {
  it.each([
    ["invalid YAML", "on: [push\n", undefined, /not valid YAML/],
    ["a list at the top", "- a\n", undefined, /expected a mapping/],
    ["an unknown workflow key", "on: push\nfoo: 1\njobs: {}\n", "foo", /unknown key "foo"/],
    ["no jobs", "on: push\njobs: {}\n", "jobs", /has no jobs/],
    ["no on", "jobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n", "on", /has no on:/],
    [
      "an unknown job key",
      withJob(`${steps("- run: echo")}\nruns_on: x`),
      "jobs.build.runs_on",
      /unknown key "runs_on"/,
    ],
    [
      "a matrix strategy",
      withJob(`${steps("- run: echo")}\nstrategy:\n  matrix:\n    os: [a]`),
      "jobs.build.strategy",
      /strategy \(matrix jobs\) is not supported/,
    ],
    [
      "service containers",
      withJob(`${steps("- run: echo")}\nservices:\n  db:\n    image: x`),
      "jobs.build.services",
      /services \(service containers\) is not supported/,
    ],
    [
      "volumes of a job container",
      withJob(`${steps("- run: echo")}\ncontainer:\n  image: node:20\n  volumes: [/a:/b]`),
      "jobs.build.container.volumes",
      /volumes of a job container is not supported/,
    ],
    ["a job without runs-on", withJob("steps:\n  - run: echo"), "jobs.build", /has no runs-on/],
    ["a job without steps", withJob("runs-on: x"), "jobs.build.steps", /has no steps/],
    [
      "an invalid job id",
      "on: push\njobs:\n  1st:\n    runs-on: x\n    steps:\n      - run: echo\n",
      "jobs.1st",
      /invalid job id/,
    ],
    [
      "needs of an unknown job",
      withJob(`${steps("- run: echo")}\nneeds: nope`),
      "jobs.build.needs[0]",
      /needs "nope", which is not a job/,
    ],
    [
      "a needs cycle",
      "on: push\njobs:\n  a:\n    needs: b\n    runs-on: x\n    steps:\n      - run: echo\n  b:\n    needs: a\n    runs-on: x\n    steps:\n      - run: echo\n",
      "jobs",
      /jobs a, b form a cycle/,
    ],
    [
      "an unknown step key",
      withJob(steps("- run: echo", "  shel: bash")),
      "jobs.build.steps[0].shel",
      /unknown key "shel"/,
    ],
    [
      "a step with run and uses",
      withJob(steps(`- run: echo`, `  uses: a/b@${SHA}`)),
      "jobs.build.steps[0]",
      /exactly one of run: or uses:/,
    ],
    [
      "a step with neither",
      withJob(steps("- name: nothing")),
      "jobs.build.steps[0]",
      /exactly one of run: or uses:/,
    ],
    [
      "a non-bash shell",
      withJob(steps("- run: echo", "  shell: sh")),
      "jobs.build.steps[0].shell",
      /shell "sh" is not supported/,
    ],
    [
      "a pwsh default shell",
      withJob(`${steps("- run: echo")}\ndefaults:\n  run:\n    shell: pwsh`),
      "jobs.build.defaults.run.shell",
      /shell "pwsh" is not supported/,
    ],
    [
      "a container action",
      withJob(steps("- uses: docker://alpine:3")),
      "jobs.build.steps[0].uses",
      /container action docker:\/\/alpine:3 is not supported/,
    ],
    [
      "an action pinned to a tag",
      withJob(steps("- uses: actions/checkout@v4")),
      "jobs.build.steps[0].uses",
      /pinned to "v4", not a full 40-character commit SHA/,
    ],
    [
      "an action pinned to a short SHA",
      withJob(steps("- uses: actions/checkout@0123456")),
      "jobs.build.steps[0].uses",
      /not a full 40-character commit SHA/,
    ],
    [
      "an action without a ref",
      withJob(steps("- uses: actions/checkout")),
      "jobs.build.steps[0].uses",
      /is not owner\/repo\[\/path\]@<commit SHA>/,
    ],
    [
      "with: on a run step",
      withJob(steps("- run: echo", "  with:\n      a: b")),
      "jobs.build.steps[0].with",
      /with: applies to uses: steps only/,
    ],
    [
      "shell: on a uses step",
      withJob(steps(`- uses: a/b@${SHA}`, "  shell: bash")),
      "jobs.build.steps[0].shell",
      /applies to run: steps only/,
    ],
    [
      "duplicate step ids",
      withJob(steps("- id: a\n    run: echo", "- id: a\n    run: echo")),
      "jobs.build.steps[1].id",
      /duplicate step id a/,
    ],
    [
      "a list as an env value",
      withJob(`${steps("- run: echo")}\nenv:\n  A: [1]`),
      "jobs.build.env.A",
      /expected a string, number or boolean/,
    ],
    [
      "hashFiles",
      withJob(steps("- run: echo ${{ hashFiles('x') }}")),
      "jobs.build.steps[0].run",
      /hashFiles\(\) is not supported/,
    ],
    [
      "a matrix reference",
      withJob(steps("- run: echo ${{ matrix.os }}")),
      "jobs.build.steps[0].run",
      /matrix context is not supported/,
    ],
    [
      "a broken expression",
      withJob(steps("- run: echo ${{ github.ref == }}")),
      "jobs.build.steps[0].run",
      /invalid expression: expected a value/,
    ],
    [
      "an unclosed expression",
      withJob(steps("- run: echo ${{ github.ref")),
      "jobs.build.steps[0].run",
      /unclosed \$\{\{/,
    ],
    [
      "a mixed if:",
      withJob(steps("- run: echo", "  if: ${{ true }} && false")),
      "jobs.build.steps[0].if",
      /mixes \$\{\{ \}\} with other text/,
    ],
    [
      "a broken job if:",
      withJob(`${steps("- run: echo")}\nif: success(`),
      "jobs.build.if",
      /invalid condition/,
    ],
    [
      "a remote reusable workflow",
      "on: push\njobs:\n  a:\n    uses: org/repo/.github/workflows/x.yml@main\n",
      "jobs.a.uses",
      /reusable workflow of another repository .* is not supported/,
    ],
    [
      "a reusable workflow path elsewhere",
      "on: push\njobs:\n  a:\n    uses: ./ci/x.yml\n",
      "jobs.a.uses",
      /not a reusable workflow of this repository/,
    ],
    [
      "steps on a calling job",
      "on: push\njobs:\n  a:\n    uses: ./.github/workflows/x.yml\n    runs-on: x\n",
      "jobs.a.runs-on",
      /not allowed on a job that calls a reusable workflow/,
    ],
    [
      "with: on a steps job",
      withJob(`${steps("- run: echo")}\nwith:\n  a: b`),
      "jobs.build.with",
      /applies only to a job with uses:/,
    ],
    [
      "secrets in a step if:",
      withJob(steps("- run: echo", "  if: secrets.TOKEN != ''")),
      "jobs.build.steps[0].if",
      /the secrets context is not available here/,
    ],
    [
      "env in a job env:",
      withJob(`${steps("- run: echo")}\nenv:\n  A: \${{ env.B }}`),
      "jobs.build.env.A",
      /the env context is not available here/,
    ],
    [
      "steps in a job name",
      withJob(`${steps("- run: echo")}\nname: \${{ steps.a.outputs.b }}`),
      "jobs.build.name",
      /the steps context is not available here/,
    ],
    [
      "jobs outside workflow_call outputs",
      withJob(steps("- run: echo ${{ jobs.a.result }}")),
      "jobs.build.steps[0].run",
      /the jobs context is not available here/,
    ],
    [
      "a status function outside if:",
      withJob(steps("- run: echo ${{ success() }}")),
      "jobs.build.steps[0].run",
      /success\(\) is only allowed in if: conditions/,
    ],
    [
      "a workflow_call input without a type",
      "on:\n  workflow_call:\n    inputs:\n      tag:\n        required: true\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n",
      "on.workflow_call.inputs.tag",
      /needs a type/,
    ],
    [
      "an unknown input type",
      "on:\n  workflow_dispatch:\n    inputs:\n      n:\n        type: integer\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n",
      "on.workflow_dispatch.inputs.n.type",
      /unknown input type "integer"/,
    ],
    [
      "a workflow_call output without a value",
      "on:\n  workflow_call:\n    outputs:\n      d:\n        description: x\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n",
      "on.workflow_call.outputs.d",
      /needs a value/,
    ],
  ])("%s", (_what, text, field, message) => {
    const error = loadError(text);
    expect(error.code).toBe("WORKFLOW_INVALID");
    expect(error.file).toBe(".github/workflows/x.yml");
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
    expect(error.fix).toBeTruthy();
  });
});
