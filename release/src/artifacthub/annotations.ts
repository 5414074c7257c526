/**
 * Artifact Hub's Chart.yaml annotations (`artifacthub.io/*`), checked as Artifact Hub reads them
 * (its Helm tracker, EnrichPackageFromAnnotations, and the validators it calls): an annotation it
 * cannot parse makes it drop the chart version's metadata with an error the publisher only sees in
 * Artifact Hub's control panel, long after the release. Each rule below says what Artifact Hub does.
 *
 * Stricter than Artifact Hub where it would silently ignore something (an unknown annotation or
 * field is most likely a typo), and where our release needs more (images carry a tag or digest).
 */
import { createRequire } from "node:module";
import { checkChanges } from "./changes-annotation.js";
import { parseImage } from "./image-reference.js";
import {
  describe,
  isMapping,
  listOfMappings,
  type MetadataProblem,
  Problems,
  parseYamlString,
  stringField,
  unknownKeys,
  webUrl,
  yamlList,
} from "./problems.js";

export { type ImageParts, parseImage } from "./image-reference.js";

export const ANNOTATION_PREFIX = "artifacthub.io/";

export { CHANGE_KINDS, type ChangeKind } from "./change-kinds.js";

export const CATEGORIES = [
  "ai-machine-learning",
  "database",
  "integration-delivery",
  "monitoring-logging",
  "networking",
  "security",
  "storage",
  "streaming-messaging",
  "skip-prediction",
] as const;

const OPERATOR_CAPABILITIES = [
  "basic install",
  "seamless upgrades",
  "full lifecycle",
  "deep insights",
  "auto pilot",
];

/** Go's strconv.ParseBool, which Artifact Hub uses for its boolean strings. */
const GO_BOOLEANS = ["1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"];

// The SPDX license list as data (the spdx-license-ids package: two JSON arrays).
const requireJson = createRequire(import.meta.url);
const SPDX_IDS = new Set<string>([
  ...(requireJson("spdx-license-ids/index.json") as string[]),
  ...(requireJson("spdx-license-ids/deprecated.json") as string[]),
]);

export interface AnnotationContext {
  /** The file the annotations come from (Chart.yaml, or an archive's Chart.yaml). */
  file: string;
  /** The chart's name (alternativeName must overlap it). */
  chartName: string;
}

type Rule = (value: string, field: string, problems: Problems, context: AnnotationContext) => void;

const RULES: Record<string, Rule> = {
  alternativeName: (value, field, problems, { chartName }) => {
    if (value !== "" && !value.includes(chartName) && !chartName.includes(value))
      problems.add(
        field,
        `"${value}" and the chart name "${chartName}" must contain one another`,
        "use a name that contains the chart name or is part of it",
      );
  },
  category: (value, field, problems) => {
    if (!(CATEGORIES as readonly string[]).includes(value))
      problems.add(
        field,
        `"${value}" is not a category Artifact Hub knows`,
        `use one of ${CATEGORIES.join(", ")}`,
      );
  },
  changes: checkChanges,
  containsSecurityUpdates: booleanString,
  crds: yamlList,
  crdsExamples: yamlList,
  images: checkImages,
  license: (value, field, problems) => {
    if (value !== "" && !SPDX_IDS.has(value))
      problems.add(
        field,
        `"${value}" is not an SPDX license identifier`,
        "use the identifier of https://spdx.org/licenses/, e.g. MIT or Apache-2.0",
      );
  },
  links: (value, field, problems) =>
    listOfMappings(value, field, problems, (item, at) => {
      unknownKeys(item, ["name", "url"], at, problems);
      stringField(item, "name", at, problems, { example: "source" });
      webUrl(item, "url", at, problems);
    }),
  maintainers: (value, field, problems) =>
    listOfMappings(value, field, problems, (item, at) => {
      unknownKeys(item, ["name", "email"], at, problems);
      stringField(item, "name", at, problems, { example: "Alto9" });
      stringField(item, "email", at, problems, { optional: true, example: "maintainer@example.org" });
    }),
  operator: booleanString,
  operatorCapabilities: (value, field, problems) => {
    if (!OPERATOR_CAPABILITIES.includes(value.toLowerCase()))
      problems.add(
        field,
        `"${value}" is not a capability level`,
        `use one of ${OPERATOR_CAPABILITIES.join(", ")}`,
      );
  },
  prerelease: booleanString,
  recommendations: (value, field, problems) =>
    listOfMappings(value, field, problems, (item, at) => {
      unknownKeys(item, ["url"], at, problems);
      webUrl(item, "url", at, problems);
    }),
  screenshots: (value, field, problems) =>
    listOfMappings(value, field, problems, (item, at) => {
      unknownKeys(item, ["title", "url"], at, problems);
      stringField(item, "title", at, problems, { example: "Status view" });
      webUrl(item, "url", at, problems);
    }),
  signKey: checkSignKey,
};

