import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repositoryMetadataProblems } from "../../src/artifacthub/repository-metadata.js";

const FILE = "charts/artifacthub-repo.yml";
const check = (text: string) => repositoryMetadataProblems(text, FILE);

describe("artifacthub-repo.yml", () => {
  it("accepts the repository's own file", () => {
    const text = readFileSync(
      join(import.meta.dirname, "..", "..", "..", "charts", "artifacthub-repo.yml"),
      "utf8",
    );
    expect(check(text)).toEqual([]);
  });

  it("accepts Artifact Hub's documented settings", () => {
    const text = [
      "repositoryID: 0c5e1bd2-6f3a-4b4e-9d8e-5f2b1c3d4e5f",
      "owners:",
      "  - name: user1",
      "    email: user1@email.com",
      "ignore:",
      "  - name: package1",
      "  - name: package2",
      "    version: beta",
      "",
    ].join("\n");
    expect(check(text)).toEqual([]);
  });

  it.each([
    ["an empty file", "", "(file)", /at least one of repositoryID, owners or ignore/],
    ["a file of comments only", "# nothing yet\n", "(file)", /at least one/],
    ["a list instead of a mapping", "- owners\n", "(file)", /at least one/],
    ["broken YAML", "owners: [\n", "(file)", /YAML syntax/],
    ["a repositoryID that is not a UUID", "repositoryID: <set me>\n", "repositoryID", /control panel/],
    ["an empty repositoryID", 'repositoryID: ""\n', "repositoryID", /give a value/],
    ["a misspelt key", "owner:\n  - email: a@b.example\n", "owner", /repositoryID, owners, ignore/],
    ["owners as a mapping", "owners:\n  name: x\n", "owners", /one `- ` item/],
    ["an owner without email", "owners:\n  - name: Alto9\n", "owners[0].email", /add email/],
    [
      "an owner whose email is not one",
      "owners:\n  - name: Alto9\n    email: alto9\n",
      "owners[0].email",
      /Artifact Hub account/,
    ],
    ["an owner field misspelt", "owners:\n  - mail: a@b.example\n", "owners[0].mail", /name, email/],
    ["an ignore entry without name", "ignore:\n  - version: beta\n", "ignore[0].name", /add name/],
    [
      "an ignore version that is not a regular expression",
      "ignore:\n  - name: x\n    version: '1.0.('\n",
      "ignore[0].version",
      /escape/,
    ],
    ["an ignore entry given as a string", "ignore:\n  - kube9-operator\n", "ignore[0]", /key: value/],
  ])("refuses %s, naming the field and the fix", (_what, text, field, fix) => {
    const problems = check(text);
    const problem = problems.find((p) => p.field === field);
    expect(problem, JSON.stringify(problems)).toBeDefined();
    expect(problem?.file).toBe(FILE);
    expect(problem?.fix).toMatch(fix);
  });
});
