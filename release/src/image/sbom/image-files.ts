/**
 * The files of one platform of an OCI layout that an SBOM lists, read from its layers in order
 * as a container runtime stacks them: a later layer replaces a path, a whiteout (`.wh.<name>`)
 * deletes one and an opaque whiteout (`.wh..wh..opq`) empties a folder. Only the files that name
 * packages are kept: npm manifests (`package.json`) and Node.js binaries (`.../bin/node`).
 * Layers are read from the layout `image scan` scanned and `image push` pushed
 * (scan/platform-layouts.ts), and checked against their digests while they are read.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { createGunzip } from "node:zlib";
import { extract } from "tar-stream";
import { ReleaseError } from "../../errors.js";
import type { Descriptor } from "../media-types.js";
import { ociBlobPath } from "../oci-blob-path.js";

export interface ImageFile {
  /** Absolute path inside the image, e.g. /app/node_modules/yaml/package.json. */
  path: string;
  body: Buffer;
}

/** Whether a file's content is needed for the SBOM (everything else is only tracked by path). */
export function isPackageEvidence(path: string): boolean {
  return path.endsWith("/package.json") || /\/bin\/node$/.test(path);
}

function layerError(file: string, layer: Descriptor, message: string): ReleaseError {
  return new ReleaseError("IMAGE_INVALID", `layer ${layer.digest}: ${message}`, {
    file,
    fix: "give the folder that `kube9-release image build --oci-layout` wrote, unchanged",
  });
}

function normalize(name: string): string {
  const parts = name.split("/").filter((part) => part !== "" && part !== ".");
  return `/${parts.join("/")}`;
}

function blobPath(dir: string, layer: Descriptor): string {
  const path = ociBlobPath(dir, layer.digest);
  if (path === undefined) throw layerError(dir, layer, "unsupported digest");
  return path;
}

/** What one layer changes: the paths it whites out, the folders it makes opaque, what it writes. */
interface LayerChanges {
  deleted: string[];
  opaque: string[];
  /** A path this layer writes as anything else than a kept file (a folder, a link) hides the one below: null. */
  added: Map<string, Buffer | null>;
}

/** Reads one layer's tar (its digest and size checked) into what it changes. */
async function readLayer(dir: string, layer: Descriptor): Promise<LayerChanges> {
  const gzip = /[+.]gzip$/.test(layer.mediaType);
  if (!gzip && !layer.mediaType.endsWith(".tar") && !layer.mediaType.endsWith("tar")) {
    throw layerError(dir, layer, `cannot read a layer of type ${layer.mediaType} (gzip or plain tar only)`);
  }
  const hash = createHash("sha256");
  let size = 0;
  const source = createReadStream(blobPath(dir, layer));
  source.on("data", (chunk: string | Buffer) => {
    hash.update(chunk);
    size += chunk.length;
  });
  const tar = extract();
  const changes: LayerChanges = { deleted: [], opaque: [], added: new Map() };
  tar.on("entry", (header, stream, next) => {
    const path = normalize(header.name);
    const base = path.slice(path.lastIndexOf("/") + 1);
    const parent = path.slice(0, path.lastIndexOf("/"));
    const chunks: Buffer[] = [];
    const keep = header.type === "file" && isPackageEvidence(path);
    stream.on("data", (chunk: unknown) => {
      if (keep) chunks.push(chunk as Buffer);
    });
    stream.on("end", () => {
      if (base === ".wh..wh..opq") changes.opaque.push(parent);
      else if (base.startsWith(".wh.")) changes.deleted.push(`${parent}/${base.slice(4)}`);
      else changes.added.set(path, keep ? Buffer.concat(chunks) : null);
      next();
    });
    stream.resume();
  });
  try {
    await new Promise<void>((resolve, reject) => {
      tar.on("finish", resolve);
      tar.on("error", reject);
      source.on("error", reject);
      if (gzip) {
        const gunzip = createGunzip();
        gunzip.on("error", reject);
        source.pipe(gunzip).pipe(tar as unknown as NodeJS.WritableStream);
      } else source.pipe(tar as unknown as NodeJS.WritableStream);
    });
  } catch (error) {
    throw layerError(dir, layer, `cannot read it: ${(error as Error).message}`);
  }
  const digest = `sha256:${hash.digest("hex")}`;
  if (digest !== layer.digest || size !== layer.size) {
    throw layerError(dir, layer, `holds ${size} bytes with digest ${digest}`);
  }
  return changes;
}

/** Applies one layer's entries onto `files` (path -> body of the files kept). */
async function applyLayer(dir: string, layer: Descriptor, files: Map<string, Buffer>): Promise<void> {
  const { deleted, opaque, added } = await readLayer(dir, layer);
  // Whiteouts apply to the layers below only, so they are applied before the layer's own files are added.
  const under = (path: string, folder: string) => path === folder || path.startsWith(`${folder}/`);
  for (const path of [...files.keys()]) {
    if (deleted.some((gone) => under(path, gone)) || opaque.some((folder) => path.startsWith(`${folder}/`)))
      files.delete(path);
  }
  for (const [path, body] of added) {
    if (body === null) files.delete(path);
    else files.set(path, body);
  }
}

/** The package evidence files of an image made of `layers` (bottom first), sorted by path. */
export async function readImageFiles(dir: string, layers: Descriptor[]): Promise<ImageFile[]> {
  const files = new Map<string, Buffer>();
  for (const layer of layers) await applyLayer(dir, layer, files);
  return [...files.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([path, body]) => ({ path, body }));
}
