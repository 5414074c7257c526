/**
 * Size limits Helm (>= 3.17.3) enforces when it loads a chart (helm.sh/helm pkg/chart/loader/archive:
 * MaxDecompressedFileSize, MaxDecompressedChartSize). A chart over them installs nowhere, so it is
 * refused before it is packaged or published.
 */

/** Largest file Helm loads: 5 MiB. A file of exactly this size is accepted. */
export const MAX_FILE_BYTES = 5 * 1024 * 1024;

/**
 * Helm refuses a chart whose files add up to 100 MiB or more (its remaining budget must stay above
 * zero), so the total must stay strictly below this.
 */
export const MAX_CHART_BYTES = 100 * 1024 * 1024;

/** Sizes in messages: whole MiB as such, anything else with its exact byte count (5 MiB + 1 byte is over). */
export function formatBytes(bytes: number): string {
  const mebibytes = bytes / (1024 * 1024);
  if (bytes < 1024 * 1024) return `${bytes} bytes`;
  return Number.isInteger(mebibytes) ? `${mebibytes} MiB` : `${mebibytes.toFixed(2)} MiB (${bytes} bytes)`;
}
