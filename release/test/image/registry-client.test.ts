/**
 * The registry client's own safety rules against real HTTP servers on 127.0.0.1: credentials go
 * only to an https realm or the registry's own loopback host, never along a redirect, and every
 * request has a deadline.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { parseImageReference } from "../../src/image/reference.js";
import { makePublicFix, mayReceiveCredentials, RegistryClient } from "../../src/image/registry-client.js";
import { listen } from "../../src/rehearse/stand-ins/net.js";
import { rejectionOf } from "../support/refusal.js";

interface Seen {
  path: string;
  authorization: string | undefined;
}

const servers: Server[] = [];

async function serve(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<{
  port: number;
  seen: Seen[];
}> {
  const seen: Seen[] = [];
  const server = createServer((request, response) => {
    seen.push({ path: request.url ?? "", authorization: request.headers.authorization });
    handler(request, response);
  });
  servers.push(server);
  return { port: await listen(server), seen };
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A registry on 127.0.0.1 whose 401 names the given realm; 200 with a tag list once a token comes. */
function registryNaming(realm: string) {
  return serve((request, response) => {
    if (request.headers.authorization === "Bearer t0ken") {
      response.writeHead(200, { "content-type": "application/json" }).end('{"tags":["v1.0.0"]}');
      return;
    }
    response.writeHead(401, { "www-authenticate": `Bearer realm="${realm}",service="test"` }).end();
  });
}

const tokenServer = () =>
  serve((_request, response) => {
    response.writeHead(200, { "content-type": "application/json" }).end('{"token":"t0ken"}');
  });

const credentials = { username: "bot", password: "s3cret" };
const noWait = { sleep: async () => undefined, backoffMs: 1 };

describe("credentials of the token flow", () => {
  it("sends Basic credentials to a plain-http realm on the registry's own loopback host", async () => {
    const token = await tokenServer();
    const registry = await registryNaming(`http://127.0.0.1:${token.port}/token`);
    const client = new RegistryClient({ credentials, ...noWait });
    const tags = await client.listTags(
      parseImageReference(`127.0.0.1:${registry.port}/a/b`, "ref", "latest"),
    );
    expect(tags).toEqual(["v1.0.0"]);
    expect(token.seen.map((s) => s.authorization)).toEqual([
      `Basic ${Buffer.from("bot:s3cret").toString("base64")}`,
    ]);
  });

  it("refuses a plain-http realm on another host, sending it nothing", async () => {
    const token = await tokenServer();
    // localhost is loopback too, but not the host the registry was given as.
    const registry = await registryNaming(`http://localhost:${token.port}/token`);
    const client = new RegistryClient({ credentials, ...noWait });
    const error = await rejectionOf(
      client.listTags(parseImageReference(`127.0.0.1:${registry.port}/a/b`, "ref", "latest")),
    );
    expect(error.code).toBe("REGISTRY_FAILED");
    expect(error.message).toContain("the credentials were not sent");
    expect(token.seen).toEqual([]);
  });

  it("still fetches an anonymous token from a plain-http realm (nothing secret is sent)", async () => {
    const token = await tokenServer();
    const registry = await registryNaming(`http://localhost:${token.port}/token`);
    const tags = await new RegistryClient(noWait).listTags(
      parseImageReference(`127.0.0.1:${registry.port}/a/b`, "ref", "latest"),
    );
    expect(tags).toEqual(["v1.0.0"]);
    expect(token.seen.map((s) => s.authorization)).toEqual([undefined]);
  });

  it("never follows a redirect of the token endpoint with credentials", async () => {
    const elsewhere = await tokenServer();
    const token = await serve((_request, response) => {
      response.writeHead(302, { location: `http://127.0.0.1:${elsewhere.port}/token` }).end();
    });
    const registry = await registryNaming(`http://127.0.0.1:${token.port}/token`);
    const client = new RegistryClient({ credentials, ...noWait });
    const error = await rejectionOf(
      client.listTags(parseImageReference(`127.0.0.1:${registry.port}/a/b`, "ref", "latest")),
    );
    expect(error.message).toContain("answered with a redirect (HTTP 302)");
    expect(elsewhere.seen).toEqual([]);
  });

  it.each([
    ["https://ghcr.io/token", "ghcr.io", true],
    ["https://auth.example/token", "127.0.0.1:5000", true],
    ["http://127.0.0.1:5001/token", "127.0.0.1:5000", true],
    ["http://[::1]:5001/token", "[::1]:5000", true],
    ["http://ghcr.io/token", "ghcr.io", false],
    ["http://localhost:5001/token", "127.0.0.1:5000", false],
    ["http://10.0.0.1/token", "10.0.0.1", false],
  ])("realm %s for registry %s: credentials allowed = %s", (realm, registry, allowed) => {
    expect(mayReceiveCredentials(new URL(realm), registry)).toBe(allowed);
  });
});

describe("request deadlines", () => {
  it("abandons a registry that accepts the connection and never answers, and fails after the retries", async () => {
    const silent = await serve(() => undefined);
    const client = new RegistryClient({ requestTimeoutMs: 200, attempts: 2, ...noWait });
    const started = Date.now();
    const error = await rejectionOf(
      client.manifestExists(parseImageReference(`127.0.0.1:${silent.port}/a/b:v1`)),
    );
    expect(error.code).toBe("REGISTRY_FAILED");
    expect(error.message).toMatch(/cannot reach the registry: .*(Timeout|abort)/i);
    expect(silent.seen).toHaveLength(2);
    // Two attempts of 200 ms, not the minutes a hung connection would take.
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it("also bounds a body that stops half-way, and reports it as a registry failure", async () => {
    const stalling = await serve((_request, response) => {
      response.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
      response.write('{"tags":[');
    });
    const client = new RegistryClient({ requestTimeoutMs: 200, attempts: 1, ...noWait });
    const error = await rejectionOf(
      client.listTags(parseImageReference(`127.0.0.1:${stalling.port}/a/b`, "ref", "latest")),
    );
    expect(error.code).toBe("REGISTRY_FAILED");
    expect(error.message).toMatch(/answer broke off: .*(abort|timeout)/i);
  });
});

describe("makePublicFix: what an anonymous refusal tells the maintainer", () => {
  it("names the ghcr.io package settings page, where a new package is made public", () => {
    const fix = makePublicFix(parseImageReference("ghcr.io/alto9/kube9-operator:1.0.0"));
    expect(fix).toContain("https://github.com/orgs/alto9/packages/container/kube9-operator/settings");
    expect(fix).toContain("Change visibility");
  });

  it("says only why for another registry", () => {
    const fix = makePublicFix(parseImageReference("registry.example/alto9/kube9-operator:1.0.0"));
    expect(fix).not.toContain("github.com");
    expect(fix).toMatch(/must be public/);
  });
});
