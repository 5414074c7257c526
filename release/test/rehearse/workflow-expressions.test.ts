// biome-ignore-all lint/suspicious/noTemplateCurlyInString: GitHub expressions are ${{ }} inside plain strings, not template literals
import { describe, expect, it } from "vitest";
import { type ExpressionScope, evaluate } from "../../src/rehearse/workflow/expression-evaluate.js";
import { parseExpression } from "../../src/rehearse/workflow/expression-parser.js";
import { evaluateCondition, evaluateValue, parseTemplate } from "../../src/rehearse/workflow/template.js";

const scope: ExpressionScope = {
  contexts: {
    github: {
      event_name: "release",
      ref: "refs/tags/v1.2.0",
      event: { release: { tag_name: "v1.2.0", prerelease: false }, labels: [{ name: "a" }, { name: "b" }] },
    },
    env: { NAME: "kube9", EMPTY: "", ZERO: "0" },
    inputs: { tag: "v1.2.0", dry: true, count: 3 },
    needs: { "build-image": { result: "success", outputs: { digest: "sha256:abc" } } },
    steps: { meta: { outputs: { json: '{"a":[1,2],"b":"x"}' }, outcome: "success", conclusion: "success" } },
    vars: {},
  },
};

function run(expression: string, at: ExpressionScope = scope): unknown {
  return evaluate(parseExpression(expression), at);
}

describe("expression literals", () => {
  it.each([
    ["null", null],
    ["true", true],
    ["FALSE", false],
    ["42", 42],
    ["-9.5", -9.5],
    ["0xff", 255],
    ["-2.5e-2", -0.025],
    ["1e3", 1000],
    [".5", 0.5],
    ["'it''s'", "it's"],
    ["''", ""],
  ])("%s", (text, value) => {
    expect(run(text)).toStrictEqual(value);
  });
});

describe("property access", () => {
  it.each([
    ["github.event.release.tag_name", "v1.2.0"],
    ["github['event']['release'].tag_name", "v1.2.0"],
    ["GITHUB.Event_Name", "release"],
    ["needs.build-image.outputs.digest", "sha256:abc"],
    ["github.event.missing.deeper", null],
    ["github.event.labels[1].name", "b"],
    ["github.event.labels[5]", null],
    ["github.event.labels.*.name", ["a", "b"]],
    ["fromJSON(steps.meta.outputs.json).a[0]", 1],
    ["env.NAME", "kube9"],
  ])("%s", (text, value) => {
    expect(run(text)).toStrictEqual(value);
  });
});

describe("operators", () => {
  it.each([
    // && and || return an operand, not a boolean.
    ["env.EMPTY || 'fallback'", "fallback"],
    ["env.NAME || 'fallback'", "kube9"],
    ["env.NAME && 'second'", "second"],
    ["env.EMPTY && 'second'", ""],
    ["github.event.release.tag_name || inputs.tag", "v1.2.0"],
    ["!env.EMPTY", true],
    ["!0", true],
    ["!'0'", false],
    ["!github.event", false],
    // Loose equality: numbers from strings, booleans and null; strings ignore case.
    ["1 == '1'", true],
    ["'0x10' == 16", true],
    ["'' == 0", true],
    ["' 3 ' == 3", true],
    ["'abc' == 0", false],
    ["null == 0", true],
    ["null == ''", true],
    ["true == 1", true],
    ["true == 'true'", false],
    ["false == '0'", true],
    ["'Release' == 'RELEASE'", true],
    ["'a' != 'A'", false],
    ["github.event == github.event", true],
    ["github.event == 'Object'", false],
    ["'abc' == 'abc '", false],
    // Comparison: numbers, or strings ignoring case; anything else is false.
    ["2 > 1", true],
    ["'10' > 9", true],
    ["'b' > 'A'", true],
    ["'abc' < 1", false],
    ["1 <= 1", true],
    ["github.event > 1", false],
    ["3 >= '3'", true],
    ["(1 < 2) == true", true],
    ["!(1 == 1) || 2 == 2 && 3 == 3", true],
  ])("%s", (text, value) => {
    expect(run(text)).toStrictEqual(value);
  });
});

