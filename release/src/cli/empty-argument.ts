/**
 * An empty command-line argument is almost always a shell variable that is not set
 * (`chart publish "$CHART"`). Taken as it is, an empty path is the working directory: a publish
 * into the current folder, a reindex that writes index.yaml there. No option or argument of
 * kube9-release takes an empty value, so every empty one is refused before a command runs.
 */
import { ReleaseError } from "../errors.js";

export function refuseEmptyArguments(argv: readonly string[]): void {
  argv.forEach((token, index) => {
    const inline = /^(--?[A-Za-z][\w-]*)=$/.exec(token);
    if (token.trim() !== "" && inline === null) return;
    const previous = argv[index - 1];
    const option = inline?.[1] ?? (previous?.startsWith("-") === true ? previous : undefined);
    const field = option ?? `argument ${index + 1}`;
    const message =
      option !== undefined
        ? "empty value"
        : `empty argument${previous === undefined ? "" : ` after "${previous}"`}`;
    throw new ReleaseError("USAGE", message, {
      field,
      fix: 'give a value; an empty one is usually a variable that is not set (check "$VAR" in the command)',
    });
  });
}
