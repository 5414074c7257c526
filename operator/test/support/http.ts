/** Small helpers shared by the operator tests: polling for a condition and plain GETs. */

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  deadlineMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ""}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, body: await response.text() };
}

/** The value of one sample in a Prometheus text exposition, e.g. `name{label="x"}`. */
export function sample(metrics: string, series: string): number | undefined {
  for (const line of metrics.split("\n")) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return undefined;
}
