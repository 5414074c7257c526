/**
 * The stand-in for ghcr.io: the real CNCF distribution registry (Debian docker-registry, pinned in
 * scripts/tools.json) on 127.0.0.1 with token authentication switched on, and a token endpoint served here that works
 * as ghcr.io's does for a public package: anonymous requests get `pull`, `push` needs a credential.
 * Tokens are ES256 JWTs carrying the issuer certificate in `x5c`, which the registry checks against
 * its `rootcertbundle` (a self-signed certificate made with the openssl CLI for each run).
 * As on ghcr.io, the token endpoint is served on the registry's own host and port (`/token`): a
 * front server of this process answers it and passes every other request to the registry.
 * Clients built on go-containerregistry (cosign) refuse a realm on another loopback port.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createPrivateKey, type KeyObject, randomBytes, sign, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { capturedOutput, closeServer, freePort, listen, stopChild, waitForHttp } from "./net.js";

export interface RegistryStandIn {
  /** host:port of the registry, for image references. */
  host: string;
  url: string;
  tokenUrl: string;
  /** The credential that may push (anonymous requests may only pull). */
  pusher: { username: string; password: string };
  /** How many tokens the endpoint issued, by kind: proves the client went through the token flow. */
  issued: { anonymous: number; authenticated: number };
  /** Stops the registry process only (a registry outage); the token endpoint keeps answering. */
  halt(): Promise<void>;
  /** Starts it again after halt(), with the same storage, port and configuration. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

const SERVICE = "kube9-test-registry";
const ISSUER = "kube9-test-token-issuer";

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString("base64url");
}

interface Access {
  type: string;
  name: string;
  actions: string[];
}

function signToken(key: KeyObject, certDer: Buffer, subject: string, access: Access[]): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: "ES256", typ: "JWT", x5c: [certDer.toString("base64")] };
  const claims = {
    iss: ISSUER,
    sub: subject,
    aud: SERVICE,
    exp: now + 600,
    nbf: now - 30,
    iat: now,
    jti: randomBytes(12).toString("hex"),
    access,
  };
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  // JWS ES256 signatures are r||s (IEEE P1363), not DER.
  const signature = sign("sha256", Buffer.from(input), { key, dsaEncoding: "ieee-p1363" });
  return `${input}.${base64url(signature)}`;
}

function tokenHandler(
  key: KeyObject,
  certDer: Buffer,
  pusher: RegistryStandIn["pusher"],
  issued: RegistryStandIn["issued"],
) {
  return (request: IncomingMessage, response: ServerResponse): void => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const basic = /^Basic (.+)$/.exec(request.headers.authorization ?? "")?.[1];
    const [user, password] = basic === undefined ? [] : Buffer.from(basic, "base64").toString().split(":");
    const authenticated = user === pusher.username && password === pusher.password;
    if (basic !== undefined && !authenticated) {
      response.writeHead(401).end();
      return;
    }
    const access: Access[] = url.searchParams.getAll("scope").flatMap((scope) => {
      const match = /^(repository):(.+):([a-z,*]+)$/.exec(scope);
      if (match === null) return [];
      const wanted = (match[3] ?? "").split(",");
      // Public package: anybody pulls; only the credential pushes.
      const granted = wanted.filter((action) => action === "pull" || (authenticated && action === "push"));
      return [{ type: match[1] ?? "", name: match[2] ?? "", actions: granted }];
    });
    if (authenticated) issued.authenticated++;
    else issued.anonymous++;
    const token = signToken(key, certDer, authenticated ? pusher.username : "", access);
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify({ token, access_token: token, expires_in: 600 }));
  };
}

/**
 * Passes a request to the registry on `port`, as is (the Host header too: the registry builds its
 * upload locations from it). A halted registry closes the client's connection, as a refused one would.
 */
function proxyTo(port: number, request: IncomingMessage, response: ServerResponse): void {
  const upstream = httpRequest(
    { host: "127.0.0.1", port, method: request.method, path: request.url, headers: request.headers },
    (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
      answer.pipe(response);
    },
  );
  upstream.on("error", () => response.socket?.destroy());
  request.pipe(upstream);
}

/** A key and self-signed certificate in `dir`: the token service signs with it, the registry trusts it. */
function makeTokenKey(dir: string): { key: KeyObject; certDer: Buffer } {
  execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
      .concat(["-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-days", "2"])
      .concat(["-subj", `/CN=${ISSUER}`]),
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  const key = createPrivateKey(readFileSync(join(dir, "key.pem")));
  const certDer = new X509Certificate(readFileSync(join(dir, "cert.pem"))).raw;
  return { key, certDer };
}

/** The registry's config.yml: storage in `dir`, listening on `registryPort`, tokens from `tokenUrl`. */
function registryConfig(dir: string, registryPort: number, tokenUrl: string): string {
  return [
    "version: 0.1",
    "log:",
    "  level: warn",
    "storage:",
    "  filesystem:",
    `    rootdirectory: ${join(dir, "storage")}`,
    "http:",
    `  addr: 127.0.0.1:${registryPort}`,
    `  secret: ${randomBytes(16).toString("hex")}`,
    "auth:",
    "  token:",
    `    realm: ${tokenUrl}`,
    `    service: ${SERVICE}`,
    `    issuer: ${ISSUER}`,
    `    rootcertbundle: ${join(dir, "cert.pem")}`,
    "",
  ].join("\n");
}

export async function startRegistry(options: { binary: string }): Promise<RegistryStandIn> {
  const dir = mkdtempSync(join(tmpdir(), "kube9-registry-"));
  const { key, certDer } = makeTokenKey(dir);
  const pusher = { username: "pusher", password: randomBytes(12).toString("hex") };
  const issued = { anonymous: 0, authenticated: 0 };
  const tokens = tokenHandler(key, certDer, pusher, issued);
  const registryPort = await freePort();
  const front = createServer((request, response) => {
    if (new URL(request.url ?? "/", "http://127.0.0.1").pathname === "/token") tokens(request, response);
    else proxyTo(registryPort, request, response);
  });
  const port = await listen(front);
  const tokenUrl = `http://127.0.0.1:${port}/token`;
  writeFileSync(join(dir, "config.yml"), registryConfig(dir, registryPort, tokenUrl));
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const halt = async () => {
    if (child !== undefined) await stopChild(child);
  };
  const stop = async () => {
    await halt();
    await closeServer(front);
    rmSync(dir, { recursive: true, force: true });
  };
  /** Starts the registry process on the same port and storage; ready when /v2/ asks for a token. */
  const resume = async () => {
    const started = spawn(options.binary, ["serve", join(dir, "config.yml")], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    child = started;
    const stderr = capturedOutput(started);
    await waitForHttp(
      "docker-registry",
      `http://127.0.0.1:${registryPort}/v2/`,
      started,
      stderr,
      (status) => status === 401,
    );
  };
  try {
    await resume();
  } catch (error) {
    await stop();
    throw error;
  }
  return { host: `127.0.0.1:${port}`, url, tokenUrl, pusher, issued, halt, resume, stop };
}
