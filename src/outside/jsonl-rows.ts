// The JSON lines row reader, for Personalize's batch files: inference input `{"userId":…}`, inference output
// `{"input":{"userId":…},"output":…}` (the line is the user's: dropped whole) and segment output
// `{"input":{"itemId":…},"output":{"recommendedUsers":[…]}}` (the users are entries: removed from the list,
// only that line re-serialised). A line is parsed only when a byte test says it may hold an erased id.
import { UnreadableError } from "./errors.ts";
import { DROP, KEEP, REPLACE, type RowOptions, type RowReader, scanStream, scrubTransform } from "./rows.ts";
import type { UserMatcher } from "./types.ts";

const QUOTE = 34;
const BACKSLASH = 92;
const NEWLINE = 10;
const CR = 13;
const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** What a scan of JSON lines counted. */
export interface JsonlCount {
  /** Non-blank lines. */
  rows: number;
  /** Lines that refer to an erased user (by `userId`, `input.userId`, or in `recommendedUsers`). */
  matching: number;
  /** Erased users' entries in `recommendedUsers` lists. */
  entries: number;
}

/** Reads JSON lines; exported for the drivers, not the public surface. */
export class JsonlRowReader implements RowReader {
  verdict = KEEP;
  replacement: Uint8Array | undefined;
  rows = 0;
  matching = 0;
  entries = 0;
  private line = 0;

  constructor(private readonly ids: UserMatcher) {}

  read(bytes: Uint8Array, start: number, final: boolean): number {
    const newline = bytes.indexOf(NEWLINE, start);
    if (newline < 0 && !final) return -1;
    const lineEnd = newline < 0 ? bytes.length : newline + 1;
    let last = newline < 0 ? bytes.length : newline;
    if (last > start && bytes[last - 1] === CR) last--;
    let from = start;
    if (this.line++ === 0 && bytes[from] === 0xef && bytes[from + 1] === 0xbb && bytes[from + 2] === 0xbf) {
      from += 3;
    }
    this.verdict = KEEP;
    this.replacement = undefined;
    if (blank(bytes, from, last)) return lineEnd;
    this.rows++;
    if (!this.mayHold(bytes, from, last)) return lineEnd;
    let value: unknown;
    try {
      value = JSON.parse(decoder.decode(bytes.subarray(from, last)));
    } catch {
      throw new UnreadableError("the line is not JSON (JSON lines hold one JSON value per line)", this.line);
    }
    const row = value as {
      userId?: unknown;
      input?: { userId?: unknown };
      output?: { recommendedUsers?: unknown };
    };
    const user = typeof row === "object" && row !== null ? (row.userId ?? row.input?.userId) : undefined;
    if (typeof user === "string" && this.ids.has(user)) {
      this.matching++;
      this.verdict = DROP;
      return lineEnd;
    }
    const list = row?.output?.recommendedUsers;
    if (!Array.isArray(list) || row.output === undefined) return lineEnd;
    const kept = list.filter((entry) => typeof entry !== "string" || !this.ids.has(entry));
    if (kept.length === list.length) return lineEnd;
    this.matching++;
    this.entries += list.length - kept.length;
    row.output.recommendedUsers = kept;
    // The same line with the list shortened: its byte order mark and line ending as they were.
    const json = encoder.encode(JSON.stringify(row));
    const replacement = new Uint8Array(from - start + json.length + lineEnd - last);
    replacement.set(bytes.subarray(start, from));
    replacement.set(json, from - start);
    replacement.set(bytes.subarray(last, lineEnd), from - start + json.length);
    this.replacement = replacement;
    this.verdict = REPLACE;
    return lineEnd;
  }

  /**
   * False only when the line cannot hold an erased id: it has no backslash (so every JSON string is its
   * bytes between two quotes) and none of its strings is an erased id.
   */
  private mayHold(bytes: Uint8Array, start: number, end: number): boolean {
    // One pass over the line's bytes: an indexOf per string cost more than the strings' own lookups.
    let open = -1;
    for (let i = start; i < end; i++) {
      const b = bytes[i] as number;
      if (b === BACKSLASH) return true;
      if (b !== QUOTE) continue;
      if (open < 0) open = i;
      else {
        if (this.ids.hasBytes(bytes, open + 1, i)) return true;
        open = -1;
      }
    }
    // An unclosed string: not JSON, which the parse says.
    return open >= 0;
  }
}

// Whitespace only (JSON's: space, tab, CR, LF).
function blank(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const b = bytes[i];
    if (b !== 32 && b !== 9 && b !== CR && b !== NEWLINE) return false;
  }
  return true;
}

/** Counts the JSON lines of a stream and those that refer to a user in `ids`; writes nothing. */
export async function scanJsonl(
  input: ReadableStream<Uint8Array>,
  ids: UserMatcher,
  options?: RowOptions,
): Promise<JsonlCount> {
  const reader = new JsonlRowReader(ids);
  await scanStream(input, reader, options);
  return { rows: reader.rows, matching: reader.matching, entries: reader.entries };
}

/**
 * A stream that passes every JSON line byte for byte but those of erased users (left out) and segment lines
 * whose `recommendedUsers` hold erased users (re-serialised without them). `count()` tells what it read.
 */
export function scrubJsonl(
  ids: UserMatcher,
  options?: RowOptions,
): TransformStream<Uint8Array, Uint8Array> & { count(): JsonlCount } {
  const reader = new JsonlRowReader(ids);
  const stream = scrubTransform(reader, options);
  return Object.assign(stream, {
    count: () => ({ rows: reader.rows, matching: reader.matching, entries: reader.entries }),
  });
}
