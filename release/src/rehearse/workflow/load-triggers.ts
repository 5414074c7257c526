// biome-ignore-all lint/suspicious/noTemplateCurlyInString: GitHub expressions are ${{ }} inside plain strings, not template literals
/**
 * The `on:` of a workflow. `release`, `workflow_dispatch` and `workflow_call` are read in full
 * (their inputs, outputs and secrets drive a run); the filters of other events (push branches,
 * paths...) only decide whether GitHub starts the workflow, which the caller of a rehearsal
 * decides, so they are accepted as written.
 */
import type { InputType, Triggers, WorkflowCallOutput, WorkflowInput, WorkflowSecret } from "./model.js";
import { checkKeys, expectMap, optionalMap, optionalString, stringList, type Where } from "./yaml-shape.js";

const DISPATCH_TYPES: readonly InputType[] = ["string", "boolean", "number", "choice", "environment"];
const CALL_TYPES: readonly InputType[] = ["string", "boolean", "number"];

function readRequired(value: unknown, where: Where): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== "boolean")
    return where.fail("expected true or false", "write required: true or false");
  return value;
}

function readInput(
  value: unknown,
  where: Where,
  types: readonly InputType[],
  typeRequired: boolean,
): WorkflowInput {
  const map = optionalMap(value, where);
  checkKeys(map, where, ["description", "required", "type", "default", "options", "deprecationMessage"]);
  const required = readRequired(map.required, where.at("required"));
  if (typeRequired && map.type === undefined) {
    where.fail("a workflow_call input needs a type", `add type: (one of ${types.join(", ")})`);
  }
  const type = (map.type ?? "string") as InputType;
  if (!types.includes(type)) {
    where.at("type").fail(`unknown input type ${JSON.stringify(map.type)}`, `use one of ${types.join(", ")}`);
  }
  const input: WorkflowInput = { required, type };
  const description = optionalString(map.description, where.at("description"));
  if (description !== undefined) input.description = description;
  if (map.default !== undefined && map.default !== null) input.default = map.default;
  if (type === "choice") {
    input.options = stringList(map.options, where.at("options"));
    if (input.options.length === 0)
      where.at("options").fail("a choice input needs options", "list the allowed values");
  } else if (map.options !== undefined) {
    where.at("options").fail("options are only for type: choice", "remove options, or set type: choice");
  }
  return input;
}

function readInputs(
  value: unknown,
  where: Where,
  types: readonly InputType[],
  typeRequired: boolean,
): Record<string, WorkflowInput> {
  const inputs: Record<string, WorkflowInput> = {};
  for (const [name, input] of Object.entries(optionalMap(value, where))) {
    inputs[name] = readInput(input, where.at(name), types, typeRequired);
  }
  return inputs;
}

function readWorkflowCall(value: unknown, where: Where): NonNullable<Triggers["workflowCall"]> {
  const map = optionalMap(value, where);
  checkKeys(map, where, ["inputs", "outputs", "secrets"]);
  const outputs: Record<string, WorkflowCallOutput> = {};
  for (const [name, output] of Object.entries(optionalMap(map.outputs, where.at("outputs")))) {
    const at = where.at("outputs").at(name);
    const entry = expectMap(output, at);
    checkKeys(entry, at, ["description", "value"]);
    if (entry.value === undefined)
      at.fail("an output needs a value", "add value: ${{ jobs.<job>.outputs.<name> }}");
    outputs[name] = { value: entry.value };
    const description = optionalString(entry.description, at.at("description"));
    if (description !== undefined) outputs[name].description = description;
  }
  const secrets: Record<string, WorkflowSecret> = {};
  for (const [name, secret] of Object.entries(optionalMap(map.secrets, where.at("secrets")))) {
    const at = where.at("secrets").at(name);
    const entry = optionalMap(secret, at);
    checkKeys(entry, at, ["description", "required"]);
    secrets[name] = { required: readRequired(entry.required, at.at("required")) };
  }
  return { inputs: readInputs(map.inputs, where.at("inputs"), CALL_TYPES, true), outputs, secrets };
}

export function readTriggers(value: unknown, where: Where): Triggers {
  if (value === undefined || value === null)
    where.fail("the workflow has no on:", "add the events that start it");
  if (typeof value === "string" || Array.isArray(value)) return { events: stringList(value, where) };
  const map = expectMap(value, where);
  const triggers: Triggers = { events: Object.keys(map) };
  for (const [event, config] of Object.entries(map)) {
    const at = where.at(event);
    if (event === "release") {
      const release = optionalMap(config, at);
      checkKeys(release, at, ["types"]);
      triggers.release =
        release.types === undefined ? {} : { types: stringList(release.types, at.at("types")) };
    } else if (event === "workflow_dispatch") {
      const dispatch = optionalMap(config, at);
      checkKeys(dispatch, at, ["inputs"]);
      triggers.workflowDispatch = {
        inputs: readInputs(dispatch.inputs, at.at("inputs"), DISPATCH_TYPES, false),
      };
    } else if (event === "workflow_call") {
      triggers.workflowCall = readWorkflowCall(config, at);
    }
  }
  return triggers;
}
