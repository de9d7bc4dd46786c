// The SHA-256 that uploads and the emulator use: node:crypto where the runtime offers it, which must give
// WebCrypto's answer for any bytes (views at an offset included), and WebCrypto where it does not.
import { afterEach, expect, test } from "bun:test";
import fc from "fast-check";
import { nodeSha256Hex, sha256Hex } from "../../src/aws/hash.ts";

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

test("sha256Hex gives the same digest by node:crypto and, without it, by WebCrypto", async () => {
  const bytes = new TextEncoder().encode("USER_ID\nuser-001\n");
  const expected = await webCryptoHex(bytes);
  expect(await sha256Hex(bytes)).toBe(expected);
  process.getBuiltinModule = undefined as unknown as typeof process.getBuiltinModule;
  expect(await sha256Hex(bytes)).toBe(expected);
  // The SHA-256 of nothing, which bodiless S3 requests sign.
  expect(await sha256Hex(new Uint8Array(0))).toBe(
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  );
});
