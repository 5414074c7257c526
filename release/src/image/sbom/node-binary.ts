/**
 * The Node.js binaries of an image and their versions. An official Node.js build carries the URL
 * of its own headers (`process.release.headersUrl`, `.../release/v22.1.0/node-v22.1.0-headers...`)
 * in the binary; that version is the one `node --version` prints, read without running a binary
 * of another architecture.
 */
import { ReleaseError } from "../../errors.js";
import type { ImageFile } from "./image-files.js";

export interface NodeBinary {
  path: string;
  version: string;
}

const HEADERS = /node-v(\d+\.\d+\.\d+)-headers\.tar\.gz/;

export function nodeBinaries(files: ImageFile[]): NodeBinary[] {
  return files
    .filter((file) => /\/bin\/node$/.test(file.path))
    .map((file) => {
      const version = HEADERS.exec(file.body.toString("latin1"))?.[1];
      if (version === undefined) {
        throw new ReleaseError(
          "IMAGE_INVALID",
          "a node binary with no version in it (not an official Node.js build?)",
          {
            file: file.path,
            fix: "use a base image with an official Node.js build, or remove the file",
          },
        );
      }
      return { path: file.path, version };
    });
}
