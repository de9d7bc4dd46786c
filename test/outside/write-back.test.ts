// The conditional write-back against the emulator, judged with the AWS SDK: one PUT or a multipart upload
// of fixed parts, Content-Type and metadata kept, a changed object never replaced (412 as its own error),
// a failure midway leaving the original and no upload, and the writer's memory bounded by two parts.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { ConfigurationError } from "../../src/errors.ts";
import { scrubCsv } from "../../src/outside/csv-rows.ts";
import { IdSet } from "../../src/outside/ids.ts";
import { WriteConflictError, writeBack } from "../../src/outside/write-back.ts";
import { chunked, utf8 } from "./chunks.ts";
import { type S3World, s3ErrorResponse, s3World } from "./s3-emulator.ts";

const MiB = 1024 * 1024;
let world: S3World;
beforeAll(async () => {
  world = await s3World();
});
afterAll(() => world.running.close());

const bytesOf = (n: number, seed: number) => new Uint8Array(n).map((_, i) => (i * 131 + seed) & 0xff);
const extra = {
  ContentType: "text/csv; charset=utf-8",
  Metadata: { owner: "data-team", "source-job": "import-7" },
};

test("an output of at most one part is one conditional PUT, with the Content-Type and metadata kept", async () => {
  const B = await world.bucket(true);
  const first = await world.put(B, "small.csv", "old", extra);
  const seen: string[] = [];
  const target = world.target((url, init, send) => {
    seen.push(`${init.method} ${new Headers(init.headers).get("if-match")}`);
    return send(url, init);
  });
  const body = bytesOf(5 * MiB, 1);
  const result = await writeBack(target, B, "small.csv", chunked(body, [70_000]), {
    etag: first.ETag as string,
    contentType: extra.ContentType,
    meta: { owner: "data-team", "source-job": "import-7" },
    partBytes: 5 * MiB,
  });
  expect(seen).toEqual([`PUT ${first.ETag}`]);
  expect(result).toMatchObject({ written: true, parts: 1, bytes: body.length });
  const now = await world.get(B, "small.csv");
  expect(now.versionId).toBe(result.versionId as string);
  expect(Buffer.from(now.bytes).equals(Buffer.from(body))).toBe(true);
  expect(now.contentType).toBe(extra.ContentType);
  expect(now.meta).toEqual(extra.Metadata);
});

test("a larger output is a multipart upload of fixed parts completed with If-Match; every byte and field kept", async () => {
  const B = await world.bucket(false);
  const first = await world.put(B, "big.csv", "old", extra);
  const methods: string[] = [];
  const target = world.target((url, init, send) => {
    const q = new URL(url).searchParams;
    const op = q.has("uploads")
      ? "create"
      : q.has("partNumber")
        ? `part${q.get("partNumber")}`
        : q.has("uploadId")
          ? `complete(${new Headers(init.headers).get("if-match")})`
          : String(init.method);
    methods.push(op);
    return send(url, init);
  });
  const body = bytesOf(12 * MiB + 123, 2);
  const result = await writeBack(target, B, "big.csv", chunked(body, [65_536, 1_000_003, 7]), {
    etag: first.ETag as string,
    contentType: extra.ContentType,
    meta: extra.Metadata,
    partBytes: 5 * MiB,
  });
  expect(methods).toEqual(["create", "part1", "part2", "part3", `complete(${first.ETag})`]);
  expect(result).toMatchObject({ written: true, parts: 3, bytes: body.length });
  const now = await world.get(B, "big.csv");
  expect(Buffer.from(now.bytes).equals(Buffer.from(body))).toBe(true);
  expect(now.etag).toMatch(/-3"$/);
  expect(now.contentType).toBe(extra.ContentType);
  expect(now.meta).toEqual(extra.Metadata);
  expect(await world.uploads(B)).toBe(0);
});

test("an output of exactly one part still goes in one PUT", async () => {
  const B = await world.bucket(false);
  const first = await world.put(B, "exact.csv", "old");
  const result = await writeBack(world.target(), B, "exact.csv", chunked(bytesOf(5 * MiB, 3), [MiB]), {
    etag: first.ETag as string,
    partBytes: 5 * MiB,
  });
  expect(result.parts).toBe(1);
  expect((await world.get(B, "exact.csv")).etag).not.toContain("-");
});

test("an object written since it was read is not replaced: 412 is a WriteConflictError, one PUT or multipart", async () => {
  const B = await world.bucket(true);
  const first = await world.put(B, "c.csv", "read");
  await world.put(B, "c.csv", "someone else's");
  for (const size of [100, 11 * MiB]) {
    const error = await writeBack(world.target(), B, "c.csv", chunked(bytesOf(size, 4), [MiB]), {
      etag: first.ETag as string,
      partBytes: 5 * MiB,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WriteConflictError);
    expect(new TextDecoder().decode((await world.get(B, "c.csv")).bytes)).toBe("someone else's");
  }
  expect(await world.uploads(B)).toBe(0);
  expect((await world.versions(B)).versions.length).toBe(2);
});

test("409 ConditionalRequestConflict on the completion is a conflict, not retried: the upload is aborted", async () => {
  const B = await world.bucket(false);
  const first = await world.put(B, "r.csv", "the original");
  let completions = 0;
  const target = world.target((url, init, send) => {
    const q = new URL(url).searchParams;
    if (init.method === "POST" && q.has("uploadId")) {
      completions++;
      return Promise.resolve(s3ErrorResponse(409, "ConditionalRequestConflict"));
    }
    return send(url, init);
  });
  const error = await writeBack(target, B, "r.csv", chunked(bytesOf(11 * MiB, 7), [MiB]), {
    etag: first.ETag as string,
    partBytes: 5 * MiB,
  }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(WriteConflictError);
  expect((error as Error).message).toContain("ConditionalRequestConflict");
  expect(completions).toBe(1);
  expect(await world.uploads(B)).toBe(0);
  expect(new TextDecoder().decode((await world.get(B, "r.csv")).bytes)).toBe("the original");
});

test("a multipart write failing at its 2nd part aborts the upload: the original untouched, no upload left", async () => {
  const B = await world.bucket(false);
  const first = await world.put(B, "f.csv", "the original", extra);
  const target = world.target((url, init, send) =>
    new URL(url).searchParams.get("partNumber") === "2"
      ? Promise.resolve(s3ErrorResponse(403, "AccessDenied"))
      : send(url, init),
  );
  const error = await writeBack(target, B, "f.csv", chunked(bytesOf(16 * MiB, 5), [MiB]), {
    etag: first.ETag as string,
    partBytes: 5 * MiB,
  }).catch((e: unknown) => e);
  expect((error as Error).name).toBe("AccessDenied");
  expect(await world.uploads(B)).toBe(0);
  const now = await world.get(B, "f.csv");
  expect(new TextDecoder().decode(now.bytes)).toBe("the original");
  expect(now.etag).toBe(first.ETag);
});

test("a failing input stream also aborts the upload", async () => {
  const B = await world.bucket(false);
  const first = await world.put(B, "s.csv", "the original");
  let sent = 0;
  const failing = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= 12 * MiB) return controller.error(new Error("the source broke"));
      controller.enqueue(bytesOf(MiB, sent));
      sent += MiB;
    },
  });
  const error = await writeBack(world.target(), B, "s.csv", failing, {
    etag: first.ETag as string,
    partBytes: 5 * MiB,
  }).catch((e: unknown) => e);
  expect((error as Error).message).toBe("the source broke");
  expect(await world.uploads(B)).toBe(0);
  expect(new TextDecoder().decode((await world.get(B, "s.csv")).bytes)).toBe("the original");
});

