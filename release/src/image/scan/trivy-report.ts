/**
 * Reads the JSON report of `trivy image --format json` (schema 2): the image Trivy says it scanned
 * and every finding, vulnerabilities and secrets, with the severity Trivy chose for it.
 */
import { ReleaseError } from "../../errors.js";
import { isSeverity, type Severity } from "./severity.js";

export interface Finding {
  kind: "vulnerability" | "secret";
  /** CVE or vendor id of a vulnerability; rule id of a secret. */
  id: string;
  severity: Severity;
  /** The installed package of a vulnerability; the file of a secret. */
  package: string;
  installedVersion?: string;
  fixedVersion?: string;
  title?: string;
  /** What Trivy scanned to find it: "<image> (debian 12.8)", a lock file, a file path. */
  target: string;
}

export interface TrivyReport {
  /** The config digest of the scanned image (Metadata.ImageID). */
  imageId: string;
  findings: Finding[];
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function optionalString(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function list(value: unknown, where: string, bad: (what: string) => ReleaseError): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw bad(`${where} is not a list`);
  return value;
}

export function parseTrivyReport(text: string, file: string): TrivyReport {
  const bad = (what: string) =>
    new ReleaseError("TOOL_FAILED", `trivy's JSON report cannot be read: ${what}`, {
      file,
      fix: "use the Trivy this project pins (scripts/tools.json), whose report is schema 2",
    });
  let report: unknown;
  try {
    report = JSON.parse(text);
  } catch (error) {
    throw bad((error as Error).message);
  }
  if (!isObject(report)) throw bad("not a JSON object");
  if (report.SchemaVersion !== 2)
    throw bad(`SchemaVersion is ${JSON.stringify(report.SchemaVersion)}, not 2`);
  const metadata = isObject(report.Metadata) ? report.Metadata : {};
  const imageId = optionalString(metadata.ImageID);
  if (imageId === undefined) throw bad("Metadata.ImageID is missing: it was not an image scan");

  const findings: Finding[] = [];
  list(report.Results, "Results", bad).forEach((result, r) => {
    if (!isObject(result) || typeof result.Target !== "string") throw bad(`Results[${r}] has no Target`);
    const target = result.Target;
    list(result.Vulnerabilities, `Results[${r}].Vulnerabilities`, bad).forEach((v, i) => {
      findings.push(vulnerabilityFinding(v, `Results[${r}].Vulnerabilities[${i}]`, target, bad));
    });
    list(result.Secrets, `Results[${r}].Secrets`, bad).forEach((s, i) => {
      findings.push(secretFinding(s, `Results[${r}].Secrets[${i}]`, target, bad));
    });
  });
  return { imageId, findings };
}

type Bad = (what: string) => ReleaseError;

function severityOf(value: unknown, where: string, bad: Bad): Severity {
  if (!isSeverity(value)) throw bad(`${where}.Severity is ${JSON.stringify(value)}`);
  return value;
}

function vulnerabilityFinding(v: unknown, where: string, target: string, bad: Bad): Finding {
  if (!isObject(v) || typeof v.VulnerabilityID !== "string" || typeof v.PkgName !== "string") {
    throw bad(`${where} has no VulnerabilityID or PkgName`);
  }
  const installedVersion = optionalString(v.InstalledVersion);
  const fixedVersion = optionalString(v.FixedVersion);
  const title = optionalString(v.Title);
  return {
    kind: "vulnerability",
    id: v.VulnerabilityID,
    severity: severityOf(v.Severity, where, bad),
    package: v.PkgName,
    ...(installedVersion === undefined ? {} : { installedVersion }),
    ...(fixedVersion === undefined ? {} : { fixedVersion }),
    ...(title === undefined ? {} : { title }),
    target,
  };
}

function secretFinding(s: unknown, where: string, target: string, bad: Bad): Finding {
  if (!isObject(s) || typeof s.RuleID !== "string") throw bad(`${where} has no RuleID`);
  const title = optionalString(s.Title);
  return {
    kind: "secret",
    id: s.RuleID,
    severity: severityOf(s.Severity, where, bad),
    package: target,
    ...(title === undefined ? {} : { title }),
    target,
  };
}
