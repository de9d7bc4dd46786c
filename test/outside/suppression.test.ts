// The suppression list: keyed hashes of the erased ids in S3, never the ids. The expected hashes are made
// here with node:crypto's createHmac, the HMAC itself is checked against RFC 4231's vectors, and what lands
// in S3 is read back with the AWS SDK v3 against the emulator.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash, createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { listObjects } from "../../src/aws/s3-list.ts";
import { ValidationError } from "../../src/errors.ts";
import { scanCsv } from "../../src/outside/csv-rows.ts";
import { IdSet } from "../../src/outside/ids.ts";
import { KeyedHash } from "../../src/outside/keyed-hash.ts";
import { appendSuppression, SuppressionList, suppressionKeyBytes } from "../../src/outside/suppression.ts";
import { chunked, utf8 } from "./chunks.ts";
import { type S3World, s3World } from "./s3-emulator.ts";

const KEY = `${"k".repeat(20)}-suppression-key-32b`; // 40 bytes
const OTHER_KEY = new Uint8Array(32).fill(7);
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const expectedHmac = (key: string | Uint8Array, id: string) =>
  createHmac("sha256", key).update(id, "utf8").digest("hex");
// The object's content as the module should write it: the distinct HMACs, sorted, concatenated.
const expectedContent = (key: string | Uint8Array, ids: string[]) =>
  [...new Set(ids.filter((id) => id !== "").map((id) => expectedHmac(key, id)))].sort().join("");

interface Rfc4231 {
  cases: { testCase: number; key: string; data: string; hmacSha256: string }[];
}
const rfc = JSON.parse(
  readFileSync(new URL("../fixtures/crypto/hmac-sha256-rfc4231.json", import.meta.url), "utf8"),
) as Rfc4231;

describe("the HMAC the list calls (KeyedHash over @noble/hashes)", () => {
  test("RFC 4231's HMAC-SHA-256 vectors, and node:crypto agrees with the fixture", () => {
    expect(rfc.cases.map((c) => c.testCase)).toEqual([1, 2, 3, 4, 6, 7]);
    for (const c of rfc.cases) {
      const key = Buffer.from(c.key, "hex");
      const data = new Uint8Array(Buffer.from(c.data, "hex"));
      expect(createHmac("sha256", key).update(data).digest("hex")).toBe(c.hmacSha256);
      const hash = new KeyedHash(new Uint8Array(key));
      // Twice on one instance: the reused working state must start from the key's state each time.
      expect(hex(hash.of(data))).toBe(c.hmacSha256);
      expect(hex(hash.of(data))).toBe(c.hmacSha256);
    }
  });

  test("one instance over many messages and sub-ranges matches createHmac for each", () => {
    const hash = new KeyedHash(utf8(KEY));
    const buffer = utf8(`xx${"user-é-日-😀,".repeat(20)}yy`);
    for (let start = 0; start < 40; start += 3) {
      for (const length of [0, 1, 5, 55, 56, 63, 64, 65, 120]) {
        const end = Math.min(buffer.length, start + length);
        const out = new Uint8Array(32);
        hash.into(buffer, start, end, out);
        expect(hex(out)).toBe(createHmac("sha256", KEY).update(buffer.subarray(start, end)).digest("hex"));
      }
    }
  });
});

