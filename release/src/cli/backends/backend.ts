/**
 * What a repository store or a CDN must provide to be reachable from --repo or --cdn. Each
 * backend is one module of this folder; cli/composition.ts lists them by scheme.
 */
import type { Cdn } from "../../cdn/cdn.js";
import type { ObjectHistory } from "../../storage/object-history.js";
import type { Store } from "../../storage/store.js";
import type { S3Flags } from "../options.js";

/** What a backend gets besides its --repo or --cdn value. */
export interface BackendSettings {
  /** Relative directory paths are resolved against it. */
  cwd: string;
  /** The connection options of the command (endpoint, region, request timeout). */
  flags: S3Flags;
}

export interface StoreBackend {
  /** The URL scheme --repo names it with (`s3` for s3://...); "" for the one taking plain paths. */
  readonly scheme: string;
  /** How --repo gives it, for the usage message: e.g. `s3://<bucket>[/<prefix>]`. */
  readonly usage: string;
  /** What --help shows: the placeholder in `--repo <...>` ("s3 url") and the accepted form. */
  readonly help: { placeholder: string; accepts: string };
  /**
   * True when users reach the repository through a URL rather than the files the publisher
   * wrote, so that a publish with --url verifies through that URL.
   */
  readonly remote: boolean;
  open(repo: string, settings: BackendSettings): Promise<Store>;
  /** Only for stores that keep earlier versions of an object (what `repo rollback` restores). */
  openVersioned?(repo: string, settings: BackendSettings): Promise<VersionedRepository>;
}

export interface VersionedRepository {
  store: Store;
  history: ObjectHistory;
}

export interface CdnTarget {
  /** For plans and messages, as --cdn names it: `cloudfront:<distribution id>`. */
  readonly description: string;
  /** Builds the client; the SDK is loaded only here, so a dry run never loads it. */
  connect(settings: BackendSettings): Promise<Cdn>;
}

export interface CdnBackend {
  /** What comes before the first ":" of --cdn. */
  readonly scheme: string;
  /** How --cdn gives it, for the usage message. */
  readonly usage: string;
  /** The accepted form, for --help: `cloudfront:<distribution id>`. */
  readonly help: string;
  /** The target `value` names, or undefined when it is not a valid value of this scheme. */
  parse(value: string): CdnTarget | undefined;
}
