export interface ToolSpec {
  version: string;
  binary: string;
  /** A Go program built with go install. */
  module?: string;
  ldflags?: string;
  /** Build environment added to the Go build (e.g. GOEXPERIMENT). */
  env?: Record<string, string>;
  /** A Go module of this repository (a folder) to build `package` in. */
  gomod?: string;
  package?: string;
  /** A Debian package unpacked into the tool cache. */
  deb?: string;
  /** A Debian package installed system-wide; `binary` is then an absolute path. */
  apt?: string;
}
export const repoRoot: string;
export const toolManifest: Record<string, ToolSpec>;
export function cacheRoot(env?: NodeJS.ProcessEnv): string;
export function toolSpec(name: string): ToolSpec;
export function toolDir(name: string): string;
export function toolPath(name: string): string;
