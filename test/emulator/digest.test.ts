import { expect, test } from "bun:test";
import { checksum, md5, multipartEtag } from "../../src/emulator/digest.ts";

// The check values of the algorithms' own specifications, not this code's output.
test("CRC32 and CRC32C give their standard check values for 123456789; SHA-256 and MD5 their test vectors", async () => {
  // RFC 3720's CRC32C check value for "123456789" is 0xE3069283; CRC32's is 0xCBF43926.
  const b = new TextEncoder().encode("123456789");
  expect(await checksum("crc32", b)).toBe(Buffer.from("cbf43926", "hex").toString("base64"));
  expect(await checksum("crc32c", b)).toBe(Buffer.from("e3069283", "hex").toString("base64"));
  // FIPS 180-2 B.1 and RFC 1321's "abc".
  const abc = new TextEncoder().encode("abc");
  expect(await checksum("sha256", abc)).toBe(
    Buffer.from("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "hex").toString("base64"),
  );
  expect(md5(abc)).toBe("900150983cd24fb0d6963f7d28e17f72");
  expect(await checksum("md4", abc)).toBeUndefined();
});

test("CRC64NVME gives its check value for 123456789 and agrees with the AWS SDK's own implementation", async () => {
  // CRC-64/NVME's catalogued check value (reveng): 0xAE8B14860A799888.
  const b = new TextEncoder().encode("123456789");
  expect(await checksum("crc64nvme", b)).toBe(Buffer.from("ae8b14860a799888", "hex").toString("base64"));
  const { Crc64NvmeJs } = await import("@aws-sdk/checksums/crc");
  for (const size of [0, 1, 7, 8, 9, 1000, 65_537]) {
    const bytes = new Uint8Array(size).map((_, i) => (i * 197 + size) & 0xff);
    const reference = new Crc64NvmeJs();
    reference.update(bytes);
    expect({ size, ours: await checksum("crc64nvme", bytes) }).toEqual({
      size,
      ours: Buffer.from(await reference.digest()).toString("base64"),
    });
  }
});

test("the CRC32 table loop and node:zlib agree (the loop serves runtimes without zlib)", async () => {
  const bytes = new Uint8Array(10_000).map((_, i) => (i * 131) & 0xff);
  const viaZlib = await checksum("crc32", bytes);
  const saved = process.getBuiltinModule;
  process.getBuiltinModule = undefined as unknown as typeof process.getBuiltinModule;
  try {
    const fresh = await import(`../../src/emulator/digest.ts?no-zlib=${Date.now()}`);
    expect(await fresh.checksum("crc32", bytes)).toBe(viaZlib);
  } finally {
    process.getBuiltinModule = saved;
  }
});

test("a multipart ETag is the MD5 of the parts' binary MD5s and their count", () => {
  const parts = ["a", "b"].map((t) => md5(new TextEncoder().encode(t)));
  const joined = Buffer.concat(parts.map((h) => Buffer.from(h, "hex")));
  expect(multipartEtag(parts)).toBe(`${new Bun.CryptoHasher("md5").update(joined).digest("hex")}-2`);
});
