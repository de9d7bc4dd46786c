// The deletion file's builder: ids written once into one byte buffer, duplicates found by a compact
// index over it, the list cut into files under the size cap.
import { CsvError } from "../errors.ts";
import { userIdProblem } from "./user-id.ts";

/** A deletion file ready to upload: `USER_ID` header, one unique id per line, `\n` endings, UTF-8, no BOM. */
export interface PreparedDeletionFile {
  /** One file, or several when the list is larger than `maxFileBytes`. */
  files: Uint8Array[];
  /** Unique user ids across all files. */
  userCount: number;
  /** Ids dropped because they were seen before. */
  duplicateCount: number;
  /** Total size of `files`. */
  bytes: number;
  /** Ids that had leading or trailing whitespace removed under `trimIds` (0 otherwise). */
  trimmedCount?: number;
}

/** Options shared by the serializer and the CSV preparer. */
export interface PrepareOptions {
  /** Largest file to produce; a longer list is split. Default 50 MB, the guide's cap per deletion job. */
  maxFileBytes?: number;
  /**
   * Remove leading and trailing whitespace from each id before it is erased (default `false`: such an id is
   * refused, because Personalize stores ids exactly and the trimmed id is another user). The count of ids
   * changed is returned as `trimmedCount` and recorded in the receipt.
   */
  trimIds?: boolean;
  /**
   * The largest list to prepare, in bytes of input (and of output): a larger one is refused with a
   * {@link CsvError} (before it is read when its size is known) rather than held in memory. Default 1 GB.
   */
  maxListBytes?: number;
}

/**
 * The largest deletion file by default: below the guide's 50 MB cap on a job's input read either way (50 MiB
 * or 50,000,000 bytes; older pages say 100 MB), with a margin.
 */
export const DEFAULT_MAX_FILE_BYTES = 49_000_000;
/**
 * The largest list prepared by default (10^9 bytes, about 20 jobs of the default file size). The whole list
 * is held in memory to remove duplicates across its files (about 3.5 times its size at the peak), so a
 * larger one is refused with a clear error instead of exhausting memory: split it into several runs.
 */
export const DEFAULT_MAX_LIST_BYTES = 1_000_000_000;

/** The error for a list over `maxListBytes`. */
export function listTooLarge(maxListBytes: number, received: number | string): CsvError {
  return new CsvError(
    `the list is larger than ${maxListBytes} bytes (received ${received}); the whole list is held in memory to remove duplicates, so split it into several runs or raise the limit`,
  );
}

const HEADER = new TextEncoder().encode("USER_ID\n");
const NEWLINE = 10;
// Room for the longest line (256 characters, quoted, 4 bytes each at most) and a header past the hint.
const SLACK = 2048;
const BATCH = 64;
const encoder = new TextEncoder();

/**
 * Builds deletion files with exact duplicate removal. Every line is written once into one byte buffer that
 * holds all the files one after the other; the duplicate index is an open-addressing table of (offset,
 * hash) pairs into it, so memory grows with the output and a small table, not with one JS string per id.
 */
export class DeletionFileBuilder {
  private readonly maxFileBytes: number;
  // Where each file starts in `buffer`.
  private readonly starts = [0];
  /** The output. A writer asks for `room`, writes a line at `pos`, then `commit`s it. */
  buffer: Uint8Array;
  pos = HEADER.length;
  // Entry i is table[2i] (offset of its line + 1, 0 when free) and table[2i + 1] (its hash), side by side
  // so that a probe touches one cache line.
  private table = new Uint32Array(2 << 12);
  private size = 0;
  // Lines written but not yet settled: (offset, length, hash) each.
  private readonly batch = new Uint32Array(3 * BATCH);
  private batched = 0;
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: written so the engine keeps the loads in flush
  private touched = 0;
  userCount = 0;
  duplicateCount = 0;
  trimmedCount = 0;
  /**
   * Bytes of input read so far, when a reader keeps it (the CSV reader does): the index is then sized for
   * the whole input from the ids per input byte, instead of per output byte, which counts a CSV's other
   * columns as more ids (a 20 MB list of 37-byte rows got an index for twice its ids, 8 MB more).
   */
  inputRead = 0;
  private readonly trimIds: boolean;
  private readonly maxListBytes: number;

