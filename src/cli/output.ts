// Terminal output for the CLI: results on stdout (a table on a TTY, one JSON document with --json), logs
// and progress on stderr.

export interface Output {
  json: boolean;
  tty: boolean;
  /** Writes the command's result. */
  result(value: unknown, human: () => string): void;
  /** A log line on stderr. */
  info(message: string): void;
  /** A progress line: rewritten in place on a TTY, printed when it changes otherwise. */
  progress(message: string, key: string): void;
  /** Ends an in-place progress line. */
  done(): void;
  /** What the command has done so far, for the JSON document a failure prints. */
  partial?: unknown;
}

export function createOutput(options: { json: boolean; quiet?: boolean }): Output {
  const tty = Boolean(process.stderr.isTTY);
  let lastKey = "";
  let open = false;
  return {
    json: options.json,
    tty,
    result(value, human) {
      if (open) this.done();
      process.stdout.write(options.json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
    },
    info(message) {
      if (options.quiet) return;
      if (open) this.done();
      process.stderr.write(`${message}\n`);
    },
    progress(message, key) {
      if (options.quiet) return;
      if (tty) {
        process.stderr.write(`\r\x1b[2K${message}`);
        open = true;
      } else if (key !== lastKey) {
        process.stderr.write(`${message}\n`);
      }
      lastKey = key;
    },
    done() {
      if (open) process.stderr.write("\n");
      open = false;
    },
  };
}

/** Renders rows as an aligned text table. */
export function table(headers: string[], rows: (string | number | undefined)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === undefined ? "-" : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  return cells
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : (c ?? "").padEnd(widths[i] as number))).join("  "))
    .join("\n");
}

// Said the same way as the progress lines, which the core words.
export { duration, plural } from "../erasure/report.ts";
