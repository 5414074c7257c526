/**
 * js-yaml reads YAML 1.2; Helm (Go, sigs.k8s.io/yaml on go-yaml v2) reads YAML 1.1. A plain scalar
 * such as `yes`, `on`, `y`, `1_000`, `0b101` or `1:20` is a string to the first and a boolean or a
 * number to the second. This schema adds YAML 1.1's extra implicit types to js-yaml's default one:
 *
 * - loading with it turns such plain scalars into booleans and numbers, so a field that must be a
 *   string is refused ("quote it") instead of meaning one thing here and another to Helm;
 * - dumping with it quotes every string that YAML 1.1 would read as something else.
 */
import yaml from "js-yaml";

const YAML11_BOOL =
  /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const YAML11_TRUE = /^(?:y|Y|yes|Yes|YES|true|True|TRUE|on|On|ON)$/;

// YAML 1.1 int (yaml.org/type/int.html) plus what Go's strconv.ParseInt(s, 0, 64) accepts.
const YAML11_INT =
  /^[-+]?(?:0b[01_]+|0o[0-7_]+|0[0-7_]+|0|[1-9][0-9_]*|0x[0-9a-fA-F_]+|[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;

// YAML 1.1 float (yaml.org/type/float.html), go-yaml v2's own float pattern and the special values.
const YAML11_FLOAT =
  /^(?:[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

function isYaml11Float(data: string): boolean {
  return YAML11_FLOAT.test(data) && /[0-9]|inf|Inf|INF|nan|NaN|NAN/.test(data);
}

const yaml11Bool = new yaml.Type("tag:kube9.io,2026:yaml11-bool", {
  kind: "scalar",
  resolve: (data: unknown) => typeof data === "string" && YAML11_BOOL.test(data),
  construct: (data: string) => YAML11_TRUE.test(data),
});

const yaml11Int = new yaml.Type("tag:kube9.io,2026:yaml11-int", {
  kind: "scalar",
  resolve: (data: unknown) => typeof data === "string" && YAML11_INT.test(data),
  // The value is never used as a number: it only marks the scalar as "not a string".
  construct: (data: string) => Number.parseInt(data.replaceAll("_", ""), 10),
});

const yaml11Float = new yaml.Type("tag:kube9.io,2026:yaml11-float", {
  kind: "scalar",
  resolve: (data: unknown) => typeof data === "string" && isYaml11Float(data),
  construct: (data: string) => Number.parseFloat(data.replaceAll("_", "")),
});

/** js-yaml's default schema plus YAML 1.1's implicit booleans and numbers. */
export const YAML11_SCHEMA = yaml.DEFAULT_SCHEMA.extend({ implicit: [yaml11Bool, yaml11Int, yaml11Float] });

/**
 * YAML text for `value` that YAML 1.1 and 1.2 readers read the same way: keys sorted, no anchors,
 * no line folding, every ambiguous string quoted.
 */
export function dumpYaml11Safe(value: unknown): string {
  return yaml.dump(value, { schema: YAML11_SCHEMA, sortKeys: true, noRefs: true, lineWidth: -1 });
}
