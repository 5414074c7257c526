/**
 * The `inputs` context of a run: workflow_dispatch inputs as the dispatch form sends them, or a
 * reusable workflow's inputs from its caller's `with:`, checked against their declarations
 * (types, choices, required) with defaults applied; and the secrets a called workflow receives.
 */
import { kindOf, toText } from "./expression-values.js";
import type { WorkflowInput, WorkflowSecret } from "./model.js";
import type { Where } from "./yaml-shape.js";

/** How given values are read: `form` accepts the strings a dispatch form sends for booleans and numbers. */
export type InputSource = "form" | "call";

function typed(
  name: string,
  input: WorkflowInput,
  value: unknown,
  source: InputSource,
  where: Where,
): unknown {
  const bad = (wanted: string): never =>
    where.fail(
      `input ${name} is a ${input.type} input but was given ${kindOf(value)} ${JSON.stringify(value)}`,
      `pass ${wanted}`,
    );
  switch (input.type) {
    case "boolean":
      if (typeof value === "boolean") return value;
      if (source === "form" && (value === "true" || value === "false")) return value === "true";
      return bad("true or false");
    case "number": {
      if (typeof value === "number") return value;
      const number =
        typeof value === "string" && source === "form" && value.trim() !== "" ? Number(value) : Number.NaN;
      return Number.isFinite(number) ? number : bad("a number");
    }
    case "choice": {
      const text = toText(value);
      if (!(input.options ?? []).includes(text)) bad(`one of ${(input.options ?? []).join(", ")}`);
      return text;
    }
    default:
      if (kindOf(value) === "array" || kindOf(value) === "object") return bad("a string");
      return toText(value);
  }
}

/**
 * The inputs context. `where` points at the place the values come from (the caller's `with:`, or
 * the dispatch inputs) and `evaluateDefault` evaluates a default that holds `${{ }}`.
 */
export function resolveInputs(
  declared: Readonly<Record<string, WorkflowInput>>,
  given: Readonly<Record<string, unknown>>,
  source: InputSource,
  where: Where,
  evaluateDefault: (value: unknown) => unknown,
): Record<string, unknown> {
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(declared, name)) {
      const known = Object.keys(declared);
      where
        .at(name)
        .fail(
          `input ${name} is not declared by the workflow`,
          known.length === 0 ? "the workflow takes no inputs: remove it" : `use one of: ${known.join(", ")}`,
        );
    }
  }
  const inputs: Record<string, unknown> = {};
  for (const [name, input] of Object.entries(declared)) {
    const value = given[name];
    if (value !== undefined && value !== null) {
      inputs[name] = typed(name, input, value, source, where.at(name));
    } else if (input.default !== undefined) {
      inputs[name] = typed(name, input, evaluateDefault(input.default), "form", where.at(name));
    } else if (input.required) {
      where.at(name).fail(`the required input ${name} is not given`, `pass ${name}`);
    } else {
      // GitHub gives an absent optional input the empty value of its type.
      inputs[name] = input.type === "boolean" ? false : input.type === "number" ? 0 : "";
    }
  }
  return inputs;
}

/** The secrets of a called workflow: all of the caller's (`inherit`) or the ones passed, checked. */
export function resolveSecrets(
  declared: Readonly<Record<string, WorkflowSecret>>,
  passed: "inherit" | Record<string, string> | undefined,
  callerSecrets: Readonly<Record<string, string>>,
  where: Where,
): Record<string, string> {
  const token = callerSecrets.GITHUB_TOKEN;
  const base: Record<string, string> = token === undefined ? {} : { GITHUB_TOKEN: token };
  const secrets: Record<string, string> = passed === "inherit" ? { ...callerSecrets } : { ...base };
  for (const [name, value] of Object.entries(passed === "inherit" ? {} : (passed ?? {}))) {
    if (!Object.hasOwn(declared, name)) {
      where
        .at(name)
        .fail(
          `secret ${name} is not declared by the called workflow`,
          "declare it under on.workflow_call.secrets, or do not pass it",
        );
    }
    secrets[name] = value;
  }
  for (const [name, secret] of Object.entries(declared)) {
    if (secret.required && (secrets[name] === undefined || secrets[name] === "")) {
      where
        .at(name)
        .fail(
          `the required secret ${name} is not passed`,
          `pass ${name} under secrets:, or use secrets: inherit`,
        );
    }
  }
  return secrets;
}
