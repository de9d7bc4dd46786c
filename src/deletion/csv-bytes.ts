// The byte-level reading of a deletion CSV's row, shared in idea with src/outside/csv-rows.ts: the USER_ID
// field is found where it lies in the input, with no string made for the row. Only rows of printable ASCII
// whose fields are plain or wholly quoted (no `""` escape) are read here; anything else is left to the text
// path, which reads every CSV and words every error.

import { FNV_OFFSET, FNV_PRIME } from "./builder.ts";

const COMMA = 0x2c;
const NL = 10;
const QUOTE = 0x22;
const SPACE = 0x20;
const TILDE = 0x7e;

/** Where {@link findField} found the field: its value's bytes `[from, to)` and whether it holds a comma. */
export interface FieldSpan {
  from: number;
  to: number;
  comma: boolean;
}

/**
 * Finds field `column` of the row `data[start, stop)` (one line, its line ending left out) and checks that
 * the row has `width` fields. Returns false, and the row is to be read as text, when the row has a byte
 * outside printable ASCII, a quote inside an unquoted field, a quoted field that does not end on this line
 * or is not followed by a comma or the line's end, a `""` escape, or another number of fields.
 */
export function findField(
  data: Uint8Array,
  start: number,
  stop: number,
  column: number,
  width: number,
  span: FieldSpan,
): boolean {
  let at = start;
  let field = 0;
  for (;;) {
    let from = at;
    let to = at;
    let comma = false;
    if (data[at] === QUOTE && at < stop) {
      from = ++at;
      for (;;) {
        if (at === stop) return false;
        const b = data[at] as number;
        if (b === QUOTE) break;
        if (b < SPACE || b > TILDE) return false;
        if (b === COMMA) comma = true;
        at++;
      }
      to = at++;
      if (at < stop && data[at] !== COMMA) return false;
    } else {
      while (at < stop) {
        const b = data[at] as number;
        if (b === COMMA) break;
        if (b < SPACE || b > TILDE || b === QUOTE) return false;
        at++;
      }
      to = at;
    }
    if (field === column) {
      span.from = from;
      span.to = to;
      span.comma = comma;
    }
    field++;
    if (at === stop) return field === width;
    // Past the comma; a comma that ends the line leaves one more (empty) field.
    at++;
  }
}

/**
 * Writes the id `data[first, last)` as a deletion file's line at `buffer[at]` (in quotes when `quote`, as it
 * then holds a comma; newline-ended) and returns the line's hash for the duplicate index.
 */
export function copyLine(
  buffer: Uint8Array,
  at: number,
  data: Uint8Array,
  first: number,
  last: number,
  quote: boolean,
): number {
  let p = at;
  let hash = FNV_OFFSET;
  if (quote) {
    buffer[p++] = QUOTE;
    hash = Math.imul(hash ^ QUOTE, FNV_PRIME);
  }
  for (let k = first; k < last; k++) {
    const b = data[k] as number;
    buffer[p++] = b;
    hash = Math.imul(hash ^ b, FNV_PRIME);
  }
  if (quote) {
    buffer[p++] = QUOTE;
    hash = Math.imul(hash ^ QUOTE, FNV_PRIME);
  }
  buffer[p] = NL;
  return Math.imul(hash ^ NL, FNV_PRIME) >>> 0;
}
