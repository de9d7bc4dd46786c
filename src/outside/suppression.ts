// The suppression list: the erased users kept as keyed hashes, never as ids, so an application can drop
// their later events and an import can be checked before it brings them back.
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { parseS3Uri, type S3Target } from "../aws/s3.ts";
import { listObjects, type StoredObject } from "../aws/s3-list.ts";
import { ConfigurationError, ValidationError } from "../errors.ts";
import { KeyedHash } from "./keyed-hash.ts";
import { getObjectBytes, putObjectIfAbsent } from "./suppression-store.ts";
import type { UserMatcher } from "./types.ts";

/** Bytes per entry of a suppression object: one HMAC-SHA256. */
export const SUPPRESSION_HASH_BYTES = 32;
/** The shortest key accepted, in bytes (HMAC-SHA256's own strength). */
export const SUPPRESSION_KEY_MIN_BYTES = 32;

/** The key the hashes are made under: a string (its UTF-8 bytes) or bytes, at least 32 bytes. */
export type SuppressionKey = string | Uint8Array;

/** Ids as the erasure holds them: their UTF-8 bytes one at a time (the erased-id set has this). */
export interface IdBytesSource {
  forEachBytes(visit: (bytes: Uint8Array, start: number, end: number) => void): void;
}

const encoder = new TextEncoder();
const H = SUPPRESSION_HASH_BYTES;
// An object's name: `<time>-<sha256 of its content>.bin`; the sha makes a repeated append find its twin.
const NAME = /-([0-9a-f]{64})\.bin$/;
// Written with each object: a check value of the key (an HMAC of a constant, not of any id), so a list
// loaded under another key is refused instead of silently matching no one.
const KEY_CHECK_HEADER = "x-amz-meta-suppression-key-check";
const KEY_CHECK_INPUT = encoder.encode("personalize-data-deletion suppression key check v1");
const READ_CONCURRENCY = 8;

/**
 * The key's bytes, or a {@link ValidationError} naming `suppressionKey` (the CLI's and the action's
 * `ERASURE_SUPPRESSION_KEY`) with the length received, never the key.
 */
export function suppressionKeyBytes(key: unknown): Uint8Array {
  const bytes = typeof key === "string" ? encoder.encode(key) : key instanceof Uint8Array ? key : undefined;
  const path = "suppressionKey (ERASURE_SUPPRESSION_KEY)";
  if (bytes === undefined) {
    const received = key === null ? "null" : typeof key;
    throw new ValidationError([{ path, rule: "must be a string or a Uint8Array", received }]);
  }
  if (bytes.length < SUPPRESSION_KEY_MIN_BYTES) {
    throw new ValidationError([
      {
        path,
        rule: `must be at least ${SUPPRESSION_KEY_MIN_BYTES} bytes (e.g. 32 random bytes, base64 or hex)`,
        received: `${bytes.length} bytes`,
      },
    ]);
  }
  return bytes;
}

// A check value of the key: the first 8 bytes of its HMAC of a constant, hex.
const keyCheck = (hash: KeyedHash): string => bytesToHex(hash.of(KEY_CHECK_INPUT).subarray(0, 8));

// Negative, 0 or positive as entry i of `a` sorts before, with or after entry j of `b` (bytewise).
function compare(a: Uint8Array, i: number, b: Uint8Array, j: number): number {
  for (let k = 0; k < H; k++) {
    const d = (a[i * H + k] as number) - (b[j * H + k] as number);
    if (d !== 0) return d;
  }
  return 0;
}

// The entries of `hashes` sorted, each once.
function sortEntries(hashes: Uint8Array): Uint8Array {
  const n = hashes.length / H;
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) sorted = compare(hashes, i - 1, hashes, i) < 0;
  if (sorted) return hashes;
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => compare(hashes, x, hashes, y));
  const out = new Uint8Array(hashes.length);
  let m = 0;
  for (const i of order) {
    if (m > 0 && compare(out, m - 1, hashes, i) === 0) continue;
    out.set(hashes.subarray(i * H, i * H + H), m * H);
    m++;
  }
  return out.subarray(0, m * H);
}

// Two sorted entry arrays as one, each entry once.
function mergeTwo(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  const na = a.length / H;
  const nb = b.length / H;
  let i = 0;
  let j = 0;
  let m = 0;
  while (i < na || j < nb) {
    const c = i >= na ? 1 : j >= nb ? -1 : compare(a, i, b, j);
    const from = c <= 0 ? a : b;
    const at = c <= 0 ? i : j;
    if (c <= 0) i++;
    if (c >= 0) j++;
    out.set(from.subarray(at * H, at * H + H), m * H);
    m++;
  }
  return out.subarray(0, m * H);
}

