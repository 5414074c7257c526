/**
 * JSON-lines logging: one object per line with time, level and msg, so that cluster log
 * collectors can parse it without patterns. The clock and the output are injected.
 */

export type LogLevel = "debug" | "info" | "warn" | "error";
export type Logger = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void;

export function createLogger(write: (line: string) => void, now: () => number): Logger {
  return (level, msg, fields = {}) => {
    write(`${JSON.stringify({ time: new Date(now()).toISOString(), level, msg, ...fields })}\n`);
  };
}
