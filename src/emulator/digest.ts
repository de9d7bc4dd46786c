// MD5, for S3's ETags: WebCrypto has none, so the emulator takes the runtime's node:crypto (Node, Bun and
// Deno all offer it through process.getBuiltinModule), as the core's SHA-256 does.

interface NodeCrypto {
  createHash(algorithm: "md5" | "sha256"): {
    update(b: Uint8Array): { digest(e: "hex" | "base64"): string };
  };
}

function nodeCrypto(): NodeCrypto {
  const crypto = (
    globalThis as { process?: { getBuiltinModule?(id: "crypto"): NodeCrypto } }
  ).process?.getBuiltinModule?.("crypto");
  if (!crypto)
    throw new Error("the emulator's S3 needs node:crypto for MD5 ETags (Node 20.16+, Bun or Deno)");
  return crypto;
}

/** The MD5 of `bytes`, as hex (an ETag) or base64 (a Content-MD5 header). */
export function md5(bytes: Uint8Array, encoding: "hex" | "base64" = "hex"): string {
  return nodeCrypto().createHash("md5").update(bytes).digest(encoding);
}

/** The SHA-256 of `bytes` as hex, at once: for what the emulator writes itself (seeds, job outputs). */
export function sha256HexSync(bytes: Uint8Array): string {
  return nodeCrypto().createHash("sha256").update(bytes).digest("hex");
}

/** A multipart upload's ETag: the MD5 of the parts' binary MD5s, then `-` and the number of parts. */
export function multipartEtag(partMd5s: string[]): string {
  const joined = new Uint8Array(partMd5s.length * 16);
  partMd5s.forEach((hex, i) => {
    for (let j = 0; j < 16; j++) joined[i * 16 + j] = Number.parseInt(hex.slice(j * 2, j * 2 + 2), 16);
  });
  return `${md5(joined)}-${partMd5s.length}`;
}

function crcTable(polynomial: number): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? polynomial ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

const TABLES = { crc32: crcTable(0xedb88320), crc32c: crcTable(0x82f63b78) };

// node:zlib's CRC32 (Node 20.15+, Bun, Deno) where there is one: the table loop takes about a second for
// 50 MB, which the bench would charge to the AWS SDK, whose uploads carry a CRC32.
const zlibCrc32 = (
  globalThis as { process?: { getBuiltinModule?(id: "zlib"): { crc32?(b: Uint8Array): number } } }
).process?.getBuiltinModule?.("zlib")?.crc32;

function crc(bytes: Uint8Array, table: Uint32Array): Uint8Array {
  let c: number;
  if (table === TABLES.crc32 && zlibCrc32) {
    c = zlibCrc32(bytes) >>> 0;
  } else {
    c = 0xffffffff;
    for (const byte of bytes) c = (table[(c ^ byte) & 0xff] as number) ^ (c >>> 8);
    c = (c ^ 0xffffffff) >>> 0;
  }
  return new Uint8Array([c >>> 24, (c >>> 16) & 0xff, (c >>> 8) & 0xff, c & 0xff]);
}

// CRC-64/NVME (reflected polynomial 0x9a6c9329ac4bc9b5, all-ones init and final xor), as two 32-bit
// halves: BigInt arithmetic would be far too slow for 50 MB objects.
const CRC64 = (() => {
  const lo = new Uint32Array(256);
  const hi = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let l = n;
    let h = 0;
    for (let k = 0; k < 8; k++) {
      const carry = l & 1;
      l = ((l >>> 1) | (h << 31)) >>> 0;
      h = h >>> 1;
      if (carry) {
        l = (l ^ 0xac4bc9b5) >>> 0;
        h = (h ^ 0x9a6c9329) >>> 0;
      }
    }
    lo[n] = l;
    hi[n] = h;
  }
  return { lo, hi };
})();

/** The CRC-64/NVME of `bytes`, big-endian (S3's `x-amz-checksum-crc64nvme` is its base64). */
export function crc64nvme(bytes: Uint8Array): Uint8Array {
  let l = 0xffffffff;
  let h = 0xffffffff;
  const { lo, hi } = CRC64;
  for (let i = 0; i < bytes.length; i++) {
    const n = (l ^ (bytes[i] as number)) & 0xff;
    l = (((l >>> 8) | (h << 24)) ^ (lo[n] as number)) >>> 0;
    h = ((h >>> 8) ^ (hi[n] as number)) >>> 0;
  }
  l = ~l >>> 0;
  h = ~h >>> 0;
  return new Uint8Array([
    h >>> 24,
    (h >>> 16) & 0xff,
    (h >>> 8) & 0xff,
    h & 0xff,
    l >>> 24,
    (l >>> 16) & 0xff,
    (l >>> 8) & 0xff,
    l & 0xff,
  ]);
}

/** Base64 of bytes (a checksum header's form). */
export const base64 = (bytes: Uint8Array) => {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000)
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
};

/** The algorithms S3 takes in `x-amz-checksum-ALGORITHM`. */
export const CHECKSUM_ALGORITHMS = ["crc32", "crc32c", "crc64nvme", "sha1", "sha256"] as const;

/**
 * The base64 checksum S3 compares with an `x-amz-checksum-ALGORITHM` value, for the algorithms S3 knows
 * (`crc32`, `crc32c`, `crc64nvme`, `sha1`, `sha256`), else `undefined`.
 */
export async function checksum(algorithm: string, bytes: Uint8Array): Promise<string | undefined> {
  if (algorithm === "crc32" || algorithm === "crc32c") return base64(crc(bytes, TABLES[algorithm]));
  if (algorithm === "crc64nvme") return base64(crc64nvme(bytes));
  const name = { sha1: "SHA-1", sha256: "SHA-256" }[algorithm];
  if (!name) return undefined;
  return base64(new Uint8Array(await crypto.subtle.digest(name, bytes as Uint8Array<ArrayBuffer>)));
}
