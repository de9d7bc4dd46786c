import { CsvError } from "./errors.ts";

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
}

/** Options shared by the serializer and the CSV preparer. */
export interface PrepareOptions {
  /** Largest file to produce; a longer list is split. Default 50 MB, the guide's cap per deletion job. */
  maxFileBytes?: number;
}

/** The guide's cap on a deletion job's input (older versions of the guide said 100 MB). */
export const DEFAULT_MAX_FILE_BYTES = 50 * 1024 * 1024;
/** Personalize's USER_ID field length limit. */
export const MAX_USER_ID_LENGTH = 256;

const HEADER = new TextEncoder().encode("USER_ID\n");
const BLOCK = 1 << 20;
const NEWLINE = 10;
const encoder = new TextEncoder();

/**
 * Builds deletion files with exact duplicate removal. The ids are written once, as bytes, into 1 MiB blocks;
 * the duplicate index is an open-addressing table of offsets into those blocks (8 bytes per slot), so memory
 * grows with the output and a small table, not with one JS string per id.
 */
export class DeletionFileBuilder {
  private readonly maxFileBytes: number;
  private readonly blocks: Uint8Array[] = [];
  private readonly blockFile: number[] = [];
  private readonly blockUsed: number[] = [];
  private readonly fileBytes: number[] = [];
  private block: Uint8Array = new Uint8Array(0);
  private pos = 0;
  private slots = new Uint32Array(1 << 12);
  private hashes = new Uint32Array(1 << 12);
  private size = 0;
  userCount = 0;
  duplicateCount = 0;

  constructor(options: PrepareOptions = {}) {
    this.maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    if (!Number.isInteger(this.maxFileBytes) || this.maxFileBytes < 64) {
      throw new CsvError(`maxFileBytes must be a whole number of at least 64, received ${this.maxFileBytes}`);
    }
  }

  /** Adds one id. `line` (1-based) is only used in error messages. Blank ids are skipped. */
  add(rawId: string, line?: number): void {
    const id = rawId.trim();
    if (id === "") return;
    if (id.length * 3 + 3 > this.maxFileBytes - HEADER.length) {
      throw new CsvError(
        `a user id of ${id.length} characters cannot fit in a file of ${this.maxFileBytes} bytes`,
        line,
      );
    }
    if (this.blocks.length === 0 || this.pos + id.length * 3 + 3 > this.block.length) this.newBlock(false);
    let written = this.writePlain(id);
    let text: string | undefined;
    if (written === 0) {
      text = lineFor(id, line);
      written = this.write(text);
    }
    let hash = hashBytes(this.block, this.pos, written);
    const file = this.blockFile[this.blocks.length - 1] as number;
    if ((this.fileBytes[file] as number) + written > this.maxFileBytes && this.find(written, hash) < 0) {
      // The id starts a new file; write it again at the head of a fresh block.
      this.newBlock(true);
      written = text === undefined ? this.writePlain(id) : this.write(text);
      hash = hashBytes(this.block, this.pos, written);
    }
    if (!this.insert(written, hash)) {
      this.duplicateCount++;
      return;
    }
    const current = this.fileBytes.length - 1;
    this.fileBytes[current] = (this.fileBytes[current] as number) + written;
    this.pos += written;
    this.userCount++;
  }