  /** `sizeHint`: the expected size of the output, so that the buffer is allocated once. */
  constructor(
    options: PrepareOptions = {},
    private readonly sizeHint = 0,
  ) {
    this.maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    this.trimIds = options.trimIds === true;
    this.maxListBytes = options.maxListBytes ?? DEFAULT_MAX_LIST_BYTES;
    if (this.sizeHint > this.maxListBytes) throw listTooLarge(this.maxListBytes, `${this.sizeHint} bytes`);
    if (!Number.isInteger(this.maxFileBytes) || this.maxFileBytes < 64) {
      throw new CsvError(`maxFileBytes must be a whole number of at least 64, received ${this.maxFileBytes}`);
    }
    this.buffer = new Uint8Array(Math.max(this.sizeHint, 1 << 16) + SLACK);
    this.buffer.set(HEADER);
  }

  /**
   * Adds one id exactly as given (or trimmed, under `trimIds`). `line` (1-based) is only used in error
   * messages. Empty ids are skipped.
   */
  add(rawId: string, line?: number): void {
    let id = rawId;
    if (this.trimIds) {
      id = rawId.trim();
      if (id !== rawId && id !== "") this.trimmedCount++;
    }
    if (id === "") return;
    const problem = userIdProblem(id);
    if (problem) throw new CsvError(problem, line);
    const text = lineFor(id);
    this.commit(encoder.encodeInto(text, this.room(text.length * 3).subarray(this.pos)).written, line);
  }

  /** Makes room for a line of up to `bytes` at `pos` and returns the buffer to write it into. */
  room(bytes: number): Uint8Array {
    // Room for a file header too, which `commit` may put before the line.
    if (this.pos > this.maxListBytes) throw listTooLarge(this.maxListBytes, "more");
    const needed = this.pos + bytes + HEADER.length;
    if (needed > this.buffer.length) {
      const grown = new Uint8Array(
        Math.min(Math.max(this.buffer.length * 2, needed), this.maxListBytes + SLACK),
      );
      grown.set(this.buffer.subarray(0, this.pos));
      this.buffer = grown;
    }
    return this.buffer;
  }

  /**
   * Keeps the line of `length` bytes (newline included) written at `pos`, unless it is a duplicate; a line
   * that would overflow the current file starts a new one. Lines are settled in batches (see `flush`), so
   * the counts are exact only after `flush` or `finish`.
   */
  commit(length: number, line?: number, hash = hashBytes(this.buffer, this.pos, length)): void {
    if (length + HEADER.length > this.maxFileBytes) {
      throw new CsvError(
        `a user id of ${length - 1} bytes cannot fit in a file of ${this.maxFileBytes} bytes`,
        line,
      );
    }
    const start = this.starts[this.starts.length - 1] as number;
    if (this.pos - start + length > this.maxFileBytes) {
      // Whether the line starts a new file depends on what the batch keeps: settle it, then decide.
      const at = this.pos;
      this.flush();
      this.buffer.copyWithin(this.pos, at, at + length);
      if (this.pos - start + length > this.maxFileBytes) {
        const slot = this.find(this.pos, length, hash);
        if (slot >= 0) {
          this.duplicateCount++;
          return;
        }
        this.buffer.copyWithin(this.pos + HEADER.length, this.pos, this.pos + length);
        this.buffer.set(HEADER, this.pos);
        this.starts.push(this.pos);
        this.pos += HEADER.length;
        this.insert(-1 - slot, this.pos, hash);
        this.pos += length;
        return;
      }
    }
    const j = 3 * this.batched;
    this.batch[j] = this.pos;
    this.batch[j + 1] = length;
    this.batch[j + 2] = hash;
    this.pos += length;
    if (++this.batched === BATCH) this.flush();
  }

