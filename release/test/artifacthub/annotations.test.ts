import { readFileSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import {
  artifactHubAnnotationProblems,
  CHANGE_KINDS,
  KNOWN_ANNOTATIONS,
  parseImage,
} from "../../src/artifacthub/annotations.js";

const FILE = "charts/kube9-operator/Chart.yaml";
const context = { file: FILE, chartName: "kube9-operator" };
const check = (annotations: Record<string, string>) => artifactHubAnnotationProblems(annotations, context);
const fields = (annotations: Record<string, string>) => check(annotations).map((p) => p.field);

describe("Artifact Hub annotations: what passes", () => {
  it("accepts the chart's own annotations", () => {
    const chartYaml = yaml.load(
      readFileSync(
        join(import.meta.dirname, "..", "..", "..", "charts", "kube9-operator", "Chart.yaml"),
        "utf8",
      ),
    ) as { annotations: Record<string, string> };
    expect(Object.keys(chartYaml.annotations).length).toBeGreaterThan(3);
    expect(check(chartYaml.annotations)).toEqual([]);
  });

  it("accepts Artifact Hub's documented example, one annotation at a time", () => {
    const example: Record<string, string> = {
      "artifacthub.io/category": "security",
      "artifacthub.io/changes":
        "- kind: added\n  description: Cool feature\n  links:\n    - name: GitHub Issue\n      url: https://github.com/issue-url\n- kind: fixed\n  description: Minor bug\n",
      "artifacthub.io/containsSecurityUpdates": "true",
      "artifacthub.io/images":
        "- name: img1\n  image: repo/img1:1.0.0\n  platforms:\n    - linux/amd64\n- name: img2\n  image: repo/img2:2.0.0\n  whitelisted: true\n  platforms:\n    - linux/amd64\n",
      "artifacthub.io/crds": "- kind: MyKind\n  version: v1\n  name: mykind\n",
      "artifacthub.io/crdsExamples": "- apiVersion: v1\n  kind: MyKind\n  metadata:\n    name: mykind\n",
      "artifacthub.io/license": "Apache-2.0",
      "artifacthub.io/links": "- name: link1\n  url: https://link1.url\n",
      "artifacthub.io/maintainers": "- name: user1\n  email: user1@email.com\n",
      "artifacthub.io/operator": "true",
      "artifacthub.io/operatorCapabilities": "Basic Install",
      "artifacthub.io/prerelease": "false",
      "artifacthub.io/recommendations":
        "- url: https://artifacthub.io/packages/helm/artifact-hub/artifact-hub\n",
      "artifacthub.io/screenshots":
        "- title: Sample screenshot 1\n  url: https://example.com/screenshot1.jpg\n",
      "artifacthub.io/signKey":
        "fingerprint: C874011F0AB405110D02105534365D9472D7468F\nurl: https://keybase.io/hashicorp/pgp_keys.asc\n",
      "artifacthub.io/alternativeName": "kube9",
    };
    expect(Object.keys(example).sort()).toEqual([...KNOWN_ANNOTATIONS].sort());
    for (const [key, value] of Object.entries(example)) expect(check({ [key]: value }), key).toEqual([]);
  });

  it("accepts changes as plain strings, and every kind in any case", () => {
    expect(check({ "artifacthub.io/changes": "- Added cool feature\n- Fixed minor bug\n" })).toEqual([]);
    const kinds = CHANGE_KINDS.map((kind) => `- kind: ${kind.toUpperCase()}\n  description: x\n`).join("");
    expect(check({ "artifacthub.io/changes": kinds })).toEqual([]);
  });

  it("accepts Go's boolean spellings and leaves other annotations alone", () => {
    for (const value of ["1", "t", "TRUE", "True", "0", "f", "FALSE"])
      expect(check({ "artifacthub.io/operator": value }), value).toEqual([]);
    expect(check({ "example.com/anything": "- : [" })).toEqual([]);
  });
});

describe("Artifact Hub annotations: each rule refuses what Artifact Hub would not read", () => {
  const cases: [string, Record<string, string>, string, RegExp][] = [
    [
      "an unknown annotation",
      { "artifacthub.io/licence": "MIT" },
      'annotations["artifacthub.io/licence"]',
      /license/,
    ],
    [
      "a category outside the list",
      { "artifacthub.io/category": "monitoring" },
      'annotations["artifacthub.io/category"]',
      /monitoring-logging/,
    ],
    [
      "a license that is not SPDX",
      { "artifacthub.io/license": "MIT License" },
      'annotations["artifacthub.io/license"]',
      /MIT or Apache-2.0/,
    ],
    [
      "a boolean that Go cannot parse",
      { "artifacthub.io/operator": "yes" },
      'annotations["artifacthub.io/operator"]',
      /"true" or "false"/,
    ],
    [
      "a prerelease that is not a boolean",
      { "artifacthub.io/prerelease": "rc" },
      'annotations["artifacthub.io/prerelease"]',
      /"true"/,
    ],
    [
      "containsSecurityUpdates that is not a boolean",
      { "artifacthub.io/containsSecurityUpdates": "maybe" },
      'annotations["artifacthub.io/containsSecurityUpdates"]',
      /"true"/,
    ],
    [
      "an unknown capability level",
      { "artifacthub.io/operatorCapabilities": "Level 1" },
      'annotations["artifacthub.io/operatorCapabilities"]',
      /basic install/,
    ],
    [
      "an alternative name unrelated to the chart",
      { "artifacthub.io/alternativeName": "monitor" },
      'annotations["artifacthub.io/alternativeName"]',
      /contains the chart name/,
    ],
    [
      "changes that are not YAML",
      { "artifacthub.io/changes": "- kind: added\n description: [x" },
      'annotations["artifacthub.io/changes"]',
      /YAML block/,
    ],
    [
      "changes that are a mapping",
      { "artifacthub.io/changes": "kind: added\ndescription: x\n" },
      'annotations["artifacthub.io/changes"]',
      /one `- ` item/,
    ],
    [
      "changes with an unknown kind",
      { "artifacthub.io/changes": "- kind: breaking\n  description: x\n" },
      'annotations["artifacthub.io/changes"][0].kind',
      /added, changed, deprecated, removed, fixed, security/,
    ],
    [
      "a change without description",
      { "artifacthub.io/changes": "- kind: added\n" },
      'annotations["artifacthub.io/changes"][0].description',
      /add description/,
    ],
    [
      "a change with an empty description",
      { "artifacthub.io/changes": '- kind: added\n  description: ""\n' },
      'annotations["artifacthub.io/changes"][0].description',
      /give a value/,
    ],
    [
      "a change with a misspelt field",
      { "artifacthub.io/changes": "- kind: added\n  description: x\n  link: y\n" },
      'annotations["artifacthub.io/changes"][0].link',
      /kind, description, links/,
    ],
    [
      "a change link without url",
      { "artifacthub.io/changes": "- kind: added\n  description: x\n  links:\n    - name: PR\n" },
      'annotations["artifacthub.io/changes"][0].links[0].url',
      /add url/,
    ],
    [
      "a change link without name",
      {
        "artifacthub.io/changes": "- kind: added\n  description: x\n  links:\n    - url: https://x.example\n",
      },
      'annotations["artifacthub.io/changes"][0].links[0].name',
      /add name/,
    ],
    [
      "a list mixing strings and entries",
      { "artifacthub.io/changes": "- Fixed a bug\n- kind: added\n  description: x\n" },
      'annotations["artifacthub.io/changes"][0]',
      /every item as/,
    ],
    [
      "a plain change whose colon makes it a mapping",
      { "artifacthub.io/changes": "- Fixed a bug\n- Note: quoted\n" },
      'annotations["artifacthub.io/changes"][1]',
      /quote the change/,
    ],
    [
      "an empty list of changes",
      { "artifacthub.io/changes": "[]" },
      'annotations["artifacthub.io/changes"]',
      /leave the annotation out/,
    ],
    [
      "images that are not a list",
      { "artifacthub.io/images": "image: ghcr.io/a/b:1\n" },
      'annotations["artifacthub.io/images"]',
      /one `- ` item/,
    ],
    [
      "an image without a reference",
      { "artifacthub.io/images": "- name: op\n" },
      'annotations["artifacthub.io/images"][0].image',
      /add image/,
    ],
    [
      "an image reference with upper case",
      { "artifacthub.io/images": "- name: op\n  image: ghcr.io/Alto9/op:1\n" },
      'annotations["artifacthub.io/images"][0].image',
      /registry\/name:tag/,
    ],
    [
      "an image without tag or digest",
      { "artifacthub.io/images": "- name: op\n  image: ghcr.io/alto9/op\n" },
      'annotations["artifacthub.io/images"][0].image',
      /add the tag/,
    ],
    [
      "an image whitelisted with a string",
      { "artifacthub.io/images": '- name: op\n  image: ghcr.io/a/op:1\n  whitelisted: "true"\n' },
      'annotations["artifacthub.io/images"][0].whitelisted',
      /unquoted/,
    ],
    [
      "a platform without architecture",
      { "artifacthub.io/images": "- name: op\n  image: ghcr.io/a/op:1\n  platforms:\n    - amd64\n" },
      'annotations["artifacthub.io/images"][0].platforms[0]',
      /linux\/amd64/,
    ],
    [
      "platforms given as one string",
      { "artifacthub.io/images": "- name: op\n  image: ghcr.io/a/op:1\n  platforms: linux/amd64\n" },
      'annotations["artifacthub.io/images"][0].platforms',
      /list the image's platforms/,
    ],
    [
      "an image field misspelt",
      { "artifacthub.io/images": "- name: op\n  image: ghcr.io/a/op:1\n  platform:\n    - linux/amd64\n" },
      'annotations["artifacthub.io/images"][0].platform',
      /platforms/,
    ],
    [
      "a link without url",
      { "artifacthub.io/links": "- name: source\n" },
      'annotations["artifacthub.io/links"][0].url',
      /add url/,
    ],
    [
      "a link to a relative URL",
      { "artifacthub.io/links": "- name: docs\n  url: docs/index.md\n" },
      'annotations["artifacthub.io/links"][0].url',
      /https:\/\//,
    ],
    [
      "a link given as a string",
      { "artifacthub.io/links": "- https://github.com/alto9\n" },
      'annotations["artifacthub.io/links"][0]',
      /key: value/,
    ],
    [
      "a maintainer without name",
      { "artifacthub.io/maintainers": "- email: a@b.example\n" },
      'annotations["artifacthub.io/maintainers"][0].name',
      /add name/,
    ],
    [
      "a screenshot without title",
      { "artifacthub.io/screenshots": "- url: https://x.example/a.png\n" },
      'annotations["artifacthub.io/screenshots"][0].title',
      /add title/,
    ],
    [
      "a recommendation without url",
      { "artifacthub.io/recommendations": "- name: x\n" },
      'annotations["artifacthub.io/recommendations"][0].url',
      /add url/,
    ],
    [
      "a crds annotation that is a mapping",
      { "artifacthub.io/crds": "kind: X\n" },
      'annotations["artifacthub.io/crds"]',
      /one `- ` item/,
    ],
    [
      "a signKey without url",
      { "artifacthub.io/signKey": "fingerprint: C874011F0AB405110D02105534365D9472D7468F\n" },
      'annotations["artifacthub.io/signKey"].url',
      /add url/,
    ],
    [
      "a signKey with a short key id",
      { "artifacthub.io/signKey": "fingerprint: 72D7468F\nurl: https://charts.kube9.io/pubkey.asc\n" },
      'annotations["artifacthub.io/signKey"].fingerprint',
      /40 \(v4\) or 64 \(v6\) hex digits/,
    ],
    [
      "a signKey placeholder",
      { "artifacthub.io/signKey": "fingerprint: <FINGERPRINT>\nurl: https://charts.kube9.io/pubkey.asc\n" },
      'annotations["artifacthub.io/signKey"].fingerprint',
      /hex digits/,
    ],
    [
      "a signKey that is a list",
      { "artifacthub.io/signKey": "- url: https://charts.kube9.io/pubkey.asc\n" },
      'annotations["artifacthub.io/signKey"]',
      /fingerprint: and url:/,
    ],
  ];

  it.each(cases)("%s", (_what, annotations, field, fix) => {
    const problems = check(annotations);
    expect(problems.map((p) => p.field)).toContain(field);
    const problem = problems.find((p) => p.field === field);
    expect(problem?.file).toBe(FILE);
    expect(problem?.message.length).toBeGreaterThan(5);
    expect(problem?.fix).toMatch(fix);
  });

  it("reports every problem of a file, not only the first", () => {
    expect(
      fields({
        "artifacthub.io/category": "nope",
        "artifacthub.io/links": "- name: a\n- url: https://b.example\n",
      }),
    ).toEqual([
      'annotations["artifacthub.io/category"]',
      'annotations["artifacthub.io/links"][0].url',
      'annotations["artifacthub.io/links"][1].name',
    ]);
  });

  it("reads YAML 1.1 as Artifact Hub does: whitelisted: yes is a boolean there", () => {
    expect(
      check({ "artifacthub.io/images": "- name: op\n  image: ghcr.io/a/op:1\n  whitelisted: yes\n" }),
    ).toEqual([]);
  });
});

describe("image references", () => {
  it.each([
    ["ghcr.io/alto9/kube9-operator:1.2.3", "ghcr.io/alto9/kube9-operator", "1.2.3"],
    ["repo/img1:1.0.0", "repo/img1", "1.0.0"],
    ["localhost:5000/op:v1", "localhost:5000/op", "v1"],
    ["nginx", "nginx", undefined],
    [`ghcr.io/a/op@sha256:${"a".repeat(64)}`, "ghcr.io/a/op", undefined],
  ])("%s", (reference, repository, tag) => {
    expect(parseImage(reference)).toMatchObject({ repository, tag });
  });

  it.each([
    "ghcr.io/a/op:",
    "ghcr.io/a/op:bad tag",
    "-bad/op:1",
    "ghcr.io/a/op@sha256:xyz",
    "ghcr.io//op:1",
    "",
  ])("refuses %j", (reference) => {
    expect(parseImage(reference)).toBeUndefined();
  });
});
