import { describe, expect, it } from "vitest";
import { registryTls } from "../../src/image/registry-tls.js";

describe("registryTls (image build)", () => {
  it("keeps TLS verification for every registry when none is on loopback, with the system configuration", () => {
    expect(registryTls(["ghcr.io/alto9/kube9-operator", "docker.io/library/node:22", "node:22"])).toEqual({
      insecure: [],
      registriesConf: undefined,
    });
  });

  it("names only the loopback registries as insecure, each by host and port, when mixed with real ones", () => {
    const tls = registryTls([
      "127.0.0.1:5000/base/node:22",
      "ghcr.io/alto9/kube9-operator",
      "localhost:5001/base/distroless:1",
      "127.0.0.1:5000/base/other:1",
    ]);
    expect(tls.insecure).toEqual(["127.0.0.1:5000", "localhost:5001"]);
    const conf = tls.registriesConf ?? "";
    expect(conf.match(/^\[\[registry\]\]$/gm)).toHaveLength(2);
    expect(conf).toContain('location = "127.0.0.1:5000"\ninsecure = true');
    expect(conf).toContain('location = "localhost:5001"\ninsecure = true');
    expect(conf).not.toContain("ghcr.io");
    // Never a global switch: nothing says "all registries".
    expect(conf).not.toMatch(/tls-verify|location = "\*"/);
  });

  it("does not take a name that only looks like a host for a loopback registry", () => {
    expect(registryTls(["localhostx/name:1", "127.0.0.1.example.com/name:1"]).insecure).toEqual([]);
  });
});
