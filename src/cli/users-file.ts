import { open } from "node:fs/promises";
import type { NamedCsvSource } from "../csv.ts";

const CHUNK_BYTES = 1 << 20;

/**
 * A file as a CSV source, read while it is parsed so a large list is never held whole, with its size so
 * the output is allocated once. One 1 MiB buffer is read into again and again (prepareDeletionCsv reads a
 * chunk before it asks for the next): a fresh buffer per read left tens of MB of garbage for the GC, and
 * Node's file-backed Blob streams in 64 KiB reads, several times slower.
 */
export async function fileSource(path: string): Promise<NamedCsvSource> {
  const handle = await open(path, "r");
  try {
    const { size } = await handle.stat();
    return { source: chunks(handle), size };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

async function* chunks(handle: Awaited<ReturnType<typeof open>>): AsyncGenerator<Uint8Array> {
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
