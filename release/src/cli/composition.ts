/**
 * The composition root: the one place that turns a --repo value into a Store and a --cdn value
 * into a CDN client. Backends are listed by scheme; a new store or CDN is one module in
 * backends/ plus one line in DEFAULT_BACKENDS.
 */
import { ReleaseError } from "../errors.js";
import type { Store } from "../storage/store.js";
import type { BackendSettings, CdnBackend, CdnTarget, StoreBackend } from "./backends/backend.js";
import { cloudFrontBackend } from "./backends/cloudfront.js";
import { directoryBackend } from "./backends/directory.js";
import { s3Backend } from "./backends/s3.js";

export type {
  BackendSettings,
  CdnBackend,
  CdnTarget,
  StoreBackend,
  VersionedRepository,
} from "./backends/backend.js";

export interface Repository {
  store: Store;
  /** See StoreBackend.remote. */
  remote: boolean;
}

/** A store backend that keeps earlier versions of objects. */
type VersionedBackend = StoreBackend & Required<Pick<StoreBackend, "openVersioned">>;

export class BackendRegistry {
  constructor(
    readonly stores: readonly StoreBackend[],
    readonly cdns: readonly CdnBackend[],
  ) {}

  /** `<dir or s3 url>`: the placeholder of --repo in --help (only stores with versions for rollback). */
  repoPlaceholder(versioned = false): string {
    return `<${this.storesFor(versioned)
      .map((b) => b.help.placeholder)
      .join(" or ")}>`;
  }

  /** `a directory, or s3://<bucket>[/<prefix>]`: what --repo accepts, for --help. */
  repoHelp(versioned = false): string {
    return alternatives(this.storesFor(versioned).map((b) => b.help.accepts));
  }

  /** `cloudfront:<distribution id>`: what --cdn accepts, for --help. */
  cdnHelp(): string {
    return alternatives(this.cdns.map((b) => b.help));
  }

  /** The backend of a --repo value: its URL scheme, or the plain-path one when it has none. */
  storeBackend(repo: string): StoreBackend {
    const backend = this.findStoreBackend(repo);
    if (backend === undefined) {
      throw new ReleaseError("USAGE", `unsupported repository ${repo}`, {
        field: "--repo",
        fix: `give ${this.stores.map((b) => b.usage).join(" or ")}`,
      });
    }
    return backend;
  }

  async openRepository(repo: string, settings: BackendSettings): Promise<Repository> {
    const backend = this.storeBackend(repo);
    return { store: await backend.open(repo, settings), remote: backend.remote };
  }

  /** For `repo rollback`: checked before anything else, so it opens in a second step. */
  versionedBackend(repo: string): VersionedBackend {
    const backend = this.findStoreBackend(repo);
    if (backend?.openVersioned === undefined) {
      const versioned = this.stores.filter((b) => b.openVersioned !== undefined).map((b) => b.usage);
      throw new ReleaseError("USAGE", `${repo} keeps no earlier versions of index.yaml`, {
        field: "--repo",
        fix: `give ${versioned.join(" or ")} of a versioned bucket; a directory repository is repaired with \`repo reindex\``,
      });
    }
    return backend as VersionedBackend;
  }

  /** The target of a --cdn value (`<scheme>:...`); nothing is loaded or contacted yet. */
  cdnTarget(value: string): CdnTarget {
    const scheme = value.slice(0, Math.max(0, value.indexOf(":")));
    const target = this.cdns.find((b) => b.scheme === scheme)?.parse(value);
    if (target === undefined) {
      throw new ReleaseError("USAGE", `${JSON.stringify(value)} is not a CDN this tool can invalidate`, {
        field: "--cdn",
        fix: `give ${this.cdns.map((b) => b.usage).join(" or ")}`,
      });
    }
    return target;
  }

  private storesFor(versioned: boolean): readonly StoreBackend[] {
    return versioned ? this.stores.filter((b) => b.openVersioned !== undefined) : this.stores;
  }

  private findStoreBackend(repo: string): StoreBackend | undefined {
    const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(repo)?.[1]?.toLowerCase() ?? "";
    return this.stores.find((b) => b.scheme === scheme);
  }
}

/** `a, b, or c` */
function alternatives(items: readonly string[]): string {
  return items.length < 2 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")}, or ${items.at(-1)}`;
}

export const DEFAULT_BACKENDS = new BackendRegistry([directoryBackend, s3Backend], [cloudFrontBackend]);
