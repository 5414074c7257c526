/**
 * --repo s3://bucket[/prefix]: a repository in an S3 bucket or an S3-compatible store. The AWS
 * SDK is loaded only here (it costs ~0.4 s of start-up that directory publishes do not need).
 */
import { parseS3Url } from "../../storage/s3-location.js";
import type { S3Store } from "../../storage/s3-store.js";
import { repositoryUrl, requestTimeoutMs, type S3Flags } from "../options.js";
import type { StoreBackend } from "./backend.js";

async function openS3(repo: string, flags: S3Flags): Promise<S3Store> {
  const location = parseS3Url(repo);
  const timeoutMs = requestTimeoutMs(flags);
  const [{ S3Store }, { s3Client }] = await Promise.all([
    import("../../storage/s3-store.js"),
    import("../../aws/clients.js"),
  ]);
  return new S3Store(
    s3Client({
      ...(flags.endpoint === undefined
        ? {}
        : {
            endpoint: repositoryUrl(
              flags.endpoint,
              "--endpoint",
              "http://127.0.0.1:7070 (a local S3-compatible store)",
            ),
          }),
      ...(flags.region === undefined ? {} : { region: flags.region }),
      ...(flags.pathStyle === true ? { pathStyle: true } : {}),
      requestTimeoutMs: timeoutMs,
    }),
    location,
  );
}

export const s3Backend: StoreBackend = {
  scheme: "s3",
  usage: "s3://<bucket>[/<prefix>]",
  help: { placeholder: "s3 url", accepts: "s3://<bucket>[/<prefix>]" },
  remote: true,
  open: (repo, { flags }) => openS3(repo, flags),
  async openVersioned(repo, { flags }) {
    const store = await openS3(repo, flags);
    const { S3ObjectHistory } = await import("../../storage/s3-object-history.js");
    return { store, history: new S3ObjectHistory(store.client, store.where) };
  },
};
