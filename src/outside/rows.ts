// The streaming driver shared by the CSV and JSON lines filters: bytes in, rows cut by a format's reader,
// each row kept as its original bytes, dropped, or replaced. Only the one unfinished row is carried from a
// chunk to the next, so memory is bounded by the chunk and the longest row, whatever the input's size.
// Not exported from the package yet: a later session wires src/outside/ into the erasure (issue #23).
import { UnreadableError } from "./errors.ts";

/** What a reader decided about the row it last read. */
export const KEEP = 0;
export const DROP = 1;
export const REPLACE = 2;

/** One format's row reader; it counts what it reads. */
export interface RowReader {
  /**
   * Reads the row starting at `start` of `bytes` and returns the index just past it (its line ending
   * included), or -1 when the row does not end within `bytes` and `final` is false. Sets `verdict` (and
   * `replacement` for {@link REPLACE}); counts only rows it returns an end for.
   */
  read(bytes: Uint8Array, start: number, final: boolean): number;
  verdict: number;
  replacement: Uint8Array | undefined;
}

/** Options of a scan or a scrub. */
export interface RowOptions {
  /**
   * The longest row (in bytes) held while waiting for its end; a longer one is refused as unreadable
   * instead of growing without bound (an unclosed quote would otherwise hold the rest of the input).
   * Default 16 MiB.
   */
  maxRowBytes?: number;
}

const NEWLINE = 10;

/** Feeds chunks through a reader; `emit` receives the output of a scrub (absent for a scan). */
export class RowDriver {
  private carry: Uint8Array = new Uint8Array(0);
  private readonly maxRowBytes: number;

  constructor(
    private readonly reader: RowReader,
    private readonly emit: ((bytes: Uint8Array) => void) | undefined,
    options: RowOptions = {},
  ) {
    this.maxRowBytes = options.maxRowBytes ?? 16 * 1024 * 1024;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.carry.length === 0) {
      this.run(chunk, 0, false);
      return;
    }
    // The carried row usually ends at the chunk's first newline: join only that much, not the whole chunk.
    const newline = chunk.indexOf(NEWLINE);
    if (newline >= 0) {
      const head = concat(this.carry, chunk.subarray(0, newline + 1));
      const end = this.reader.read(head, 0, false);
      if (end === head.length) {
        this.carry = new Uint8Array(0);
        this.out(head, 0, end);
        this.run(chunk, newline + 1, false);
        return;
      }
    }
    const joined = concat(this.carry, chunk);
    this.carry = new Uint8Array(0);
    this.run(joined, 0, false);
  }

  /** Reads what is left: the last row, which has no line ending. */
  finish(): void {
    const rest = this.carry;
    this.carry = new Uint8Array(0);
    if (rest.length > 0) this.run(rest, 0, true);
  }

  private run(bytes: Uint8Array, from: number, final: boolean): void {
    const reader = this.reader;
    const emit = this.emit;
    let at = from;
    // Kept rows go out as views of the input, one per run of them: no copy here. A copy per chunk (or a
    // compaction into one) cost more than the scan itself, in fresh memory the collector was slow to reuse;
    // the consumer copies anyway, into the part it uploads.
    let kept = from;
    while (at < bytes.length) {
      const end = reader.read(bytes, at, final);
      if (end < 0) break;
      if (reader.verdict !== KEEP && emit) {
        if (at > kept) emit(bytes.subarray(kept, at));
        if (reader.verdict === REPLACE && reader.replacement) emit(reader.replacement);
        kept = end;
      }
      at = end;
    }
    if (emit && at > kept) emit(bytes.subarray(kept, at));
    if (at < bytes.length) {
      if (bytes.length - at > this.maxRowBytes) {
        throw new UnreadableError(
          `a row is longer than ${this.maxRowBytes} bytes (maxRowBytes) or never ends (an unclosed quote?)`,
        );
      }
      // A copy, so that the carry does not keep the whole chunk alive.
      this.carry = bytes.slice(at);
    }
  }

  private out(bytes: Uint8Array, start: number, end: number): void {
    if (!this.emit) return;
    if (this.reader.verdict === KEEP) this.emit(bytes.subarray(start, end));
    else if (this.reader.verdict === REPLACE && this.reader.replacement) this.emit(this.reader.replacement);
  }
}

/**
 * A scrub as a stream: every row the reader keeps, byte for byte, in order. Its chunks are views of the
 * input's chunks (no copy), so a source must not reuse a chunk's memory once enqueued (default readers
 * never do).
 */
export function scrubTransform(
  reader: RowReader,
  options?: RowOptions,
): TransformStream<Uint8Array, Uint8Array> {
  let driver: RowDriver;
  return new TransformStream<Uint8Array, Uint8Array>({
    start(controller) {
      driver = new RowDriver(reader, (bytes) => controller.enqueue(bytes), options);
    },
    transform(chunk) {
      driver.push(chunk);
    },
    flush() {
      driver.finish();
    },
  });
}

/** Reads a whole stream through the reader without writing anything. */
export async function scanStream(
  input: ReadableStream<Uint8Array>,
  reader: RowReader,
  options?: RowOptions,
): Promise<void> {
  const driver = new RowDriver(reader, undefined, options);
  const source = input.getReader();
  try {
    for (;;) {
      const { done, value } = await source.read();
      if (done) break;
      driver.push(value);
    }
    driver.finish();
  } catch (error) {
    await source.cancel().catch(() => {});
    throw error;
  } finally {
    source.releaseLock();
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const joined = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    joined.set(part, at);
    at += part.length;
  }
  return joined;
}
