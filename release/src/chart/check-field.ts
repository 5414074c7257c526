/** Chart.yaml values checked against the one rule table (helm-format/chart-metadata-rules.ts). */
import { metadataViolation, type RuleField } from "../helm-format/chart-metadata-rules.js";
import { chartInvalid } from "./yaml-fields.js";

/**
 * Throws CHART_INVALID for the first rule of `rule` that `value` breaks in our chart (`chart`) or
 * a subchart (`subchart`). `field` is where the value is ("version", "dependencies[0].alias", or
 * an option such as --version). Returns the value; "" stands for an absent one.
 */
export function checkChartField(
  file: string,
  at: "chart" | "subchart",
  rule: RuleField,
  value: string | undefined,
  field: string = rule,
): string {
  const violation = metadataViolation(rule, { value: value ?? "", field }, at);
  if (violation !== undefined) throw chartInvalid(file, field, violation.message, violation.fix);
  return value ?? "";
}