function mergeAll(parts: Uint8Array[]): Uint8Array {
  let round = parts.map(sortEntries);
  if (round.length === 0) return new Uint8Array(0);
  while (round.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < round.length; i += 2) {
      const [a, b] = [round[i] as Uint8Array, round[i + 1]];
      next.push(b === undefined ? a : mergeTwo(a, b));
    }
    round = next;
  }
  return round[0] as Uint8Array;
}

function folderOf(uri: string): { bucket: string; prefix: string } {
  const location = parseS3Uri(uri, "suppression");
  if (!location.isPrefix) {
    throw new ValidationError([
      {
        path: "suppression",
        rule: "must be a folder: s3://bucket/prefix/ (ending in /)",
        received: JSON.stringify(uri).slice(0, 120),
      },
    ]);
  }
  return { bucket: location.bucket, prefix: location.key };
}

// One suppression object's hashes, refused (naming it) when it cannot be one: a size that is not a
// multiple of 32, a content other than its name's SHA-256 says, a key check of another key.
async function readPart(
  s3: S3Target,
  bucket: string,
  key: string,
  check: string,
  signal: AbortSignal | undefined,
): Promise<Uint8Array> {
  const where = `s3://${bucket}/${key}`;
  const { body, headers } = await getObjectBytes(s3, bucket, key, signal);
  if (body.length % H !== 0) {
    throw new ConfigurationError(
      `suppression object ${where} holds ${body.length} bytes, not a multiple of ${H} (one HMAC-SHA256 per user): it is not a suppression object`,
    );
  }
  const named = NAME.exec(key)?.[1];
  if (named !== undefined && bytesToHex(sha256(body)) !== named) {
    throw new ConfigurationError(
      `suppression object ${where} does not hold the content its name's SHA-256 says (truncated or replaced)`,
    );
  }
  const stored = headers.get(KEY_CHECK_HEADER) ?? undefined;
  if (stored !== undefined && stored !== check) {
    throw new ConfigurationError(
      `suppression object ${where} was written under another key than this suppressionKey (ERASURE_SUPPRESSION_KEY): its key check is ${stored}, this key's is ${check}`,
    );
  }
  return body;
}

/**
 * The erased users of every erasure that appended to one suppression folder, as keyed hashes: one sorted
 * array of 32-byte HMAC-SHA256 values of the ids' UTF-8 bytes, 32 bytes per user. `has` hashes an id under
 * the key and looks it up (binary search); the ids themselves are not stored anywhere.
 *
 * An application drops the later events of an erased user with it (`if (list.has(userId)) skip` before
 * PutEvents / PutUsers), and {@link UserMatcher} lets the scan and the scrub read an import source against
 * it (`guardImport`).
 *
 * Key rotation: the hashes are one-way, so a list cannot be re-keyed from itself. Rotating the key means
 * re-hashing: append the erased ids under the new key into a new folder from a record you may still
 * legitimately hold, or keep the retired key for reading only and check both lists (`old.has(id) ||
 * new.has(id)`) while the old folder matters. Each object carries a check value of its key
 * (`x-amz-meta-suppression-key-check`), so loading a folder under the wrong key is refused rather than
 * matching no one.
 */
export class SuppressionList implements UserMatcher {
  private readonly hash: KeyedHash;
  private readonly hashes: Uint8Array;
  private readonly scratch = new Uint8Array(H);
  private text = new Uint8Array(256);

  private constructor(key: Uint8Array, hashes: Uint8Array) {
    this.hash = new KeyedHash(key);
    this.hashes = hashes;
  }

