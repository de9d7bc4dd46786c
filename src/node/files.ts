import { open, stat } from "node:fs/promises";
import { basename } from "node:path";
import type { NamedCsvSource } from "../deletion/csv.ts";

const CHUNK_BYTES = 1 << 20;

/**
 * A file as a CSV source, read while it is parsed so a large list is never held whole, with its size so
 * the output is allocated once. The file is opened when its first chunk is asked for and closed when the
 * last is read or the reader stops, so a list of many sources holds one file open at a time, and a source
 * never read holds none. One 1 MiB buffer is read into again and again (prepareDeletionCsv reads a chunk
 * before it asks for the next): a fresh buffer per read left tens of MB of garbage for the GC, and Node's
 * file-backed Blob streams in 64 KiB reads, several times slower. `name` (default: the file's base name) is
 * what errors about its lines call it.
 */
export async function fileSource(path: string, name: string = basename(path)): Promise<NamedCsvSource> {
  const { size } = await stat(path);
  return { name, source: chunks(path), size };
}

async function* chunks(path: string): AsyncGenerator<Uint8Array> {
  const handle = await open(path, "r");
  const buffer = new Uint8Array(CHUNK_BYTES);
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

/** Standard input as a CSV source (`-` on a command line), read as it arrives. */
export function stdinSource(name: string = "stdin"): NamedCsvSource {
  return { name, source: process.stdin as AsyncIterable<Uint8Array> };
}
