// The erased ids as one compact set for matching rows byte for byte: every id's UTF-8 bytes in one buffer
// and an open-addressing index of (id number, hash) pairs over it, so a row's field is looked up where it
// lies in the input, with no string made per row and none kept per id.
import { FNV_OFFSET, FNV_PRIME, regrowIndex } from "../deletion/builder.ts";

const encoder = new TextEncoder();
const QUOTE = 34;
const NEWLINE = 10;
const CR = 13;

/** A set of user ids matched as exact UTF-8 bytes: no trimming, no case folding, no normalisation. */
export class IdSet {
  private bytes: Uint8Array;
  // starts[i] is where id i begins in `bytes`; starts[count] is the end of the last one.
  private starts: Uint32Array;
  private count = 0;
  // Entry j is table[2j] (id number + 1, 0 when free) and table[2j + 1] (its hash).
  private table: Uint32Array;
  // A bit filter in front of the index, two bits an id, small enough to stay in the processor's cache:
  // most rows' users are not erased, and the filter answers them without the index's cache miss (which
  // made a lookup in a set of 100,000 ids cost 300 ns, most of a CSV row's time).
  private filter: Int32Array;
  // 32 - log2(the filter's length in words): a hash's top bits pick its word.
  private filterShift = 32;
  private minLength = Number.MAX_SAFE_INTEGER;
  private maxLength = 0;
  private scratch = new Uint8Array(256);

  private constructor(expectedBytes: number, expectedIds: number) {
    this.bytes = new Uint8Array(Math.max(expectedBytes, 64));
    this.starts = new Uint32Array(Math.max(expectedIds, 16) + 1);
    let length = 32;
    while (length * 3 < expectedIds * 8) length *= 2;
    this.table = new Uint32Array(length);
    this.filter = this.newFilter();
  }

  /** The set of the given ids, each exactly as given (empty ids are left out, duplicates kept once). */
  static of(ids: Iterable<string>): IdSet {
    const set = new IdSet(1 << 12, 1 << 6);
    for (const id of ids) set.addString(id);
    return set;
  }

  /**
   * The set of the ids in prepared deletion files (`PreparedDeletionFile.files`: a `USER_ID` header line,
   * one id per `\n`-ended line, quoted with `""` escapes when it holds a comma or a quote), read as bytes.
   */
  static fromDeletionFiles(files: readonly Uint8Array[]): IdSet {
    const total = files.reduce((n, f) => n + f.length, 0);
    const set = new IdSet(total, Math.ceil(total / 8));
    for (const file of files) {
      // The first line is the header.
      let at = file.indexOf(NEWLINE) + 1;
      while (at > 0 && at < file.length) {
        let end = file.indexOf(NEWLINE, at);
        if (end < 0) end = file.length;
        let last = end;
        if (last > at && file[last - 1] === CR) last--;
        if (file[at] === QUOTE && last - at >= 2 && file[last - 1] === QUOTE)
          set.addQuoted(file, at + 1, last - 1);
        else set.add(file, at, last);
        at = end + 1;
      }
    }
    return set;
  }

  /** How many distinct ids the set holds. */
  get size(): number {
    return this.count;
  }

  /** Calls `visit` with each id's UTF-8 bytes, `bytes[start..end)` (a view of the set's buffer: copy to keep). */
  forEachBytes(visit: (bytes: Uint8Array, start: number, end: number) => void): void {
    for (let i = 0; i < this.count; i++)
      visit(this.bytes, this.starts[i] as number, this.starts[i + 1] as number);
  }

  /** Whether the UTF-8 bytes `bytes[start..end)` are exactly one of the ids. */
  hasBytes(bytes: Uint8Array, start: number, end: number): boolean {
    const length = end - start;
    if (length < this.minLength || length > this.maxLength) return false;
    let h = FNV_OFFSET;
    for (let i = start; i < end; i++) h = Math.imul(h ^ (bytes[i] as number), FNV_PRIME);
    if (!this.mayHave(h)) return false;
    return this.find(bytes, start, length, h >>> 0) >= 0;
  }