describe("suppressionKey", () => {
  test("shorter than 32 bytes is refused naming the setting and the length, never the key", () => {
    const short = "secret-key-31-bytes-long-abcdef";
    expect(short.length).toBe(31);
    let error: unknown;
    try {
      suppressionKeyBytes(short);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const message = (error as Error).message;
    expect(message).toContain("suppressionKey");
    expect(message).toContain("ERASURE_SUPPRESSION_KEY");
    expect(message).toContain("31 bytes");
    expect(message).not.toContain(short);
    expect(() => suppressionKeyBytes(new Uint8Array(31))).toThrow("received 31 bytes");
    expect(() => suppressionKeyBytes(undefined)).toThrow("received undefined");
  });

  test("the length is in UTF-8 bytes: 11 euro signs are 33 bytes and pass, 32 bytes pass", () => {
    expect(suppressionKeyBytes("€".repeat(11))).toHaveLength(33);
    expect(suppressionKeyBytes(new Uint8Array(32))).toHaveLength(32);
    expect(() => suppressionKeyBytes("€".repeat(10))).toThrow("received 30 bytes");
  });
});

describe("SuppressionList in memory", () => {
  const ids = ["user-1", "Ünïcode-日本", "with,comma", 'q"uote', "user-1", ""];

  test("has() matches each id exactly (no trimming, no case folding) and no other", () => {
    const list = SuppressionList.of(ids, KEY);
    expect(list.size).toBe(4);
    for (const id of ["user-1", "Ünïcode-日本", "with,comma", 'q"uote']) expect(list.has(id)).toBe(true);
    for (const id of ["User-1", "user-1 ", " user-1", "user-2", "", "Ünïcode-日"])
      expect(list.has(id)).toBe(false);
  });

  test("hasBytes() matches a field where it lies in a larger buffer", () => {
    const list = SuppressionList.of(ids, KEY);
    const row = utf8("2,Ünïcode-日本,x\n");
    const start = 2;
    const end = start + utf8("Ünïcode-日本").length;
    expect(list.hasBytes(row, start, end)).toBe(true);
    expect(list.hasBytes(row, start, end - 1)).toBe(false);
    expect(list.hasBytes(row, start, start)).toBe(false);
  });

  test("built from the erased-id set's bytes, it holds the same hashes as from strings", () => {
    const fromSet = SuppressionList.of(IdSet.of(ids), KEY);
    expect(fromSet.size).toBe(4);
    expect(fromSet.has("with,comma")).toBe(true);
    expect(fromSet.has("user-2")).toBe(false);
  });

  test("the CSV reader matches an import source's USER_ID column against it", async () => {
    const list = SuppressionList.of(["u2", "u4"], KEY);
    const csv = utf8('USER_ID,ITEM_ID\nu1,a\nu2,b\n"u4",c\nu2 ,d\nu5,e\n');
    expect(await scanCsv(chunked(csv, [3, 7]), list)).toEqual({ rows: 5, matching: 2 });
  });
});

describe("in S3 (the emulator, judged with the AWS SDK)", () => {
  let world: S3World;
  let bucket: string;
  beforeAll(async () => {
    world = await s3World();
    bucket = await world.bucket(false);
  });
  afterAll(() => world.running.close());
  const list = async (Prefix: string) =>
    ((await world.sdk.send(new ListObjectsV2Command({ Bucket: bucket, Prefix }))).Contents ?? []).map(
      (o) => o.Key as string,
    );

  test("an append writes one object: the sorted distinct HMACs, raw, named <time>-<sha256>.bin", async () => {
    const ids = ["zed", "alpha", "日本語", "alpha", "with space", ""];
    const now = () => new Date("2026-12-06T22:30:01.234Z");
    const out = await appendSuppression(world.target(), `s3://${bucket}/sup-a/`, ids, KEY, { now });
    const content = expectedContent(KEY, ids);
    const sha = createHash("sha256").update(Buffer.from(content, "hex")).digest("hex");
    expect(out).toEqual({ key: `sup-a/20261206T223001.234Z-${sha}.bin`, hashes: 4, written: true });
    expect(await list("sup-a/")).toEqual([out.key]);
    const stored = await world.get(bucket, out.key);
    expect(hex(stored.bytes)).toBe(content);
    expect(stored.bytes.length).toBe(4 * 32);
    expect(stored.contentType).toBe("application/octet-stream");
    expect(stored.meta?.["suppression-key-check"]).toMatch(/^[0-9a-f]{16}$/);
    // No id's bytes in what is stored.
    const raw = Buffer.from(stored.bytes);
    for (const id of ["zed", "alpha", "日本語", "with space"])
      expect(raw.includes(Buffer.from(id))).toBe(false);
  });

  test("appending the same users again (another order, another time) writes nothing", async () => {
    const uri = `s3://${bucket}/sup-b/`;
    const first = await appendSuppression(world.target(), uri, ["a1", "b2", "c3"], KEY);
    const again = await appendSuppression(world.target(), uri, new Set(["c3", "a1", "b2", "a1"]), KEY, {
      now: () => new Date(Date.now() + 60_000),
    });
    expect(again).toEqual({ key: first.key, hashes: 3, written: false });
    expect(await list("sup-b/")).toEqual([first.key]);
  });

  test("load merges every object into one list; has() finds each user of each erasure", async () => {
    const uri = `s3://${bucket}/sup-c/`;
    await appendSuppression(world.target(), uri, ["u1", "u2", "u3"], KEY);
    await appendSuppression(world.target(), uri, IdSet.of(["u3", "u4", "ü5"]), KEY);
    await world.put(bucket, "sup-c/", new Uint8Array(0)); // a console "folder" placeholder
    const loaded = await SuppressionList.load(world.target(), uri, KEY);
    expect(loaded.size).toBe(5);
    for (const id of ["u1", "u2", "u3", "u4", "ü5"]) expect(loaded.has(id)).toBe(true);
    for (const id of ["u5", "U1", "u", ""]) expect(loaded.has(id)).toBe(false);
  });

  test("an empty folder is an empty list", async () => {
    const loaded = await SuppressionList.load(world.target(), `s3://${bucket}/nothing-here/`, KEY);
    expect(loaded.size).toBe(0);
    expect(loaded.has("u1")).toBe(false);
  });

  test("the folder is listed over every page (continuation tokens), keys with & and spaces decoded", async () => {
    const keys = ["sup-d/a&b.bin", "sup-d/c d.bin", "sup-d/e.bin", "sup-d/f.bin", "sup-d/g.bin"];
    for (const [i, key] of keys.entries())
      await world.put(bucket, key, createHmac("sha256", KEY).update(`p${i}`).digest());
    const listed = await listObjects(world.target(), bucket, "sup-d/", undefined, 2);
    expect(listed).toEqual(keys.map((key) => ({ key, size: 32 })));
    const loaded = await SuppressionList.load(world.target(), `s3://${bucket}/sup-d/`, KEY);
    expect(loaded.size).toBe(5);
    expect(loaded.has("p4")).toBe(true);
    expect(loaded.has("p5")).toBe(false);
  });

  test("many objects (one per erasure) are read a few at a time: at most 8 GETs in flight", async () => {
    for (let i = 0; i < 20; i++)
      await appendSuppression(world.target(), `s3://${bucket}/sup-many/`, [`m${i}`, `shared`], KEY);
    let inFlight = 0;
    let most = 0;
    const counting = world.target(async (url, init, send) => {
      if (init.method !== "GET" || url.includes("list-type=2")) return send(url, init);
      most = Math.max(most, ++inFlight);
      try {
        return await send(url, init);
      } finally {
        inFlight--;
      }
    });
    const loaded = await SuppressionList.load(counting, `s3://${bucket}/sup-many/`, KEY);
    expect(loaded.size).toBe(21);
    expect(loaded.has("m19")).toBe(true);
    expect(loaded.has("shared")).toBe(true);
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(8);
  });

  test("an object whose size is not a multiple of 32 is refused, naming its key", async () => {
    await world.put(bucket, "sup-e/notes.txt", new Uint8Array(33));
    await expect(SuppressionList.load(world.target(), `s3://${bucket}/sup-e/`, KEY)).rejects.toThrow(
      `s3://${bucket}/sup-e/notes.txt holds 33 bytes, not a multiple of 32`,
    );
  });

  test("an object whose content is not what its name's SHA-256 says is refused", async () => {
    const body = createHmac("sha256", KEY).update("x").digest();
    const name = `sup-f/20260101T000000.000Z-${"0".repeat(64)}.bin`;
    await world.put(bucket, name, body);
    await expect(SuppressionList.load(world.target(), `s3://${bucket}/sup-f/`, KEY)).rejects.toThrow(
      `s3://${bucket}/${name} does not hold the content its name's SHA-256 says`,
    );
  });

  test("a folder written under another key is refused instead of matching no one; no key in the message", async () => {
    await appendSuppression(world.target(), `s3://${bucket}/sup-g/`, ["u1"], OTHER_KEY);
    const error = await SuppressionList.load(world.target(), `s3://${bucket}/sup-g/`, KEY).catch((e) => e);
    expect((error as Error).message).toContain("was written under another key");
    expect((error as Error).message).not.toContain(KEY);
    expect((error as Error).message).not.toContain(hex(OTHER_KEY));
  });

  test("hashes made under another key (no key check stored) match no one: why the check is written", async () => {
    await world.put(bucket, "sup-h/raw.bin", createHmac("sha256", OTHER_KEY).update("u1").digest());
    const loaded = await SuppressionList.load(world.target(), `s3://${bucket}/sup-h/`, KEY);
    expect(loaded.size).toBe(1);
    expect(loaded.has("u1")).toBe(false);
    const right = await SuppressionList.load(world.target(), `s3://${bucket}/sup-h/`, OTHER_KEY);
    expect(right.has("u1")).toBe(true);
  });

  test("the location must be a folder; a missing bucket is S3's error, not an empty list", async () => {
    await expect(SuppressionList.load(world.target(), `s3://${bucket}/file.bin`, KEY)).rejects.toThrow(
      "suppression: must be a folder",
    );
    await expect(appendSuppression(world.target(), `s3://${bucket}/x`, ["u1"], KEY)).rejects.toThrow(
      "suppression: must be a folder",
    );
    await expect(SuppressionList.load(world.target(), "s3://no-such-bucket-here/s/", KEY)).rejects.toThrow(
      "NoSuchBucket",
    );
  });
});
