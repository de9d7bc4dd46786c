// Test helpers: an input cut into chunks at given sizes, and a stream read back into one buffer.

/** A stream of `bytes` in chunks of the sizes in `cuts`, used in turn (each chunk a fresh copy). */
export function chunked(bytes: Uint8Array, cuts: number[]): ReadableStream<Uint8Array> {
  let at = 0;
  let c = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      const size = Math.max(1, cuts.length ? (cuts[c++ % cuts.length] as number) : bytes.length);
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

/** Every byte of a stream, in order. */
export async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export const utf8 = (text: string) => new TextEncoder().encode(text);
// The byte order mark kept, as it is part of what the scrub must keep.
export const text = (bytes: Uint8Array) => new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);

/** The parts one after the other in one buffer. */
export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