  // The common id (printable ASCII, no comma or quote, not too long) is copied byte by byte with its
  // newline; returns 0 when the id needs the general path.
  private writePlain(id: string): number {
    if (id.length > MAX_USER_ID_LENGTH) return 0;
    const block = this.block;
    let p = this.pos;
    for (let i = 0; i < id.length; i++) {
      const c = id.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === 0x2c || c === 0x22) return 0;
      block[p++] = c;
    }
    block[p++] = NEWLINE;
    return p - this.pos;
  }

  // Writes a line that needs quoting or is not plain ASCII at `pos`, without moving it.
  private write(text: string): number {
    return encoder.encodeInto(text, this.block.subarray(this.pos)).written;
  }

  /** Finishes and returns the files; throws when no id was added. */
  finish(): PreparedDeletionFile {
    if (this.userCount === 0) throw new CsvError("the list holds no user ids");
    // The duplicate index is done with: let it go before the output is allocated, to keep the peak low.
    this.slots = new Uint32Array(0);
    this.hashes = new Uint32Array(0);
    const files: Uint8Array[] = [];
    let bytes = 0;
    for (let f = 0; f < this.fileBytes.length; f++) {
      const out = new Uint8Array(this.fileBytes[f] as number);
      let at = 0;
      for (let b = 0; b < this.blocks.length; b++) {
        if (this.blockFile[b] !== f) continue;
        const block = this.blocks[b] as Uint8Array;
        const used = b === this.blocks.length - 1 ? this.pos : (this.blockUsed[b] as number);
        out.set(block.subarray(0, used), at);
        at += used;
        this.blocks[b] = new Uint8Array(0);
      }
      files.push(out);
      bytes += out.length;
    }
    return { files, userCount: this.userCount, duplicateCount: this.duplicateCount, bytes };
  }

  private newBlock(newFile: boolean): void {
    if (this.blocks.length > 0) this.blockUsed.push(this.pos);
    const file = this.fileBytes.length === 0 || newFile ? this.fileBytes.length : this.fileBytes.length - 1;
    if (file === this.fileBytes.length) this.fileBytes.push(0);
    this.block = new Uint8Array(BLOCK);
    this.blocks.push(this.block);
    this.blockFile.push(file);
    this.pos = 0;
    if (file === this.fileBytes.length - 1 && this.fileBytes[file] === 0) {
      this.block.set(HEADER);
      this.pos = HEADER.length;
      this.fileBytes[file] = HEADER.length;
    }
  }

  // Returns false when the line just written at `pos` is already in the table.
  private insert(length: number, hash: number): boolean {
    if (this.find(length, hash) >= 0) return false;
    const mask = this.slots.length - 1;
    let i = hash & mask;
    while (this.slots[i] !== 0) i = (i + 1) & mask;
    this.slots[i] = (this.blocks.length - 1) * BLOCK + this.pos + 1;
    this.hashes[i] = hash;
    if (++this.size * 4 > this.slots.length * 3) this.grow();
    return true;
  }

  private find(length: number, hash: number): number {
    const mask = this.slots.length - 1;
    for (let i = hash & mask; this.slots[i] !== 0; i = (i + 1) & mask) {
      if (this.hashes[i] !== hash) continue;
      const at = (this.slots[i] as number) - 1;
      const block = this.blocks[Math.floor(at / BLOCK)] as Uint8Array;
      if (sameLine(block, at % BLOCK, this.block, this.pos, length)) return i;
    }
    return -1;
  }

  private grow(): void {
    const oldSlots = this.slots;
    const oldHashes = this.hashes;
    this.slots = new Uint32Array(oldSlots.length * 2);
    this.hashes = new Uint32Array(oldSlots.length * 2);
    const mask = this.slots.length - 1;
    for (let j = 0; j < oldSlots.length; j++) {
      if (oldSlots[j] === 0) continue;
      let i = (oldHashes[j] as number) & mask;
      while (this.slots[i] !== 0) i = (i + 1) & mask;
      this.slots[i] = oldSlots[j] as number;
      this.hashes[i] = oldHashes[j] as number;
    }
  }
}

// FNV-1a over the line's bytes.
function hashBytes(bytes: Uint8Array, start: number, length: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < start + length; i++) {
    h ^= bytes[i] as number;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function sameLine(a: Uint8Array, aStart: number, b: Uint8Array, bStart: number, length: number): boolean {
  for (let i = 0; i < length; i++) {
    if (a[aStart + i] !== b[bStart + i]) return false;
  }
  return a[aStart + length - 1] === NEWLINE;
}

function lineFor(id: string, line: number | undefined): string {
  checkId(id, line);
  return needsQuotes(id) ? `"${id.replaceAll('"', '""')}"\n` : `${id}\n`;
}

function needsQuotes(id: string): boolean {
  return id.includes(",") || id.includes('"');
}

function checkId(id: string, line: number | undefined): void {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  const control = /[\u0000-\u001f\u007f]/.exec(id);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).padStart(4, "0");
    throw new CsvError(`a user id must not contain control characters, found \\u${code}`, line);
  }
  if (id.length > MAX_USER_ID_LENGTH) {
    let n = 0;
    for (const _ of id) n++;
    if (n > MAX_USER_ID_LENGTH) {
      throw new CsvError(
        `a user id must be at most ${MAX_USER_ID_LENGTH} characters (Personalize's USER_ID limit), found ${n}`,
        line,
      );
    }
  }
}

/**
 * Serializes user ids (an array or a sync or async iterable of strings) into deletion files, without a CSV
 * parser: ids are trimmed, blank ones dropped, duplicates removed and counted, quoted where CSV needs it.
 */
export async function serializeUserIds(
  ids: Iterable<string> | AsyncIterable<string>,
  options: PrepareOptions = {},
): Promise<PreparedDeletionFile> {
  const builder = new DeletionFileBuilder(options);
  let index = 0;
  for await (const id of ids as AsyncIterable<string>) {
    index++;
    if (typeof id !== "string") {
      throw new CsvError(`user id number ${index} must be a string, received ${typeof id}`);
    }
    try {
      builder.add(id);
    } catch (error) {
      if (error instanceof CsvError) throw new CsvError(`user id number ${index}: ${error.message}`);
      throw error;
    }
  }
  return builder.finish();
}
