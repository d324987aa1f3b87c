/** Where a command writes; tests pass their own. */
export interface Io {
  /** A line (a newline is added). */
  out(text: string): void;
  err(text: string): void;
  /** Text as it is, for formats with their own line endings (CSV's CRLF). */
  write(text: string): void;
}

export const consoleIo: Io = { out: (t) => console.log(t), err: (t) => console.error(t), write: (t) => void process.stdout.write(t) };
