import Papa from "papaparse";
import { DeletionFileBuilder, type PreparedDeletionFile, type PrepareOptions } from "./deletion-file.ts";
import { CsvError } from "./errors.ts";

/** What {@link prepareDeletionCsv} accepts: CSV or plain-list text, bytes, a Blob/File or a byte stream. */
export type CsvSource = string | Uint8Array | ArrayBuffer | Blob | ReadableStream<Uint8Array>;

/** Options of {@link prepareDeletionCsv}. */
export interface PrepareCsvOptions extends PrepareOptions {
  /**
   * `false` (default): the first row must be a header with a `USER_ID` column. `true`: the file is a plain
   * list, one id per line, no header. `"auto"`: a header when the first row has a `USER_ID` field, else a list.
   */
  headerless?: boolean | "auto";
  /** `"throw"` (default) stops at the first bad line; `"collect"` skips bad lines and lists them in `invalid`. */
  invalidLines?: "throw" | "collect";
}

/** The prepared deletion file(s) and what was seen on the way. */
export interface PreparedCsv extends PreparedDeletionFile {
  /** Data rows read (not counting the header and blank lines). */
  rows: number;
  /** Bad lines skipped under `invalidLines: "collect"` (empty otherwise). */
  invalid: CsvError[];
}

// A line longer than this without a newline is not a list of user ids (ids are at most 256 characters).
const MAX_RECORD_CHARS = 1 << 20;

/** A CSV source with a name for error messages, for merging several files. */
export interface NamedCsvSource {
  name?: string;
  source: CsvSource;
}

/**
 * Turns a CSV with a `USER_ID` column (or, with `headerless`, a plain list) into deletion files. The input
 * is read as a stream; rows without quotes take a fast path and quoted rows go through papaparse. Several
 * files (each with its own header) can be merged into one list, duplicates removed across them.
 */
export async function prepareDeletionCsv(
  source: CsvSource | NamedCsvSource[],
  options: PrepareCsvOptions = {},
): Promise<PreparedCsv> {
  const builder = new DeletionFileBuilder(options);
  const sources = Array.isArray(source) ? source : [{ source }];
  let rows = 0;
  const invalid: CsvError[] = [];
  for (const { name, source: one } of sources) {
    const reader = new CsvRecordReader(builder, options, name);
    await feed(reader, one);
    reader.end();
    rows += reader.rows;
    invalid.push(...reader.invalid);
  }
  if (builder.userCount === 0) {
    if (invalid.length === 0) {
      throw new CsvError(rows === 0 ? "the file has a header but no user ids" : "the file holds no user ids");
    }
    return { files: [], userCount: 0, duplicateCount: builder.duplicateCount, bytes: 0, rows, invalid };
  }
  return { ...builder.finish(), rows, invalid };
}

async function feed(reader: CsvRecordReader, source: CsvSource): Promise<void> {
  if (typeof source === "string") {
    reader.push(source.charCodeAt(0) === 0xfeff ? source.slice(1) : source);
    return;
  }
  const decoder = new TextDecoder("utf-8", { fatal: true });
  for await (const chunk of byteChunks(source)) {
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch (cause) {
      throw reader.utf8Error(chunk, cause);
    }
    reader.push(text);
  }
  try {
    reader.push(decoder.decode());
  } catch (cause) {
    throw reader.utf8Error(new Uint8Array(0), cause);
  }
}

async function* byteChunks(source: Exclude<CsvSource, string>): AsyncGenerator<Uint8Array> {
  if (source instanceof Uint8Array) {
    yield source;
  } else if (source instanceof ArrayBuffer) {
    yield new Uint8Array(source);
  } else if (typeof Blob !== "undefined" && source instanceof Blob) {
    yield* streamChunks(source.stream() as ReadableStream<Uint8Array>);
  } else if (source && typeof (source as ReadableStream).getReader === "function") {
    yield* streamChunks(source as ReadableStream<Uint8Array>);
  } else {
    throw new CsvError(
      `the CSV source must be a string, bytes, a Blob or a ReadableStream, received ${typeof source}`,
    );
  }
}

async function* streamChunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      if (!(value instanceof Uint8Array)) throw new CsvError("the stream must yield Uint8Array chunks");
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

class CsvRecordReader {
  private readonly headerless: boolean | "auto";
  private readonly collect: boolean;
  private carry = "";
  private line = 1;
  private pending = "";
  private pendingLine = 0;
  private column = -1;
  private width = 0;
  rows = 0;
  readonly invalid: CsvError[] = [];

  constructor(
    private readonly builder: DeletionFileBuilder,
    options: PrepareCsvOptions,
    private readonly name: string | undefined,
  ) {
    this.headerless = options.headerless ?? false;
    this.collect = options.invalidLines === "collect";
  }

  private fail(reason: string, line?: number): CsvError {
    return new CsvError(reason, line, this.name);
  }

  push(text: string): void {
    if (text === "") return;
    const data = this.carry === "" ? text : this.carry + text;
    let start = 0;
    for (let end = data.indexOf("\n"); end !== -1; end = data.indexOf("\n", start)) {
      this.onLine(data.slice(start, end));
      start = end + 1;
    }
    this.carry = data.slice(start);
    if (this.carry.length > MAX_RECORD_CHARS && this.pending === "") {
      throw this.fail(
        `the line is longer than ${MAX_RECORD_CHARS} characters: this is not a list of user ids`,
        this.line,
      );
    }
  }

