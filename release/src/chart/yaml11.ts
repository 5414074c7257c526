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
import { resolvePlain } from "../yaml/yaml11-scalars.js";

// One home for YAML 1.1's resolution of plain scalars (mirroring go-yaml v2, which Helm reads
// with): these types only mark such scalars as booleans and numbers for js-yaml.
const yaml11Bool = new yaml.Type("tag:kube9.io,2026:yaml11-bool", {
  kind: "scalar",
  resolve: (data: unknown) => typeof data === "string" && resolvePlain(data).kind === "bool",
  construct: (data: string) => {
    const value = resolvePlain(data);
    return value.kind === "bool" && value.value;
  },
});

const yaml11Number = new yaml.Type("tag:kube9.io,2026:yaml11-number", {
  kind: "scalar",
  resolve: (data: unknown) => {
    if (typeof data !== "string") return false;
    const kind = resolvePlain(data).kind;
    return kind === "int" || kind === "float";
  },
  // The value is never used as a number: it only marks the scalar as "not a string".
  construct: (data: string) => {
    const value = resolvePlain(data);
    return value.kind === "int" ? Number(value.value) : value.kind === "float" ? value.value : Number.NaN;
  },
});

/** js-yaml's default schema plus YAML 1.1's implicit booleans and numbers. */
export const YAML11_SCHEMA = yaml.DEFAULT_SCHEMA.extend({ implicit: [yaml11Bool, yaml11Number] });

/**
 * YAML text for `value` that YAML 1.1 and 1.2 readers read the same way: keys sorted, no anchors,
 * no line folding, every ambiguous string quoted.
 */
export function dumpYaml11Safe(value: unknown): string {
  return yaml.dump(value, { schema: YAML11_SCHEMA, sortKeys: true, noRefs: true, lineWidth: -1 });
}
