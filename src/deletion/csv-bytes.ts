// The byte-level reading of a deletion CSV's row, shared in idea with src/outside/csv-rows.ts: the USER_ID
// field is found where it lies in the input, with no string made for the row, and the row's end on the way
// (no indexOf per row). Only rows of printable ASCII
// whose fields are plain or wholly quoted (no `""` escape) are read here; anything else is left to the text
// path, which reads every CSV and words every error.

import { FNV_OFFSET, FNV_PRIME } from "./builder.ts";

const COMMA = 0x2c;
const NL = 10;
const CR = 13;
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
 * Reads the row from `start` up to its line ending (a newline, or a CR before one) or `limit`, finds field
 * `column` and checks that the row has `width` fields. Returns where the row's content ends (its line
 * ending, or `limit`), or -1, and the row is to be read as text, when the row has a byte outside printable
 * ASCII, a quote inside an unquoted field, a quoted field not followed by a comma or the row's end, a `""`
 * escape, a quoted field that does not end before `limit`, or another number of fields.
 */
export function findField(
  data: Uint8Array,
  start: number,
  limit: number,
  column: number,
  width: number,
  span: FieldSpan,
): number {
  let at = start;
  let field = 0;
  for (;;) {
    let from = at;
    let to = at;
    let comma = false;
    if (at < limit && data[at] === QUOTE) {
      from = ++at;
      for (;;) {
        if (at === limit) return -1;
        const b = data[at] as number;
        if (b === QUOTE) break;
        if (b < SPACE || b > TILDE) return -1;
        if (b === COMMA) comma = true;
        at++;
      }
      to = at++;
    } else {
      while (at < limit) {
        const b = data[at] as number;
        if (b === COMMA || b === NL || b === CR) break;
        if (b < SPACE || b > TILDE || b === QUOTE) return -1;
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
    const b = data[at];
    if (at < limit && b === COMMA) {
      // A comma that ends the row leaves one more (empty) field.
      at++;
      continue;
    }
    const end = at === limit || b === NL || (b === CR && at + 1 < limit && data[at + 1] === NL);
    return end && field === width ? at : -1;
  }
}

/**
 * Narrows the found field to its id: without its outer spaces under `trim`. False when the id is to be left
 * to the text path: empty (after trimming), longer than `max`, or with outer spaces kept (to be refused).
 */
export function idBytes(data: Uint8Array, span: FieldSpan, trim: boolean, max: number): boolean {
  let first = span.from;
  let last = span.to;
  if (trim) {
    while (first < last && data[first] === SPACE) first++;
    while (last > first && data[last - 1] === SPACE) last--;
  }
  if (first === last || last - first > max || data[first] === SPACE || data[last - 1] === SPACE) return false;
  span.from = first;
  span.to = last;
  return true;
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