  /**
   * Loads every object under the suppression folder `uri` (`s3://bucket/prefix/`, all listing pages) into
   * one list. An object whose size is not a multiple of 32 bytes, whose content does not match the
   * SHA-256 in its name, or that was written under another key is refused, naming its key.
   */
  static async load(
    s3: S3Target,
    uri: string,
    key: SuppressionKey,
    options: { signal?: AbortSignal } = {},
  ): Promise<SuppressionList> {
    const keyBytes = suppressionKeyBytes(key);
    const { bucket, prefix } = folderOf(uri);
    const check = keyCheck(new KeyedHash(keyBytes));
    const objects = (await listObjects(s3, bucket, prefix, options.signal)).filter(
      // A folder placeholder (the console's "Create folder") holds nothing.
      (object) => !(object.key.endsWith("/") && object.size === 0),
    );
    // One object per erasure: years of them are read a few at a time, not one round trip after another.
    const parts: Uint8Array[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < objects.length) {
        const object = objects[next++] as StoredObject;
        parts.push(await readPart(s3, bucket, object.key, check, options.signal));
      }
    };
    await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, objects.length) }, worker));
    return new SuppressionList(keyBytes, mergeAll(parts));
  }

  /** A list of the given ids hashed under `key`, in memory (for tests and for local checks). */
  static of(ids: Iterable<string> | IdBytesSource, key: SuppressionKey): SuppressionList {
    const keyBytes = suppressionKeyBytes(key);
    return new SuppressionList(keyBytes, hashIds(ids, keyBytes));
  }

  /** How many erased users the list holds. */
  get size(): number {
    return this.hashes.length / H;
  }

  /** Whether the UTF-8 bytes `bytes[start, end)` are an erased user's id, byte for byte. */
  hasBytes(bytes: Uint8Array, start: number, end: number): boolean {
    if (this.hashes.length === 0 || end <= start) return false;
    this.hash.into(bytes, start, end, this.scratch);
    let lo = 0;
    let hi = this.hashes.length / H - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = compare(this.hashes, mid, this.scratch, 0);
      if (c === 0) return true;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }

  /** Whether `userId` (exactly as given: no trimming or case folding) is an erased user's id. */
  has(userId: string): boolean {
    if (userId.length * 3 > this.text.length) this.text = new Uint8Array(userId.length * 3);
    const { written } = encoder.encodeInto(userId, this.text);
    return this.hasBytes(this.text, 0, written);
  }
}

// The sorted, distinct HMACs of the ids (empty ids left out, as the erased-id set leaves them out).
function hashIds(ids: Iterable<string> | IdBytesSource, keyBytes: Uint8Array): Uint8Array {
  const hash = new KeyedHash(keyBytes);
  let out = new Uint8Array(H * 64);
  let n = 0;
  const add = (bytes: Uint8Array, start: number, end: number): void => {
    if (end <= start) return;
    if ((n + 1) * H > out.length) {
      const grown = new Uint8Array(out.length * 2);
      grown.set(out);
      out = grown;
    }
    hash.into(bytes, start, end, out.subarray(n * H, n * H + H));
    n++;
  };
  if ("forEachBytes" in ids) ids.forEachBytes(add);
  else {
    for (const id of ids) {
      const bytes = encoder.encode(id);
      add(bytes, 0, bytes.length);
    }
  }
  return sortEntries(out.subarray(0, n * H));
}

/** What {@link appendSuppression} did. */
export interface AppendedSuppression {
  /** The object's key in the suppression bucket (`<time>-<sha256>.bin`). */
  key: string;
  /** Distinct users it holds (32 bytes each). */
  hashes: number;
  /** `false` when an object with the same content was there already (nothing written). */
  written: boolean;
}

/**
 * Appends one object to the suppression folder `uri` (`s3://bucket/prefix/`): the sorted, distinct
 * HMAC-SHA256 of each id's UTF-8 bytes under `key`, raw, named `<ISO time>-<sha256 of the content>.bin`.
 * Idempotent: when an object of the same content is already in the folder, it is not written again.
 */
export async function appendSuppression(
  s3: S3Target,
  uri: string,
  ids: Iterable<string> | IdBytesSource,
  key: SuppressionKey,
  options: { signal?: AbortSignal; now?: () => Date } = {},
): Promise<AppendedSuppression> {
  const keyBytes = suppressionKeyBytes(key);
  const { bucket, prefix } = folderOf(uri);
  const body = hashIds(ids, keyBytes);
  const sha = bytesToHex(sha256(body));
  const hashes = body.length / H;
  const twin = (await listObjects(s3, bucket, prefix, options.signal)).find(
    (o) => NAME.exec(o.key)?.[1] === sha && o.key.lastIndexOf("/") < prefix.length,
  );
  if (twin) return { key: twin.key, hashes, written: false };
  // ISO 8601 basic format: sorts by time and needs no escaping in a URL or a shell.
  const time = (options.now?.() ?? new Date()).toISOString().replace(/[-:]/g, "");
  const objectKey = `${prefix}${time}-${sha}.bin`;
  const check = keyCheck(new KeyedHash(keyBytes));
  const written = await putObjectIfAbsent(s3, bucket, objectKey, body, sha, options.signal, {
    [KEY_CHECK_HEADER]: check,
  });
  return { key: objectKey, hashes, written };
}
