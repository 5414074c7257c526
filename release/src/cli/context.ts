/**
 * Everything a command takes from the outside world, injected so that tests run commands
 * in-process without global patches. Only cli/main.ts reads the real process.
 */
export interface CliContext {
  argv: string[];
  env: Record<string, string | undefined>;
  cwd: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  now: () => Date;
  /** Resolves when the user asks a long-running command (repo serve) to stop. */
  untilInterrupted: () => Promise<void>;
}
