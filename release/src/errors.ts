/**
 * Typed errors. Callers branch on `code`, never on message text; the CLI maps every error to an
 * exit code and to its `--json` form in one place (cli/run.ts).
 */
export type ErrorCode =
  /** Bad command-line usage: exit code 2. */
  | "USAGE"
  /** Chart.yaml, values or chart files that Helm would refuse. */
  | "CHART_INVALID"
  /** A .tgz whose layout or members are unsafe or not a chart. */
  | "ARCHIVE_INVALID"
  /** index.yaml that does not parse strictly. */
  | "INDEX_INVALID"
  /** index.yaml is missing from a repository that holds archives (rebuild it, never start empty), or there is no repository at all. */
  | "INDEX_MISSING"
  /** A signing key or public key that cannot be read or used (format, passphrase, algorithm, expiry). */
  | "KEY_INVALID"
  /** The same chart version already published with other bytes. */
  | "VERSION_CONFLICT"
  /** A conditional write lost a race (412/409 or a changed ETag); retried by the publisher. */
  | "PRECONDITION_FAILED"
  /** A storage read or write failed for a reason other than absence or a lost race. */
  | "STORAGE_FAILED"
  /** A CDN request (the check before publishing, an invalidation, the wait for it) failed or ran out of time. */
  | "CDN_FAILED"
  /** What users get through the public URL is not what was published. */
  | "VERIFY_FAILED"
  /** The local repository server cannot listen (port in use, address not available). */
  | "SERVE_FAILED"
  /** A required external program (helm, git, ...) is missing or failed. */
  | "TOOL_FAILED"
  /** An image in a registry is not what a release needs (platforms, labels, size, digest). */
  | "IMAGE_INVALID"
  /** The image builder (buildah) failed or its output is not a release image; nothing was pushed. */
  | "IMAGE_BUILD_FAILED"
  /** The image scan found vulnerabilities or secrets at or above the gate's severity; nothing may be pushed. */
  | "IMAGE_VULNERABLE"
  /** A container registry could not be read (network, auth, server errors after retries). */
  | "REGISTRY_FAILED"
  /** The release tag, Chart.yaml version, appVersion and default image tag disagree. */
  | "RELEASE_MISMATCH"
  /** A wait for something external (an image tag) ran out of time. */
  | "TIMEOUT"
  /** `repo rollback` cannot restore the version asked for (none stored, unparsable, archives missing). */
  | "ROLLBACK_REFUSED"
  /** A GitHub Actions workflow file the rehearsal cannot run as written (syntax, unsupported feature, unpinned action). */
  | "WORKFLOW_INVALID"
  /** A workflow `uses:` an action that the rehearsal has no local equivalent for. */
  | "ACTION_UNMAPPED"
  /** A rehearsed workflow ran and one of its jobs failed. */
  | "REHEARSAL_FAILED";

export interface ErrorContext {
  /** The file or URL the problem is in. */
  file?: string;
  /** The field inside that file (dotted path), when there is one. */
  field?: string;
  /** What the user can do about it. */
  fix?: string;
  cause?: unknown;
}

export class ReleaseError extends Error {
  readonly code: ErrorCode;
  readonly file: string | undefined;
  readonly field: string | undefined;
  readonly fix: string | undefined;

  constructor(code: ErrorCode, message: string, context: ErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.name = "ReleaseError";
    this.code = code;
    this.file = context.file;
    this.field = context.field;
    this.fix = context.fix;
  }

  /** One line for humans: `file: field: message (fix: ...)`. */
  describe(): string {
    const where = [this.file, this.field].filter((part) => part !== undefined && part !== "").join(": ");
    const fix = this.fix === undefined ? "" : `\n  fix: ${this.fix}`;
    return `${where === "" ? "" : `${where}: `}${this.message}${fix}`;
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      ...(this.file === undefined ? {} : { file: this.file }),
      ...(this.field === undefined ? {} : { field: this.field }),
      ...(this.fix === undefined ? {} : { fix: this.fix }),
    };
  }
}

export function isReleaseError(error: unknown, code?: ErrorCode): error is ReleaseError {
  return error instanceof ReleaseError && (code === undefined || error.code === code);
}