  /** Flushes the last line and checks the file as a whole. */
  end(): void {
    if (this.carry !== "") this.onLine(this.carry);
    this.carry = "";
    if (this.pending !== "")
      throw this.fail("a quoted field is never closed (unterminated quote)", this.pendingLine);
    if (this.column === -1) throw this.fail("the file is empty");
  }

  utf8Error(chunk: Uint8Array, cause: unknown): CsvError {
    const bad = firstInvalidUtf8(chunk);
    let line = this.line;
    for (let i = 0; i < bad; i++) if (chunk[i] === 10) line++;
    const bom = chunk[0] === 0xff || chunk[0] === 0xfe ? " (it starts with a UTF-16 byte order mark)" : "";
    const error = this.fail(`the file is not valid UTF-8${bom}; save it as UTF-8`, line);
    (error as { cause?: unknown }).cause = cause;
    return error;
  }

  private onLine(raw: string): void {
    const lineNo = this.line++;
    const text = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (this.pending !== "") {
      this.pending += `\n${text}`;
      if (countQuotes(this.pending) % 2 === 0) {
        const record = this.pending;
        this.pending = "";
        this.guard(this.pendingLine, () =>
          this.onRecord(parseQuoted(record, this.pendingLine), this.pendingLine),
        );
      } else if (this.pending.length > MAX_RECORD_CHARS) {
        throw this.fail("a quoted field is never closed (unterminated quote)", this.pendingLine);
      }
      return;
    }
    if (!text.includes('"')) {
      this.guard(lineNo, () => this.onRecord(text.split(","), lineNo));
    } else if (countQuotes(text) % 2 === 1) {
      this.pending = text;
      this.pendingLine = lineNo;
    } else {
      this.guard(lineNo, () => this.onRecord(parseQuoted(text, lineNo), lineNo));
    }
  }

  private guard(line: number, step: () => void): void {
    try {
      step();
    } catch (thrown) {
      let error = thrown;
      if (error instanceof CsvError && this.name && !error.file) error = this.fail(error.reason, error.line);
      if (!(this.collect && error instanceof CsvError && error.line === line && this.column !== -1))
        throw error;
      this.invalid.push(error);
    }
  }

  private onRecord(fields: string[], line: number): void {
    const blank = fields.length === 1 && (fields[0] as string).trim() === "";
    if (this.column === -1) {
      if (blank) return;
      if (this.readHeader(fields, line)) return;
    }
    if (blank) return;
    this.rows++;
    if (fields.length !== this.width) {
      const hint = fields.length > this.width ? " (quote ids that contain a comma)" : "";
      throw this.fail(
        `found ${fields.length} fields where ${this.width} ${this.width === 1 ? "is" : "are"} expected${hint}`,
        line,
      );
    }
    this.builder.add(fields[this.column] as string, line);
  }

  // Sets the id column from the first row; returns whether that row was a header.
  private readHeader(fields: string[], line: number): boolean {
    const names = fields.map((f) => f.trim().toUpperCase());
    const at = names.indexOf("USER_ID");
    if (this.headerless === true || (this.headerless === "auto" && at === -1)) {
      this.column = 0;
      this.width = 1;
      return false;
    }
    if (at === -1) {
      const found = fields.map((f) => JSON.stringify(f.trim())).join(", ");
      throw this.fail(
        `the header has no USER_ID column (found ${found.length > 100 ? `${found.slice(0, 97)}...` : found}); for a plain list of ids pass headerless`,
        line,
      );
    }
    if (names.indexOf("USER_ID", at + 1) !== -1) throw this.fail("the header names USER_ID twice", line);
    this.column = at;
    this.width = fields.length;
    return true;
  }
}

function countQuotes(text: string): number {
  let n = 0;
  for (let i = text.indexOf('"'); i !== -1; i = text.indexOf('"', i + 1)) n++;
  return n;
}

function parseQuoted(record: string, line: number): string[] {
  const result = Papa.parse<string[]>(record, {
    delimiter: ",",
    newline: "\n",
    header: false,
    skipEmptyLines: false,
  });
  const error = result.errors[0];
  if (error) throw new CsvError(`malformed quoted field: ${error.message}`, line);
  if (result.data.length !== 1) throw new CsvError("malformed quoted field", line);
  return result.data[0] as string[];
}

/** Offset of the first byte that breaks UTF-8, or the length when there is none. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    const n =
      b < 0x80 ? 0 : b >= 0xc2 && b < 0xe0 ? 1 : b >= 0xe0 && b < 0xf0 ? 2 : b >= 0xf0 && b < 0xf5 ? 3 : -1;
    if (n === -1) return i;
    for (let k = 1; k <= n; k++) {
      const c = bytes[i + k];
      if (c === undefined) return i;
      if ((c & 0xc0) !== 0x80) return i;
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF (RFC 3629's table of valid ranges).
    const second = bytes[i + 1] as number;
    if ((b === 0xe0 && second < 0xa0) || (b === 0xed && second >= 0xa0)) return i;
    if ((b === 0xf0 && second < 0x90) || (b === 0xf4 && second >= 0x90)) return i;
    i += n + 1;
  }
  return bytes.length;
}