test("shouldWrite false at the end writes nothing, single part or multipart", async () => {
  const B = await world.bucket(true);
  const first = await world.put(B, "n.csv", "the original");
  for (const size of [10, 11 * MiB]) {
    const result = await writeBack(world.target(), B, "n.csv", chunked(bytesOf(size, 6), [MiB]), {
      etag: first.ETag as string,
      partBytes: 5 * MiB,
      shouldWrite: () => false,
    });
    expect(result.written).toBe(false);
  }
  expect(await world.uploads(B)).toBe(0);
  expect((await world.versions(B)).versions.length).toBe(1);
});

test("a scrub of a 40 MiB CSV through the writer holds at most two 5 MiB parts at once", async () => {
  const B = await world.bucket(false);
  const lines: string[] = ["USER_ID,ITEM_ID,TIMESTAMP\n"];
  for (let i = 0; lines.length < 1_600_000; i++)
    lines.push(`user-${i % 997},item-${i},${1_700_000_000 + i}\n`);
  const input = utf8(lines.join(""));
  expect(input.length).toBeGreaterThan(40 * MiB);
  const erased = new Set(["user-3", "user-500"]);
  const expected = utf8(lines.filter((l) => !erased.has(l.slice(0, l.indexOf(",")))).join(""));
  const first = await world.put(B, "large.csv", "old");
  const transform = scrubCsv(IdSet.of(erased));
  const result = await writeBack(
    world.target(),
    B,
    "large.csv",
    chunked(input, [64 * 1024]).pipeThrough(transform),
    { etag: first.ETag as string, partBytes: 5 * MiB },
  );
  expect(result.parts).toBe(Math.ceil(expected.length / (5 * MiB)));
  expect(result.peakBytesHeld).toBeLessThanOrEqual(2 * 5 * MiB);
  expect(result.peakBytesHeld).toBeGreaterThan(5 * MiB);
  expect(transform.count().matching).toBeGreaterThan(0);
  expect(Buffer.from((await world.get(B, "large.csv")).bytes).equals(Buffer.from(expected))).toBe(true);
}, 60_000);

test("a small output holds a buffer of about its size, not a whole part", async () => {
  const B = await world.bucket(false);
  const first = await world.put(B, "tiny.csv", "old");
  const body = bytesOf(300_000, 8);
  const result = await writeBack(world.target(), B, "tiny.csv", chunked(body, [4096]), {
    etag: first.ETag as string,
    sizeHint: body.length,
  });
  expect(result).toMatchObject({ written: true, parts: 1 });
  expect(result.peakBytesHeld).toBeLessThanOrEqual(2 * body.length);
  expect(Buffer.from((await world.get(B, "tiny.csv")).bytes).equals(Buffer.from(body))).toBe(true);
});

test("a part size S3 would refuse is a ConfigurationError naming partBytes", async () => {
  const error = await writeBack(world.target(), "b", "k", chunked(utf8("x"), []), {
    etag: '"x"',
    partBytes: MiB,
  }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigurationError);
  expect((error as Error).message).toContain("partBytes");
  expect((error as Error).message).toContain(String(MiB));
});
