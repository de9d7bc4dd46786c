// The CSV row reader: finds the `USER_ID` column by the header and decides each row by that field's bytes,
// read where they lie in the input. A row without a quote takes the fast path (walk to the column's
// commas, one lookup); a row with one is walked field by field (quoted fields, `""` escapes, newlines
// inside quotes). Rows are never decoded to strings.

import { UnreadableError } from "./errors.ts";
import { DROP, KEEP, type RowOptions, type RowReader, scanStream, scrubTransform } from "./rows.ts";
import type { UserMatcher } from "./types.ts";

const QUOTE = 34;
const COMMA = 44;
const NEWLINE = 10;
const CR = 13;
const decoder = new TextDecoder();

/** What a scan counted. */
export interface RowCount {
  /** Data rows (the header and empty lines are not rows). */
  rows: number;
  /** Rows whose user is an erased one. */
  matching: number;
}

/** Reads CSV rows; exported for the drivers, not the public surface. */
export class CsvRowReader implements RowReader {
  verdict = KEEP;
  replacement: Uint8Array | undefined;
  rows = 0;
  matching = 0;
  private column = -1;
  // The next quote at or after some position of `quoteIn`, so that each row does not search again.
  private quoteIn: Uint8Array | undefined;
  private quoteAt = -1;
  private scratch = new Uint8Array(256);
  // Where the walk of the last quoted row found the USER_ID field (value bytes maybe unquoted in scratch).
  private fieldStart = -1;
  private fieldEnd = -1;
  private fieldInScratch = false;

  constructor(private readonly ids: UserMatcher) {}

  read(bytes: Uint8Array, start: number, final: boolean): number {
    if (this.column >= 0) {
      const end = this.fast(bytes, start);
      if (end >= 0) return end;
    }
    const newline = bytes.indexOf(NEWLINE, start);
    if (newline < 0 && !final) return -1;
    const lineEnd = newline < 0 ? bytes.length : newline + 1;
    if (this.column < 0) return this.header(bytes, start, final);
    if (this.quoteIn !== bytes || (this.quoteAt < start && this.quoteAt !== -2)) {
      this.quoteIn = bytes;
      this.quoteAt = bytes.indexOf(QUOTE, start);
      if (this.quoteAt < 0) this.quoteAt = -2;
    }
    if (this.quoteAt === -2 || this.quoteAt >= lineEnd) return this.plain(bytes, start, lineEnd);
    return this.quoted(bytes, start, final);
  }

  // A row without any quote, read in one pass: commas counted to the column, its field, then the rest of the
  // line. Returns -1 (nothing counted) when the row has a quote or does not end within `bytes`, for the
  // general path to read it. A call per row to indexOf cost more than this walk.
  private fast(bytes: Uint8Array, start: number): number {
    const length = bytes.length;
    let at = start;
    let b = 0;
    for (let k = this.column; k > 0; k--) {
      while (at < length) {
        b = bytes[at] as number;
        if (b === COMMA || b === NEWLINE || b === QUOTE) break;
        at++;
      }
      if (at === length || b !== COMMA) {
        // A line with fewer fields than the header's column: no user, kept (or a quote: the general path).
        if (b !== NEWLINE || at === length) return -1;
        return this.short(bytes, start, at);
      }
      at++;
    }
    const from = at;
    while (at < length) {
      b = bytes[at] as number;
      if (b === COMMA || b === NEWLINE || b === QUOTE) break;
      at++;
    }
    if (at === length || b === QUOTE) return -1;
    let fieldEnd = at;
    while (b !== NEWLINE) {
      if (++at === length) return -1;
      b = bytes[at] as number;
      if (b === QUOTE) return -1;
    }
    // A CR before the newline is the line ending's, and not the field's when the field ends the line.
    if (fieldEnd === at && fieldEnd > from && bytes[fieldEnd - 1] === CR) fieldEnd--;
    this.verdict = KEEP;
    if (at === start || (at === start + 1 && bytes[start] === CR)) return at + 1;
    this.rows++;
    if (this.ids.hasBytes(bytes, from, fieldEnd)) {
      this.matching++;
      this.verdict = DROP;
    }
    return at + 1;
  }

  // A line that ends before the column: an empty line is no row, any other is a row without the field.
  private short(bytes: Uint8Array, start: number, newline: number): number {
    this.verdict = KEEP;
    if (newline === start || (newline === start + 1 && bytes[start] === CR)) return newline + 1;
    this.rows++;
    return newline + 1;
  }

  // A row without any quote that the fast path left (the last one, without a line ending).
  private plain(bytes: Uint8Array, start: number, lineEnd: number): number {
    let last = lineEnd;
    if (last > start && bytes[last - 1] === NEWLINE) last--;
    if (last > start && bytes[last - 1] === CR) last--;
    this.verdict = KEEP;
    if (last === start) return lineEnd;
    this.rows++;
    let at = start;
    for (let k = this.column; k > 0; k--) {
      while (at < last && bytes[at] !== COMMA) at++;
      if (at === last) return lineEnd;
      at++;
    }
    let end = at;
    while (end < last && bytes[end] !== COMMA) end++;
    if (this.ids.hasBytes(bytes, at, end)) {
      this.matching++;
      this.verdict = DROP;
    }
    return lineEnd;
  }