export const KNOWN_ANNOTATIONS = Object.keys(RULES).map((name) => `${ANNOTATION_PREFIX}${name}`);

/** Every problem of the `artifacthub.io/*` annotations; other annotations are not Artifact Hub's. */
export function artifactHubAnnotationProblems(
  annotations: Readonly<Record<string, string>> | undefined,
  context: AnnotationContext,
): MetadataProblem[] {
  const problems = new Problems(context.file);
  for (const [key, value] of Object.entries(annotations ?? {})) {
    if (!key.startsWith(ANNOTATION_PREFIX)) continue;
    const field = `annotations["${key}"]`;
    const rule = RULES[key.slice(ANNOTATION_PREFIX.length)];
    if (rule === undefined) {
      problems.add(
        field,
        "is not an annotation Artifact Hub reads (it would be ignored)",
        `use one of ${KNOWN_ANNOTATIONS.join(", ")}`,
      );
      continue;
    }
    rule(value, field, problems, context);
  }
  return problems.list;
}

function booleanString(value: string, field: string, problems: Problems): void {
  if (!GO_BOOLEANS.includes(value))
    problems.add(
      field,
      `"${value}" is not a boolean string`,
      'write "true" or "false" (quoted in Chart.yaml)',
    );
}

const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?$/;

function checkImages(value: string, field: string, problems: Problems): void {
  listOfMappings(value, field, problems, (item, at) => {
    unknownKeys(item, ["name", "image", "whitelisted", "platforms"], at, problems);
    stringField(item, "name", at, problems, { example: "kube9-operator" });
    const image = stringField(item, "image", at, problems, { example: "ghcr.io/alto9/kube9-operator:1.2.3" });
    if (image !== undefined) {
      const parts = parseImage(image);
      if (parts === undefined)
        problems.add(
          `${at}.image`,
          `"${image}" is not an image reference`,
          "write it as registry/name:tag, e.g. ghcr.io/alto9/kube9-operator:1.2.3",
        );
      else if (parts.tag === undefined && parts.digest === undefined)
        problems.add(
          `${at}.image`,
          `"${image}" has no tag or digest (it would mean latest)`,
          "add the tag the chart runs, e.g. :1.2.3",
        );
    }
    if (item.whitelisted !== undefined && typeof item.whitelisted !== "boolean")
      problems.add(
        `${at}.whitelisted`,
        `must be true or false, not ${describe(item.whitelisted)}`,
        "write whitelisted: true (unquoted) or leave it out",
      );
    if (item.platforms === undefined) return;
    if (!Array.isArray(item.platforms) || item.platforms.length === 0) {
      problems.add(
        `${at}.platforms`,
        "must be a non-empty list",
        "list the image's platforms, e.g. - linux/amd64",
      );
      return;
    }
    item.platforms.forEach((platform, index) => {
      if (typeof platform !== "string" || !PLATFORM.test(platform))
        problems.add(
          `${at}.platforms[${index}]`,
          `${describe(platform)} is not os/arch[/variant]`,
          "write e.g. linux/amd64 or linux/arm64",
        );
    });
  });
}

function checkSignKey(value: string, field: string, problems: Problems): void {
  const parsed = parseYamlString(value, field, problems);
  if (!parsed.ok) return;
  if (!isMapping(parsed.value)) {
    problems.add(
      field,
      `must be a mapping, not ${describe(parsed.value)}`,
      "write fingerprint: and url: lines",
    );
    return;
  }
  unknownKeys(parsed.value, ["fingerprint", "url"], field, problems);
  // Artifact Hub requires the url; the fingerprint is what lets users check the key they fetched.
  const fingerprint = stringField(parsed.value, "fingerprint", field, problems, {
    example: "<40 hex digits>",
  });
  if (fingerprint !== undefined && !isFingerprint(fingerprint))
    problems.add(
      `${field}.fingerprint`,
      `"${fingerprint}" is not an OpenPGP fingerprint`,
      "write the key's full fingerprint: 40 (v4) or 64 (v6) hex digits, no spaces",
    );
  webUrl(parsed.value, "url", field, problems);
}

/**
 * The fingerprint `artifacthub.io/signKey` names (upper case), when the annotation is there and
 * well formed: the publish compares it with the key that signs.
 */
export function signKeyFingerprint(
  annotations: Readonly<Record<string, string>> | undefined,
): string | undefined {
  const value = annotations?.[`${ANNOTATION_PREFIX}signKey`];
  if (value === undefined) return undefined;
  const parsed = parseYamlString(value, "signKey", new Problems("Chart.yaml"));
  if (!parsed.ok || !isMapping(parsed.value)) return undefined;
  const fingerprint = parsed.value.fingerprint;
  return typeof fingerprint === "string" && isFingerprint(fingerprint)
    ? fingerprint.toUpperCase()
    : undefined;
}

export function isFingerprint(text: string): boolean {
  return /^(?:[0-9A-Fa-f]{40}|[0-9A-Fa-f]{64})$/.test(text);
}