  /**
   * Settles the batch: drops its duplicates and closes the gaps they leave. Each line's first probe is
   * loaded up front, where the loads do not wait on each other and their cache misses overlap; a probe per
   * line in turn spent most of its time waiting on memory.
   */
  flush(): void {
    const n = 3 * this.batched;
    if (n === 0) return;
    this.batched = 0;
    const batch = this.batch;
    const table = this.table;
    const mask = (table.length >>> 1) - 1;
    let touched = 0;
    for (let j = 0; j < n; j += 3) touched |= table[2 * ((batch[j + 2] as number) & mask)] as number;
    this.touched = touched;
    // A duplicate is cut out by moving the rest of the batch over it; `shift` is how far lines have moved.
    const end = (batch[n - 3] as number) + (batch[n - 2] as number);
    let shift = 0;
    for (let j = 0; j < n; j += 3) {
      const at = (batch[j] as number) - shift;
      const length = batch[j + 1] as number;
      const hash = batch[j + 2] as number;
      const slot = this.find(at, length, hash);
      if (slot >= 0) {
        this.duplicateCount++;
        this.buffer.copyWithin(at, at + length, end - shift);
        shift += length;
      } else this.insert(-1 - slot, at, hash);
    }
    this.pos = end - shift;
  }

  // Keeps the line at `at` in entry `i` of the index.
  private insert(i: number, at: number, hash: number): void {
    this.table[2 * i] = at + 1;
    this.table[2 * i + 1] = hash;
    this.userCount++;
    // The first growth sizes the index for the whole input, guessed from the bytes per id so far, instead of
    // doubling it (and rehashing) all the way there.
    if (++this.size * 8 > this.table.length * 3)
      this.reserve(Math.max(this.size * 2, (this.size * this.sizeHint) / (this.inputRead || this.pos)));
  }

  private reserve(count: number): void {
    let length = this.table.length;
    while (count * 8 > length * 3) length *= 2;
    if (length === this.table.length) return;
    this.table = regrowIndex(this.table, length);
  }

  /** Finishes and returns the files; throws when no id was added. */
  finish(): PreparedDeletionFile {
    this.flush();
    if (this.userCount === 0) throw new CsvError("the list holds no user ids");
    this.table = new Uint32Array(0);
    // Views, not copies: a copy would double the peak for a list of millions of ids.
    const files = this.starts.map((start, f) => this.buffer.subarray(start, this.starts[f + 1] ?? this.pos));
    return {
      files,
      userCount: this.userCount,
      duplicateCount: this.duplicateCount,
      bytes: this.pos,
      trimmedCount: this.trimmedCount,
    };
  }

  // The entry holding the same line as the one at `at`, or -1 - (the free entry where it would go).
  private find(at: number, length: number, hash: number): number {
    const table = this.table;
    const mask = (table.length >>> 1) - 1;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const slot = table[2 * i] as number;
      if (slot === 0) return -1 - i;
      if (table[2 * i + 1] === hash && sameLine(this.buffer, slot - 1, at, length)) return i;
    }
  }
}

/**
 * An open-addressing index of (offset + 1, hash) pairs moved into a table of `length` entries' room (two
 * slots each): every entry re-probed from its hash. Shared by the deletion file's duplicate index and the
 * erased-id set of `src/outside/ids.ts`.
 */
export function regrowIndex(old: Uint32Array, length: number): Uint32Array<ArrayBuffer> {
  const table = new Uint32Array(length);
  const mask = (length >>> 1) - 1;
  for (let j = 0; j < old.length; j += 2) {
    if (old[j] === 0) continue;
    let i = (old[j + 1] as number) & mask;
    while (table[2 * i] !== 0) i = (i + 1) & mask;
    table[2 * i] = old[j] as number;
    table[2 * i + 1] = old[j + 1] as number;
  }
  return table;
}

/** FNV-1a, the hash of the duplicate index; the CSV reader's fast path computes it while it copies. */
export const FNV_OFFSET = 0x811c9dc5;
export const FNV_PRIME = 0x01000193;

function hashBytes(bytes: Uint8Array, start: number, length: number): number {
  let h = FNV_OFFSET;
  for (let i = start; i < start + length; i++) h = Math.imul(h ^ (bytes[i] as number), FNV_PRIME);
  return h >>> 0;
}

function sameLine(bytes: Uint8Array, a: number, b: number, length: number): boolean {
  for (let i = 0; i < length; i++) {
    if (bytes[a + i] !== bytes[b + i]) return false;
  }
  return bytes[a + length - 1] === NEWLINE;
}

function lineFor(id: string): string {
  return needsQuotes(id) ? `"${id.replaceAll('"', '""')}"\n` : `${id}\n`;
}

function needsQuotes(id: string): boolean {
  return id.includes(",") || id.includes('"');
}
