/**
 * js-yaml, taught to read plain scalars the way Helm's Go YAML library (yaml.v2, YAML 1.1) does.
 *
 * js-yaml's default schema is YAML 1.2: it reads `yes` as a string and `0123` as 123, where Helm
 * reads `true` and 83. So we load with the failsafe schema (every scalar a string) plus one implicit
 * type that catches each plain scalar YAML 1.1 would NOT read as a string and wraps it in a
 * `PlainScalar` (its text and what Go resolves it to). Quoted scalars are never resolved, so they
 * stay strings, as in Go. The validator then decides per field what Helm would do with it.
 *
 * Mapping keys: js-yaml turns keys into strings. A `PlainScalar` key becomes `KEY_MARK + text` so the
 * validator can tell plain `1.0:` (Helm reads the key "1") from quoted `"1.0":` (the key "1.0").
 */
import { randomUUID } from "node:crypto";
import yaml from "js-yaml";
import { jsYamlTypes, type PlainValue, resolvePlain } from "../../yaml/yaml11-scalars.js";

/** A plain scalar that YAML 1.1 resolves to null, a bool, an int or a float. */
export class PlainScalar {
  constructor(
    readonly text: string,
    readonly resolved: Exclude<PlainValue, { kind: "str" }>,
  ) {}

  get [Symbol.toStringTag](): string {
    return "PlainScalar";
  }

  /** Used by js-yaml when the scalar is a mapping key. */
  [Symbol.toPrimitive](): string {
    return `${KEY_MARK}${this.text}`;
  }
}

/** Prefix of mapping keys that were typed plain scalars. Random per process: a document cannot forge it. */
export const KEY_MARK = `\u0000plain-${randomUUID()}\u0000`;

/** The last resolution, so that construct (called right after a successful resolve) need not redo it. */
let last: { text: string; resolved: PlainValue } = { text: "", resolved: resolvePlain("x") };

const yaml11Scalar = new yaml.Type("tag:kube9.io,2026:yaml11-scalar", {
  kind: "scalar",
  resolve: (data: unknown): boolean => {
    if (typeof data !== "string") return false;
    last = { text: data, resolved: resolvePlain(data) };
    return last.resolved.kind !== "str";
  },
  construct: (data: string): PlainScalar => {
    const resolved = last.text === data ? last.resolved : resolvePlain(data);
    return new PlainScalar(data, resolved as Exclude<PlainValue, { kind: "str" }>);
  },
});

/** Failsafe (str, seq, map) + YAML 1.1 typed plain scalars + merge keys (`<<`, which yaml.v2 supports). */
export const HELM_YAML_SCHEMA = yaml.FAILSAFE_SCHEMA.extend({
  implicit: [yaml11Scalar, jsYamlTypes.merge as yaml.Type],
});

/** Parses one YAML document. Throws js-yaml's YAMLException (with `mark`) on a syntax error or a duplicate key. */
export function loadHelmYaml(text: string, file: string): unknown {
  // `json: false` (the default) makes js-yaml throw on duplicated mapping keys, as yaml.v2's strict mode does.
  return yaml.load(text, { schema: HELM_YAML_SCHEMA, filename: file, json: false });
}
