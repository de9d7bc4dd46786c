// The runtime's SHA-256 that uploads use where it exists: it must give WebCrypto's answer for any bytes,
// views at an offset into a larger buffer included, and step aside where the runtime has no node:crypto.
import { afterEach, expect, test } from "bun:test";
import fc from "fast-check";
import { nodeSha256Hex } from "../src/env.ts";

async function webCryptoHex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Buffer.from(digest).toString("hex");
}

const getBuiltinModule = process.getBuiltinModule;
afterEach(() => {
  process.getBuiltinModule = getBuiltinModule;
});

test("gives WebCrypto's hex SHA-256 for any bytes, views into a larger buffer included", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.uint8Array({ maxLength: 4096 }),
      fc.nat(64),
      fc.nat(64),
      async (bytes, before, after) => {
        const backing = new Uint8Array(before + bytes.length + after).fill(0x2c);
        backing.set(bytes, before);
        const view = backing.subarray(before, before + bytes.length);
        expect(nodeSha256Hex(view)).toBe(await webCryptoHex(bytes));
      },
    ),
    { numRuns: 200 },
  );
  // The SHA-256 of "abc" (FIPS 180-2, appendix B.1).
  expect(nodeSha256Hex(new TextEncoder().encode("abc"))).toBe(
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
});

test("is undefined where the runtime has no process.getBuiltinModule, as in a Worker", () => {
  process.getBuiltinModule = undefined as unknown as typeof process.getBuiltinModule;
  expect(nodeSha256Hex(new Uint8Array([1, 2, 3]))).toBeUndefined();
});
