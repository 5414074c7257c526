/** Trivy's severities, lowest first, and the gate's threshold. */
import { ReleaseError } from "../../errors.js";

export const SEVERITIES = ["UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** The gate's threshold: a severity, or NONE for a scan that reports and never fails. */
export type FailOn = Severity | "NONE";

export type SeverityCounts = Record<Severity, number>;

export function isSeverity(text: unknown): text is Severity {
  return typeof text === "string" && (SEVERITIES as readonly string[]).includes(text);
}

export function parseFailOn(text: string): FailOn {
  const upper = text.trim().toUpperCase();
  if (upper === "NONE" || isSeverity(upper)) return upper;
  throw new ReleaseError("USAGE", `${JSON.stringify(text)} is not a severity`, {
    field: "--fail-on",
    fix: `give one of ${SEVERITIES.join(", ")} (findings at or above it fail the scan), or NONE`,
  });
}

/** Whether a finding of `severity` fails a gate set at `failOn`. */
export function failsGate(severity: Severity, failOn: FailOn): boolean {
  return failOn !== "NONE" && SEVERITIES.indexOf(severity) >= SEVERITIES.indexOf(failOn);
}

export function countBySeverity(severities: Iterable<Severity>): SeverityCounts {
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as SeverityCounts;
  for (const severity of severities) counts[severity] += 1;
  return counts;
}