describe("functions", () => {
  it.each([
    ["contains('Hello World', 'WORLD')", true],
    ["contains(github.event.labels.*.name, 'B')", true],
    ["contains(fromJSON('[1,2]'), '2')", true],
    ["contains(fromJSON('[1,2]'), 3)", false],
    ["startsWith(github.ref, 'REFS/tags/')", true],
    ["endsWith(inputs.tag, '.0')", true],
    ["format('{0}-{1}-{0}', 'a', 2)", "a-2-a"],
    ["format('{{literal}} {0}', true)", "{literal} true"],
    ['join(fromJSON(\'["a","b",3]\'))', "a,b,3"],
    ["join(github.event.labels.*.name, ' + ')", "a + b"],
    ["join('single', ', ')", "single"],
    ["toJSON(fromJSON('{\"a\":[1]}'))", '{\n  "a": [\n    1\n  ]\n}'],
    ["toJSON(null)", "null"],
    ["fromJSON('true')", true],
    ["fromJSON('3.5')", 3.5],
    ["fromJSON(steps.meta.outputs.json).b", "x"],
  ])("%s", (text, value) => {
    expect(run(text)).toStrictEqual(value);
  });

  it.each([
    ["format('{1}', 'only one')", /names argument \{1\}/],
    ["format('{0', 'x')", /invalid format string/],
    ["format('a } b')", /unmatched '}'/],
    ["fromJSON('{not json')", /is not JSON/],
  ])("%s fails with a clear message", (text, message) => {
    expect(() => run(text)).toThrow(message);
  });
});

describe("parse errors", () => {
  it.each([
    ["hashFiles('**/package-lock.json')", /hashFiles\(\) is not supported/],
    ["matrix.os", /matrix context is not supported/],
    ["strategy.job-index", /strategy context is not supported/],
    ["unknown.value", /unrecognized named-value: 'unknown'/],
    ["nosuch(1)", /unrecognized function: 'nosuch'/],
    ["contains('a')", /contains\(\) takes 2 argument/],
    ["toJSON()", /toJSON\(\) takes 1 argument/],
    ["'unterminated", /unterminated string/],
    ["1 ==", /expected a value/],
    ["(1", /expected "\)"/],
    ["a = 1", /unrecognized named-value|unexpected/],
    ["github.", /expected a property name/],
    ["1 2", /unexpected symbol/],
    ["", /empty expression/],
    ["1 / 2", /unexpected character "\/"/],
  ])("%s", (text, message) => {
    expect(() => parseExpression(text)).toThrow(message);
  });
});

describe("interpolation", () => {
  it.each([
    ["plain text", "plain text"],
    ["${{ inputs.dry }}", true],
    ["${{ inputs.count }}", 3],
    ["v=${{ inputs.count }}", "v=3"],
    ["${{ inputs.dry }}!", "true!"],
    ["${{ github.event }}", (scope.contexts.github as { event: unknown }).event],
    ["x ${{ github.event }}", "x Object"],
    ["[${{ github.event.labels }}]", "[Array]"],
    ["${{ null }}-${{ env.NAME }}", "-kube9"],
    ["${{ '}}' }}", "}}"],
    ["a ${{ format('{0}}}', 'b') }} c", "a b} c"],
    ["${{ 1.50 }}", 1.5],
    ["${{ 0.1 }} ${{ -0 }}", "0.1 0"],
  ])("%s", (text, value) => {
    expect(evaluateValue(text, scope)).toStrictEqual(value);
  });

  it("refuses an unclosed ${{", () => {
    expect(() => parseTemplate("echo ${{ github.ref")).toThrow(/unclosed \$\{\{/);
  });
});

describe("if: conditions", () => {
  const status = (success: boolean, failure: boolean) => ({
    ...scope,
    status: { success, failure, cancelled: false },
  });

  it.each([
    // [condition, value when the job so far succeeded, value after a failure]
    [undefined, true, false],
    ["github.event_name == 'release'", true, false],
    ["${{ github.event_name == 'release' }}", true, false],
    ["always()", true, true],
    ["${{ always() }}", true, true],
    ["failure()", false, true],
    ["success() || failure()", true, true],
    ["failure() && inputs.dry", false, true],
    ["!cancelled()", true, true],
    ["inputs.dry", true, false],
    [false, false, false],
    [true, true, false],
    ["env.EMPTY", false, false],
  ])("%s", (condition, ifSuccess, ifFailure) => {
    expect(evaluateCondition(condition, status(true, false))).toBe(ifSuccess);
    expect(evaluateCondition(condition, status(false, true))).toBe(ifFailure);
  });

  it("refuses a condition that mixes ${{ }} with text (GitHub would read it as always true)", () => {
    expect(() => evaluateCondition("${{ false }} && true", status(true, false))).toThrow(
      /mixes \$\{\{ \}\} with other text/,
    );
  });

  it("refuses status functions outside if:", () => {
    expect(() => evaluateValue("${{ success() }}", scope)).toThrow(/only allowed in an if: condition/);
  });
});
