import type Papa from "papaparse";
import { CsvError } from "../errors.ts";
import {
  DEFAULT_MAX_LIST_BYTES,
  DeletionFileBuilder,
  listTooLarge,
  type PreparedDeletionFile,
  type PrepareOptions,
} from "./builder.ts";
import { copyLine, type FieldSpan, findField, idBytes } from "./csv-bytes.ts";
import { MAX_USER_ID_LENGTH } from "./user-id.ts";

/**
 * What {@link prepareDeletionCsv} accepts: CSV or plain-list text, bytes, a Blob/File, a byte stream, or an
 * async iterable of byte chunks (a Node.js `Readable`, say). Each chunk is read before the next is asked
 * for, so an iterable may hand out one buffer again and again.
 */
export type CsvSource =
  | string
  | Uint8Array
  | ArrayBuffer
  | Blob
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array>;

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

// A line longer than this is not a list of user ids (ids are at most 256 characters).
const MAX_RECORD_CHARS = 1 << 20;
const NL = 10;
const CR = 13;
const encoder = new TextEncoder();
let papa: typeof Papa | undefined;
// Keeps a BOM that is not at the start of the file, as the id's own character.
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** A CSV source with a name for error messages, for merging several files. */
export interface NamedCsvSource {
  name?: string;
  source: CsvSource;
  /** Its size in bytes when `source` is a stream of known length: the output is then allocated once. */
  size?: number;
}

/**
 * Turns a CSV with a `USER_ID` column (or, with `headerless`, a plain list) into deletion files. The input
 * is read as a stream; rows of printable ASCII are read as bytes (quoted fields too) and the others as text,
 * quoted ones through papaparse. Several
 * files (each with its own header) can be merged into one list, duplicates removed across them.
 */
export async function prepareDeletionCsv(
  source: CsvSource | NamedCsvSource[],
  options: PrepareCsvOptions = {},
): Promise<PreparedCsv> {
  // Loaded on first use: importing the package (for the job operations alone) does not load papaparse.
  papa ??= (await import("papaparse")).default;
  const sources = Array.isArray(source) ? source : [{ source }];
  // Text, bytes and Blobs know their size; a stream's may be given with it.
  let size = 0;
  for (const { size: given, source: one } of sources)
    size += given ?? (one as Blob)?.size ?? (one as Uint8Array)?.byteLength ?? (one as string)?.length ?? 0;
  const builder = new DeletionFileBuilder(options, size);
  let rows = 0;
  const invalid: CsvError[] = [];
  const budget = {
    left: options.maxListBytes ?? DEFAULT_MAX_LIST_BYTES,
    max: options.maxListBytes ?? DEFAULT_MAX_LIST_BYTES,
  };
  for (const { name, source: one } of sources) {
    const reader = new CsvRecordReader(builder, options, name);
    await feed(reader, one, budget);
    reader.end();
    rows += reader.rows;
    invalid.push(...reader.invalid);
  }
  builder.flush();
  if (builder.userCount === 0) {
    if (invalid.length === 0) {
      throw new CsvError(rows === 0 ? "the file has a header but no user ids" : "the file holds no user ids");
    }
    return {
      files: [],
      userCount: 0,
      duplicateCount: builder.duplicateCount,
      bytes: 0,
      trimmedCount: builder.trimmedCount,
      rows,
      invalid,
    };
  }
  return { ...builder.finish(), rows, invalid };
}

