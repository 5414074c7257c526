import { describe, expect, it } from "vitest";
import { acceptsGzip, parseAcceptEncoding } from "../../src/serve/encoding.js";

describe("parseAcceptEncoding", () => {
  it.each([
    ["gzip", [{ coding: "gzip", q: 1 }]],
    [
      "gzip, deflate, br",
      [
        { coding: "gzip", q: 1 },
        { coding: "deflate", q: 1 },
        { coding: "br", q: 1 },
      ],
    ],
    ["GZIP;Q=0.5", [{ coding: "gzip", q: 0.5 }]],
    ["gzip;q=0", [{ coding: "gzip", q: 0 }]],
    [
      "gzip ; q=0.25 , identity;q=1.000",
      [
        { coding: "gzip", q: 0.25 },
        { coding: "identity", q: 1 },
      ],
    ],
    ["*;q=0.1", [{ coding: "*", q: 0.1 }]],
    ["gzip;q=2", []],
    ["gzip;q=0.1234", []],
    ["gzip;q=", []],
    ["gzip;q=abc, br", [{ coding: "br", q: 1 }]],
    ["", []],
    [" , ,", []],
    ["gz(ip", []],
  ])("%j", (value, expected) => {
    expect(parseAcceptEncoding(value)).toEqual(expected);
  });
});

describe("acceptsGzip", () => {
  it.each([
    [undefined, false],
    ["", false],
    ["gzip", true],
    ["x-gzip", true],
    ["gzip, deflate, br", true],
    ["br, gzip;q=0.8", true],
    ["gzip;q=0", false],
    ["gzip;q=0.000", false],
    ["GZIP;q=0", false],
    ["gzip;q=0.001", true],
    ["identity", false],
    ["br", false],
    ["deflate, br", false],
    ["*", true],
    ["*;q=0", false],
    ["*, gzip;q=0", false],
    ["gzip;q=0, *", false],
    ["gzip;q=0.5", true],
    ["gzip;q=0.5, identity", false],
    ["gzip, identity;q=0.5", true],
    ["gzip;q=0.5, identity;q=0.5", true],
    ["*;q=0.5, identity;q=1", false],
    ["gzip;q=bogus", false],
  ])("%j -> %s", (value, expected) => {
    expect(acceptsGzip(value)).toBe(expected);
  });
});