  /** Whether `id` is one of the ids. */
  has(id: string): boolean {
    if (id.length * 3 > this.scratch.length) this.scratch = new Uint8Array(id.length * 3);
    const { written } = encoder.encodeInto(id, this.scratch);
    return this.hasBytes(this.scratch, 0, written);
  }

  private addString(id: string): void {
    if (id === "") return;
    const bytes = encoder.encode(id);
    this.add(bytes, 0, bytes.length);
  }

  // A quoted id, its `""` turned back into `"`.
  private addQuoted(bytes: Uint8Array, start: number, end: number): void {
    const unquoted = new Uint8Array(end - start);
    let n = 0;
    for (let i = start; i < end; i++) {
      unquoted[n++] = bytes[i] as number;
      if (bytes[i] === QUOTE && bytes[i + 1] === QUOTE) i++;
    }
    this.add(unquoted, 0, n);
  }

  private add(bytes: Uint8Array, start: number, end: number): void {
    const length = end - start;
    if (length === 0) return;
    let h = FNV_OFFSET;
    for (let i = start; i < end; i++) h = Math.imul(h ^ (bytes[i] as number), FNV_PRIME);
    const hash = h >>> 0;
    const slot = this.find(bytes, start, length, hash);
    if (slot >= 0) return;
    const at = this.starts[this.count] as number;
    if (at + length > this.bytes.length) this.bytes = grow(this.bytes, at + length);
    this.bytes.set(bytes.subarray(start, end), at);
    if (this.count + 2 > this.starts.length) this.starts = grow32(this.starts, this.count + 2);
    this.starts[this.count + 1] = at + length;
    this.table[2 * (-1 - slot)] = ++this.count;
    this.table[2 * (-1 - slot) + 1] = hash;
    this.mark(hash);
    if (length < this.minLength) this.minLength = length;
    if (length > this.maxLength) this.maxLength = length;
    if (this.count * 8 > this.table.length * 3) this.rehash();
  }

  // The entry holding these bytes, or -1 - (the free entry where they would go).
  private find(bytes: Uint8Array, start: number, length: number, hash: number): number {
    const table = this.table;
    const mask = (table.length >>> 1) - 1;
    for (let j = hash & mask; ; j = (j + 1) & mask) {
      const id = table[2 * j] as number;
      if (id === 0) return -1 - j;
      if (table[2 * j + 1] !== hash) continue;
      const from = this.starts[id - 1] as number;
      if ((this.starts[id] as number) - from !== length) continue;
      let same = true;
      for (let i = 0; i < length; i++) {
        if (this.bytes[from + i] !== bytes[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return j;
    }
  }

  private rehash(): void {
    this.table = regrowIndex(this.table, this.table.length * 2);
    this.filter = this.newFilter();
    for (let j = 0; j < this.table.length; j += 2)
      if (this.table[j] !== 0) this.mark(this.table[j + 1] as number);
  }

  // Two bits for each 16 bits of the index's room (about 11 bits an id at the fullest).
  private newFilter(): Int32Array {
    const words = Math.max(this.table.length >>> 4, 1);
    this.filterShift = 32 - Math.log2(words);
    return new Int32Array(words);
  }

  // A hash's word in the filter comes from the top bits of its product with a constant (the index's slot
  // comes from its low bits), its two bits from the hash's top and middle bits.
  private mark(hash: number): void {
    const w = this.filterShift === 32 ? 0 : Math.imul(hash, 0x9e3779b1) >>> this.filterShift;
    this.filter[w] = (this.filter[w] as number) | (1 << (hash >>> 27)) | (1 << ((hash >>> 20) & 31));
  }

  private mayHave(hash: number): boolean {
    const w = this.filterShift === 32 ? 0 : Math.imul(hash, 0x9e3779b1) >>> this.filterShift;
    const bits = (1 << (hash >>> 27)) | (1 << ((hash >>> 20) & 31));
    return ((this.filter[w] as number) & bits) === bits;
  }
}

function grow(bytes: Uint8Array, needed: number): Uint8Array {
  const grown = new Uint8Array(Math.max(bytes.length * 2, needed));
  grown.set(bytes);
  return grown;
}

function grow32(values: Uint32Array, needed: number): Uint32Array {
  const grown = new Uint32Array(Math.max(values.length * 2, needed));
  grown.set(values);
  return grown;
}
