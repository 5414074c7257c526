import { describe, expect, it } from "vitest";
import { parseBearerChallenge, parseChallenge } from "../../src/image/www-authenticate.js";

describe("WWW-Authenticate", () => {
  it.each([
    [
      'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:alto9/kube9-operator:pull"',
      { realm: "https://ghcr.io/token", service: "ghcr.io", scope: "repository:alto9/kube9-operator:pull" },
    ],
    [
      'Bearer realm="http://127.0.0.1:5001/token",service="reg",scope="repository:a/b:pull,push"',
      { realm: "http://127.0.0.1:5001/token", service: "reg", scope: "repository:a/b:pull,push" },
    ],
    [
      'bearer  REALM="https://auth.example/token" , Service=example',
      { realm: "https://auth.example/token", service: "example", scope: undefined },
    ],
    [
      'Bearer realm="https://a/t",error="insufficient_scope"',
      { realm: "https://a/t", service: undefined, scope: undefined },
    ],
    [
      'Bearer realm="https://a/t?x=\\"q\\""',
      { realm: 'https://a/t?x="q"', service: undefined, scope: undefined },
    ],
  ])("parses %s", (header, expected) => {
    expect(parseBearerChallenge(header)).toEqual(expected);
  });

  it.each([
    [null],
    ['Basic realm="registry"'],
    ["Bearer"],
    ['Bearer service="ghcr.io"'],
    ['Bearer realm="unterminated'],
    ["Bearer realm"],
    ['Bearer realm="/token"'],
    ['Bearer realm="file:///etc/passwd"'],
    ['Bearer realm="https://user:pass@auth.example/token"'],
  ])("gives no Bearer challenge for %j", (header) => {
    expect(parseBearerChallenge(header)).toBeUndefined();
  });

  it("keeps unknown parameters, lower-cased", () => {
    expect(parseChallenge('Bearer realm="r",Error="invalid_token"')?.params).toEqual({
      realm: "r",
      error: "invalid_token",
    });
  });
});