// Reads a source into the reader, counting its bytes against the list's cap, so that a stream of unknown
// size is refused once it passes the cap instead of filling memory.
async function feed(
  reader: CsvRecordReader,
  source: CsvSource,
  budget: { left: number; max: number },
): Promise<void> {
  const push = (chunk: Uint8Array): void => {
    budget.left -= chunk.length;
    if (budget.left < 0) throw listTooLarge(budget.max, "more");
    reader.push(chunk);
  };
  if (typeof source === "string") return push(encoder.encode(source));
  if (source instanceof Uint8Array) return push(source);
  if (source instanceof ArrayBuffer) return push(new Uint8Array(source));
  // Streams (a Blob's too) are async iterables; leaving the loop early (at a bad line) cancels the stream,
  // so that what feeds it (a file, say) is closed.
  const chunks = typeof Blob !== "undefined" && source instanceof Blob ? source.stream() : source;
  if (typeof chunks !== "object" || !chunks || !(Symbol.asyncIterator in chunks)) {
    throw new CsvError(
      `the CSV source must be text, bytes, a Blob or a stream (async iterable), received ${typeof source}`,
    );
  }
  for await (const chunk of chunks as AsyncIterable<unknown>) {
    if (!(chunk instanceof Uint8Array)) {
      throw new CsvError(`the stream must yield Uint8Array chunks, received ${typeof chunk}`);
    }
    push(chunk);
  }
}

class CsvRecordReader {
  private readonly headerless: boolean | "auto";
  private readonly collect: boolean;
  private carry: Uint8Array | undefined;
  private line = 1;
  private pending = "";
  private pendingLine = 0;
  private column = -1;
  private width = 0;
  private readonly trimIds: boolean;
  private readonly span: FieldSpan = { from: 0, to: 0, comma: false };
  private read = 0;
  private base = 0;
  rows = 0;
  readonly invalid: CsvError[] = [];

  constructor(
    private readonly builder: DeletionFileBuilder,
    options: PrepareCsvOptions,
    private readonly name: string | undefined,
  ) {
    this.headerless = options.headerless ?? false;
    this.collect = options.invalidLines === "collect";
    this.trimIds = options.trimIds === true;
  }

  private fail(reason: string, line?: number): CsvError {
    return new CsvError(reason, line, this.name);
  }

  push(chunk: Uint8Array): void {
    // Where this chunk begins in the input: the builder sizes its index by the ids per input byte.
    this.base = this.read;
    this.read += chunk.length;
    let start = 0;
    if (this.carry) {
      const end = chunk.indexOf(NL);
      const joined = new Uint8Array(this.carry.length + (end === -1 ? chunk.length : end));
      joined.set(this.carry);
      joined.set(chunk.subarray(0, joined.length - this.carry.length), this.carry.length);
      this.carry = undefined;
      if (end === -1) {
        this.keep(joined);
        return;
      }
      this.onBytes(joined, 0, joined.length);
      start = end + 1;
    }
    for (;;) {
      // A row read as bytes finds its own line ending; the text path searches for it.
      if (this.pending === "" && this.column >= 0) {
        const stop = findField(chunk, start, chunk.length, this.column, this.width, this.span);
        if (stop >= 0 && stop < chunk.length && this.take(chunk, stop, this.line)) {
          this.line++;
          start = (chunk[stop] === NL ? stop : stop + 1) + 1;
          continue;
        }
      }
      const end = chunk.indexOf(NL, start);
      if (end === -1) break;
      this.onBytes(chunk, start, end);
      start = end + 1;
    }
    if (start < chunk.length) this.keep(chunk.slice(start));
  }

  // Holds the start of a line until its newline arrives.
  private keep(carry: Uint8Array): void {
    if (carry.length > MAX_RECORD_CHARS && this.pending === "") {
      throw this.fail(
        `the line is longer than ${MAX_RECORD_CHARS} bytes: this is not a list of user ids`,
        this.line,
      );
    }
    this.carry = carry;
  }

  /** Flushes the last line and checks the file as a whole. */
  end(): void {
    if (this.carry) this.onBytes(this.carry, 0, this.carry.length);
    this.carry = undefined;
    if (this.pending !== "")
      throw this.fail("a quoted field is never closed (unterminated quote)", this.pendingLine);
    if (this.column === -1) throw this.fail("the file is empty");
  }

