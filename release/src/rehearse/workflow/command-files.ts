/**
 * The files a step writes to talk to the runner: `$GITHUB_OUTPUT` and `$GITHUB_ENV` hold
 * `name=value` lines and `name<<DELIMITER` heredocs, read exactly as the Actions runner reads
 * them (the first of `=` and `<<` decides; the heredoc value excludes the newline before the
 * delimiter line); `$GITHUB_PATH` holds one directory per line.
 */

export class CommandFileError extends Error {
  override readonly name = "CommandFileError";
}

interface Line {
  text: string;
  /** The line break that ended it ("" for the last line of a file without one). */
  newline: string;
  /** Offset of the first character after the line break. */
  next: number;
}

function readLine(text: string, at: number): Line | undefined {
  if (at >= text.length) return undefined;
  const end = text.indexOf("\n", at);
  if (end === -1) return { text: text.slice(at), newline: "", next: text.length };
  const crlf = end > at && text[end - 1] === "\r";
  return { text: text.slice(at, crlf ? end - 1 : end), newline: crlf ? "\r\n" : "\n", next: end + 1 };
}

/** Name/value pairs in the order written (a later pair for the same name wins when applied). */
export function parseKeyValueFile(text: string, file: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  let at = 0;
  for (let line = readLine(text, at); line !== undefined; line = readLine(text, at)) {
    at = line.next;
    if (line.text === "") continue;
    const equals = line.text.indexOf("=");
    const heredoc = line.text.indexOf("<<");
    if (equals >= 0 && (heredoc < 0 || equals < heredoc)) {
      const name = line.text.slice(0, equals);
      if (name === "")
        throw new CommandFileError(`${file}: invalid line ${JSON.stringify(line.text)}: the name is empty`);
      pairs.push([name, line.text.slice(equals + 1)]);
    } else if (heredoc >= 0) {
      const name = line.text.slice(0, heredoc);
      const delimiter = line.text.slice(heredoc + 2);
      if (name === "" || delimiter === "") {
        throw new CommandFileError(
          `${file}: invalid line ${JSON.stringify(line.text)}: the name and the delimiter must not be empty`,
        );
      }
      const start = at;
      let end = at;
      for (;;) {
        const value = readLine(text, at);
        if (value === undefined) {
          throw new CommandFileError(
            `${file}: the delimiter ${JSON.stringify(delimiter)} of ${name} is never written`,
          );
        }
        at = value.next;
        if (value.text === delimiter) break;
        if (value.newline === "") {
          throw new CommandFileError(
            `${file}: the value of ${name} does not end with a line break before its delimiter`,
          );
        }
        end = value.next - value.newline.length;
      }
      pairs.push([name, end > start ? text.slice(start, end) : ""]);
    } else {
      throw new CommandFileError(
        `${file}: invalid line ${JSON.stringify(line.text)} (expected name=value or name<<DELIMITER)`,
      );
    }
  }
  return pairs;
}

/** The directories of `$GITHUB_PATH`, in the order written. */
export function parsePathFile(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.replace(/\r$/, ""))
    .filter((line) => line.trim() !== "");
}
