// HMAC-SHA256 under one key, synchronously (@noble/hashes): the row readers that match ids against a
// suppression list are synchronous, and WebCrypto's HMAC is async only. The key's padded blocks are hashed
// once; each message reuses one working state instead of allocating a new one per row.
import { type _HMAC, hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";

/** HMAC-SHA256 under a fixed key (any length: the suppression list checks its own minimum). */
export class KeyedHash {
  private readonly base: _HMAC<ReturnType<typeof sha256.create>>;
  private work: _HMAC<ReturnType<typeof sha256.create>>;

  constructor(key: Uint8Array) {
    this.base = hmac.create(sha256, key);
    this.work = this.base.clone();
  }

  /** Writes the 32-byte HMAC of `bytes[start, end)` into `out` from its start. */
  into(bytes: Uint8Array, start: number, end: number, out: Uint8Array): void {
    this.work = this.base._cloneInto(this.work);
    this.work.update(bytes.subarray(start, end));
    this.work.digestInto(out);
  }

  /** The 32-byte HMAC of `bytes`. */
  of(bytes: Uint8Array): Uint8Array {
    const out = new Uint8Array(32);
    this.into(bytes, 0, bytes.length, out);
    return out;
  }
}