  // Once the header is read, a row of printable ASCII with the right number of fields has its USER_ID
  // copied as bytes (`take`), never made a string. Every other line is decoded (which checks UTF-8) and
  // parsed as text, which also words the errors.
  private onBytes(data: Uint8Array, from: number, end: number): void {
    const lineNo = this.line++;
    let start = from;
    if (lineNo === 1 && data[start] === 0xef && data[start + 1] === 0xbb && data[start + 2] === 0xbf)
      start += 3;
    const stop = end > start && data[end - 1] === CR ? end - 1 : end;
    const bytes = this.pending === "" && this.column >= 0;
    if (bytes && findField(data, start, stop, this.column, this.width, this.span) === stop) {
      if (this.take(data, stop, lineNo)) return;
    }
    let text: string;
    try {
      text = utf8.decode(data.subarray(start, stop));
    } catch {
      const bom = lineNo === 1 && (data[start] === 0xff || data[start] === 0xfe);
      throw this.fail(
        `the file is not valid UTF-8${bom ? " (it starts with a UTF-16 byte order mark)" : ""}; save it as UTF-8`,
        lineNo,
      );
    }
    // The slow path: a quoted field may span lines, so the record is held until its quotes balance.
    const record = this.pending === "" ? text : `${this.pending}\n${text}`;
    const at = this.pending === "" ? lineNo : this.pendingLine;
    this.pending = "";
    // An odd number of quotes: the record goes on past this line.
    if (record.split('"').length % 2 === 0) {
      if (record.length > MAX_RECORD_CHARS)
        throw this.fail("a quoted field is never closed (unterminated quote)", at);
      this.pending = record;
      this.pendingLine = at;
      return;
    }
    try {
      this.onRecord(record.includes('"') ? parseQuoted(record, at) : record.split(","), at);
    } catch (error) {
      this.settle(error, at);
    }
  }

  // The id `findField` found in the row that ends at `stop`, trimmed under trimIds, copied into the output
  // as its line and hashed on the way. False when its id would be refused or trimmed to nothing: the text
  // path words those.
  private take(data: Uint8Array, stop: number, lineNo: number): boolean {
    const span = this.span;
    const raw = span.to - span.from;
    if (!idBytes(data, span, this.trimIds, MAX_USER_ID_LENGTH)) return false;
    this.rows++;
    const builder = this.builder;
    builder.inputRead = this.base + stop;
    if (span.to - span.from !== raw) builder.trimmedCount++;
    const length = span.to - span.from + (span.comma ? 3 : 1);
    const hash = copyLine(builder.room(length), builder.pos, data, span.from, span.to, span.comma);
    try {
      builder.commit(length, lineNo, hash);
    } catch (error) {
      this.settle(error, lineNo);
    }
    return true;
  }

  // A bad line is collected (under invalidLines: "collect") or thrown, named with its file.
  private settle(thrown: unknown, line: number): void {
    let error = thrown;
    if (error instanceof CsvError && this.name && !error.file) error = this.fail(error.reason, error.line);
    if (!(this.collect && error instanceof CsvError && error.line === line && this.column !== -1))
      throw error;
    this.invalid.push(error);
  }

  private onRecord(fields: string[], line: number): void {
    const only = fields.length === 1 ? (fields[0] as string) : undefined;
    if (this.column === -1) {
      // Before the header, a line of spaces is as blank as an empty one: it holds no id.
      if (only?.trim() === "") return;
      if (this.readHeader(fields, line)) return;
    }
    // After it, only an empty line is blank: a line of spaces is an id with whitespace, refused unless trimmed.
    if (only === "") return;
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
        `the header has no USER_ID column (found ${found.length > 100 ? `${found.slice(0, 97)}...` : found}); for a plain list of ids pass \`headerless\``,
        line,
      );
    }
    if (names.indexOf("USER_ID", at + 1) !== -1) throw this.fail("the header names USER_ID twice", line);
    this.column = at;
    this.width = fields.length;
    return true;
  }
}

function parseQuoted(record: string, line: number): string[] {
  const result = (papa as typeof Papa).parse<string[]>(record, { delimiter: ",", newline: "\n" });
  const error = result.errors[0];
  if (error) throw new CsvError(`malformed quoted field: ${error.message}`, line);
  if (result.data.length !== 1) throw new CsvError("malformed quoted field", line);
  return result.data[0] as string[];
}