  private quoted(bytes: Uint8Array, start: number, final: boolean): number {
    const end = this.walk(bytes, start, final, this.column);
    if (end < 0) return -1;
    this.rows++;
    this.verdict = KEEP;
    if (this.fieldStart < 0) return end;
    const source = this.fieldInScratch ? this.scratch : bytes;
    if (this.ids.hasBytes(source, this.fieldStart, this.fieldEnd)) {
      this.matching++;
      this.verdict = DROP;
    }
    return end;
  }

  // The header: the fields are compared with `USER_ID` exactly, after a byte order mark.
  private header(bytes: Uint8Array, start: number, final: boolean): number {
    let from = start;
    if (bytes[from] === 0xef && bytes[from + 1] === 0xbb && bytes[from + 2] === 0xbf) from += 3;
    const names: string[] = [];
    const end = this.walk(bytes, from, final, -1, names);
    if (end < 0) return -1;
    this.column = names.indexOf("USER_ID");
    if (this.column < 0) {
      throw new UnreadableError(
        `the CSV header has ${names.length} field(s) and none is named USER_ID (exactly, as Personalize names it)`,
        1,
      );
    }
    this.verdict = KEEP;
    return end;
  }

  /**
   * Walks one row field by field from `start`; returns the index past its line ending, or -1 when it does
   * not end in `bytes` (and `final` is false). Sets the field `column`'s value range; fills `names` with
   * every field's value when given.
   */
  private walk(bytes: Uint8Array, start: number, final: boolean, column: number, names?: string[]): number {
    const length = bytes.length;
    let at = start;
    this.fieldStart = -1;
    for (let field = 0; ; field++) {
      let valueStart = at;
      let valueEnd = at;
      let escaped = false;
      const quoted = bytes[at] === QUOTE;
      if (quoted) {
        let q = at + 1;
        for (;;) {
          q = bytes.indexOf(QUOTE, q);
          if (q < 0) {
            if (!final) return -1;
            q = length;
            break;
          }
          if (q + 1 === length && !final) return -1;
          if (bytes[q + 1] !== QUOTE) break;
          escaped = true;
          q += 2;
        }
        valueStart = at + 1;
        valueEnd = q;
        at = Math.min(q + 1, length);
      }
      let tail = at;
      while (at < length && bytes[at] !== COMMA && bytes[at] !== NEWLINE) at++;
      if (at === length && !final) return -1;
      // A CR just before the line's end belongs to the line ending, not to the value.
      let tailEnd = at;
      if ((at === length || bytes[at] === NEWLINE) && tailEnd > tail && bytes[tailEnd - 1] === CR) tailEnd--;
      if (!quoted) {
        valueEnd = tailEnd;
        tail = tailEnd;
      }
      if (field === column || names) this.value(bytes, valueStart, valueEnd, escaped, tail, tailEnd, names);
      if (at < length && bytes[at] === COMMA) {
        at++;
        continue;
      }
      return at === length ? length : at + 1;
    }
  }

  // Records a field's value: in place when it needs no unquoting, else unquoted into `scratch`.
  private value(
    bytes: Uint8Array,
    start: number,
    end: number,
    escaped: boolean,
    tail: number,
    tailEnd: number,
    names?: string[],
  ): void {
    const extra = tailEnd - tail;
    if (!escaped && extra === 0) {
      if (names) names.push(decoder.decode(bytes.subarray(start, end)));
      else [this.fieldStart, this.fieldEnd, this.fieldInScratch] = [start, end, false];
      return;
    }
    if (this.scratch.length < end - start + extra) this.scratch = new Uint8Array(2 * (end - start + extra));
    let n = 0;
    for (let i = start; i < end; i++) {
      this.scratch[n++] = bytes[i] as number;
      if (escaped && bytes[i] === QUOTE && bytes[i + 1] === QUOTE) i++;
    }
    // Bytes after a closing quote (malformed CSV) count as part of the value.
    for (let i = tail; i < tail + extra; i++) this.scratch[n++] = bytes[i] as number;
    if (names) names.push(decoder.decode(this.scratch.subarray(0, n)));
    else [this.fieldStart, this.fieldEnd, this.fieldInScratch] = [0, n, true];
  }
}

/** Counts the rows of a CSV stream and those whose `USER_ID` is in `ids`; writes nothing. */
export async function scanCsv(
  input: ReadableStream<Uint8Array>,
  ids: UserMatcher,
  options?: RowOptions,
): Promise<RowCount> {
  const reader = new CsvRowReader(ids);
  await scanStream(input, reader, options);
  return { rows: reader.rows, matching: reader.matching };
}

/**
 * A stream that passes every CSV row whose `USER_ID` is not in `ids` byte for byte (header, quoting, line
 * endings and order as they were) and leaves the others out. `count()` tells what it read, once it is done.
 */
export function scrubCsv(
  ids: UserMatcher,
  options?: RowOptions,
): TransformStream<Uint8Array, Uint8Array> & { count(): RowCount } {
  const reader = new CsvRowReader(ids);
  const stream = scrubTransform(reader, options);
  return Object.assign(stream, { count: () => ({ rows: reader.rows, matching: reader.matching }) });
}
