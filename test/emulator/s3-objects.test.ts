// The emulator's S3 objects against S3's documented behaviour, through the AWS SDK v3 client: conditional
// reads and writes, stored headers, partNumber reads, checksums (full-object and composite), aws-chunked
// uploads (signed chunks and the SDK's unsigned trailer), ListObjectsV2's paging options, what stays 501,
// and S3's size limit.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash, createHmac } from "node:crypto";
import { Readable } from "node:stream";
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketAclCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { AwsV4Signer } from "aws4fetch";
import { createEmulator, emulatorFetch } from "../../src/emulator/handler.ts";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.ts";

const creds = { accessKeyId: "test", secretAccessKey: "test" };
const B = "objects";
const MiB = 1024 * 1024;
let running: RunningEmulator;
const s3 = () =>
  new S3Client({
    region: "us-east-1",
    endpoint: running.endpoint,
    forcePathStyle: true,
    credentials: creds,
    maxAttempts: 1,
  });
const fail = (p: Promise<unknown>) =>
  p.then(() => undefined).catch((e) => e as { name: string; $metadata: { httpStatusCode: number } });
const b64 = (hex: string) => Buffer.from(hex, "hex").toString("base64");
const bytes = (n: number, seed: number) => new Uint8Array(n).map((_, i) => (i * 31 + seed) & 0xff);

beforeAll(async () => {
  running = await startEmulator({ port: 0, jobSeconds: 0, ...creds });
  await s3().send(new CreateBucketCommand({ Bucket: B }));
});
afterAll(() => running.close());

describe("conditional requests", () => {
  test("GET and HEAD: If-Match / If-Unmodified-Since 412, If-None-Match / If-Modified-Since 304, with S3's precedence", async () => {
    const put = await s3().send(new PutObjectCommand({ Bucket: B, Key: "cond", Body: "x" }));
    const etag = put.ETag as string;
    const head = await s3().send(new HeadObjectCommand({ Bucket: B, Key: "cond" }));
    const modified = head.LastModified as Date;
    const before = new Date(modified.getTime() - 60_000);
    const after = new Date(modified.getTime() + 60_000);
    const status = async (input: Record<string, unknown>) => {
      const get = await s3()
        .send(new GetObjectCommand({ Bucket: B, Key: "cond", ...input }))
        .then((r) => r.$metadata.httpStatusCode)
        .catch((e) => e.$metadata.httpStatusCode);
      const headStatus = await s3()
        .send(new HeadObjectCommand({ Bucket: B, Key: "cond", ...input }))
        .then((r) => r.$metadata.httpStatusCode)
        .catch((e) => e.$metadata.httpStatusCode);
      return [get, headStatus];
    };
    expect(await status({ IfMatch: etag })).toEqual([200, 200]);
    expect(await status({ IfMatch: '"0123"' })).toEqual([412, 412]);
    expect(await status({ IfNoneMatch: etag })).toEqual([304, 304]);
    expect(await status({ IfNoneMatch: '"0123"' })).toEqual([200, 200]);
    expect(await status({ IfModifiedSince: after })).toEqual([304, 304]);
    expect(await status({ IfModifiedSince: before })).toEqual([200, 200]);
    expect(await status({ IfUnmodifiedSince: before })).toEqual([412, 412]);
    // If-Match holds: If-Unmodified-Since is not looked at (200); If-None-Match fails: 304 whatever the date.
    expect(await status({ IfMatch: etag, IfUnmodifiedSince: before })).toEqual([200, 200]);
    expect(await status({ IfNoneMatch: etag, IfModifiedSince: before })).toEqual([304, 304]);
    expect(await status({ IfMatch: '"0123"', IfNoneMatch: etag })).toEqual([412, 412]);
  });

  test("PUT: If-Match 412 on another ETag, 404 NoSuchKey without an object; If-None-Match: * 412 once it exists", async () => {
    const first = await s3().send(
      new PutObjectCommand({ Bucket: B, Key: "cput", Body: "1", IfNoneMatch: "*" }),
    );
    expect(
      (await fail(s3().send(new PutObjectCommand({ Bucket: B, Key: "cput", Body: "2", IfNoneMatch: "*" }))))
        ?.name,
    ).toBe("PreconditionFailed");
    expect(
      (await fail(s3().send(new PutObjectCommand({ Bucket: B, Key: "cput", Body: "2", IfMatch: '"abc"' }))))
        ?.name,
    ).toBe("PreconditionFailed");
    expect(
      (
        await fail(
          s3().send(new PutObjectCommand({ Bucket: B, Key: "absent", Body: "2", IfMatch: first.ETag })),
        )
      )?.name,
    ).toBe("NoSuchKey");
    await s3().send(new PutObjectCommand({ Bucket: B, Key: "cput", Body: "3", IfMatch: first.ETag }));
    const got = await s3().send(new GetObjectCommand({ Bucket: B, Key: "cput" }));
    expect(await got.Body?.transformToString()).toBe("3");
  });

  test("CompleteMultipartUpload honours If-None-Match and If-Match", async () => {
    await s3().send(new PutObjectCommand({ Bucket: B, Key: "cmp", Body: "there" }));
    const complete = async (cond: { IfNoneMatch?: string; IfMatch?: string }) => {
      const { UploadId } = await s3().send(new CreateMultipartUploadCommand({ Bucket: B, Key: "cmp" }));
      const part = await s3().send(
        new UploadPartCommand({ Bucket: B, Key: "cmp", UploadId, PartNumber: 1, Body: "p" }),
      );
      return fail(
        s3().send(
          new CompleteMultipartUploadCommand({
            Bucket: B,
            Key: "cmp",
            UploadId,
            MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
            ...cond,
          }),
        ),
      );
    };
    expect((await complete({ IfNoneMatch: "*" }))?.name).toBe("PreconditionFailed");
    expect((await complete({ IfMatch: '"nope"' }))?.name).toBe("PreconditionFailed");
    const current = await s3().send(new HeadObjectCommand({ Bucket: B, Key: "cmp" }));
    expect(await complete({ IfMatch: current.ETag })).toBeUndefined();
  });
});

describe("stored headers and parts", () => {
  test("Cache-Control, Expires, Content-Disposition/Encoding/Language/Type and x-amz-meta-* come back on GET and HEAD, from PUT and from CreateMultipartUpload", async () => {
    const fields = {
      CacheControl: "max-age=60",
      Expires: new Date("2030-01-02T03:04:05Z"),
      ContentDisposition: 'attachment; filename="ids.csv"',
      ContentEncoding: "identity",
      ContentLanguage: "de",
      ContentType: "text/csv",
      Metadata: { purpose: "erasure" },
    };
    await s3().send(new PutObjectCommand({ Bucket: B, Key: "meta", Body: "x", ...fields }));
    const { UploadId } = await s3().send(
      new CreateMultipartUploadCommand({ Bucket: B, Key: "meta-mp", ...fields }),
    );
    const part = await s3().send(
      new UploadPartCommand({ Bucket: B, Key: "meta-mp", UploadId, PartNumber: 1, Body: "y" }),
    );
    await s3().send(
      new CompleteMultipartUploadCommand({
        Bucket: B,
        Key: "meta-mp",
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );
    for (const Key of ["meta", "meta-mp"]) {
      for (const out of [
        await s3().send(new HeadObjectCommand({ Bucket: B, Key })),
        await s3().send(new GetObjectCommand({ Bucket: B, Key })),
      ]) {
        expect({
          Key,
          CacheControl: out.CacheControl,
          Expires: out.Expires,
          ContentDisposition: out.ContentDisposition,
          ContentEncoding: out.ContentEncoding,
          ContentLanguage: out.ContentLanguage,
          ContentType: out.ContentType,
          Metadata: out.Metadata,
        }).toEqual({ Key, ...fields });
      }
    }
  });

  test("partNumber reads one part of a multipart object (206, PartsCount); a plain object is its only part; past the last is 416", async () => {
    const body = bytes(11 * MiB, 9);
    await new Upload({
      client: s3(),
      params: { Bucket: B, Key: "parts", Body: body },
      partSize: 5 * MiB,
    }).done();
    const second = await s3().send(new GetObjectCommand({ Bucket: B, Key: "parts", PartNumber: 2 }));
    expect([
      second.$metadata.httpStatusCode,
      second.PartsCount,
      second.ContentLength,
      second.ContentRange,
    ]).toEqual([206, 3, 5 * MiB, `bytes ${5 * MiB}-${10 * MiB - 1}/${11 * MiB}`]);
    expect(await second.Body?.transformToByteArray()).toEqual(body.subarray(5 * MiB, 10 * MiB));
    const head = await s3().send(new HeadObjectCommand({ Bucket: B, Key: "parts", PartNumber: 3 }));
    expect([head.ContentLength, head.PartsCount]).toEqual([MiB, 3]);
    expect((await s3().send(new HeadObjectCommand({ Bucket: B, Key: "parts" }))).PartsCount).toBeUndefined();
    expect(
      (await fail(s3().send(new GetObjectCommand({ Bucket: B, Key: "parts", PartNumber: 4 }))))?.$metadata
        .httpStatusCode,
    ).toBe(416);
    await s3().send(new PutObjectCommand({ Bucket: B, Key: "single", Body: "whole" }));
    const only = await s3().send(new GetObjectCommand({ Bucket: B, Key: "single", PartNumber: 1 }));
    expect([only.$metadata.httpStatusCode, only.PartsCount, await only.Body?.transformToString()]).toEqual([
      206,
      undefined,
      "whole",
    ]);
  });
});

describe("checksums", () => {
  test("each algorithm is verified, kept and returned with x-amz-checksum-mode: ENABLED; an object sent without one has S3's CRC64NVME", async () => {
    const body = new TextEncoder().encode("123456789");
    const expected = {
      CRC32: b64("cbf43926"),
      CRC32C: b64("e3069283"),
      CRC64NVME: b64("ae8b14860a799888"),
      SHA1: createHash("sha1").update(body).digest("base64"),
      SHA256: createHash("sha256").update(body).digest("base64"),
    } as const;
    for (const [algorithm, value] of Object.entries(expected)) {
      const Key = `sum-${algorithm}`;
      const put = await s3().send(
        new PutObjectCommand({ Bucket: B, Key, Body: body, ChecksumAlgorithm: algorithm as "CRC32" }),
      );
      expect((put as unknown as Record<string, string>)[`Checksum${algorithm}`]).toBe(value);
      const head = await s3().send(new HeadObjectCommand({ Bucket: B, Key, ChecksumMode: "ENABLED" }));
      expect({
        algorithm,
        value: (head as unknown as Record<string, string>)[`Checksum${algorithm}`],
        type: head.ChecksumType,
      }).toEqual({
        algorithm,
        value,
        type: "FULL_OBJECT",
      });
    }
    await s3().send(
      new PutObjectCommand({ Bucket: B, Key: "no-sum", Body: body, ChecksumAlgorithm: undefined }),
    );
    const plain = new S3Client({
      region: "us-east-1",
      endpoint: running.endpoint,
      forcePathStyle: true,
      credentials: creds,
      requestChecksumCalculation: "WHEN_REQUIRED",
    });
    await plain.send(new PutObjectCommand({ Bucket: B, Key: "no-sum", Body: body }));
    const got = await s3().send(new GetObjectCommand({ Bucket: B, Key: "no-sum", ChecksumMode: "ENABLED" }));
    expect([got.ChecksumCRC64NVME, got.ChecksumType]).toEqual([expected.CRC64NVME, "FULL_OBJECT"]);
  });

  test("multipart: COMPOSITE is the checksum of the parts' checksums with -N; FULL_OBJECT is the whole object's", async () => {
    const body = bytes(6 * MiB, 3);
    const parts = [body.subarray(0, 5 * MiB), body.subarray(5 * MiB)];
    const sha = (b: Uint8Array) => createHash("sha256").update(b).digest();
    const composite = await new Upload({
      client: s3(),
      params: { Bucket: B, Key: "composite", Body: body, ChecksumAlgorithm: "SHA256" },
      partSize: 5 * MiB,
    }).done();
    const want = `${sha(Buffer.concat(parts.map(sha))).toString("base64")}-2`;
    expect(composite.ChecksumSHA256).toBe(want);
    const head = await s3().send(
      new HeadObjectCommand({ Bucket: B, Key: "composite", ChecksumMode: "ENABLED" }),
    );
    expect([head.ChecksumSHA256, head.ChecksumType]).toEqual([want, "COMPOSITE"]);
    const part = await s3().send(
      new HeadObjectCommand({ Bucket: B, Key: "composite", ChecksumMode: "ENABLED", PartNumber: 2 }),
    );
    expect(part.ChecksumSHA256).toBe(sha(parts[1] as Uint8Array).toString("base64"));
    const { UploadId } = await s3().send(
      new CreateMultipartUploadCommand({
        Bucket: B,
        Key: "full",
        ChecksumAlgorithm: "CRC64NVME",
        ChecksumType: "FULL_OBJECT",
      }),
    );
    const sent = [];
    for (const [i, Body] of parts.entries()) {
      const up = await s3().send(
        new UploadPartCommand({
          Bucket: B,
          Key: "full",
          UploadId,
          PartNumber: i + 1,
          Body,
          ChecksumAlgorithm: "CRC64NVME",
        }),
      );
      sent.push({ PartNumber: i + 1, ETag: up.ETag, ChecksumCRC64NVME: up.ChecksumCRC64NVME });
    }
    const { Crc64Nvme } = await import("@aws-sdk/checksums/crc");
    const whole = new Crc64Nvme();
    whole.update(body);
    const wholeSum = Buffer.from(await whole.digest()).toString("base64");
    const wrong = await fail(
      s3().send(
        new CompleteMultipartUploadCommand({
          Bucket: B,
          Key: "full",
          UploadId,
          MultipartUpload: { Parts: sent },
          ChecksumCRC64NVME: b64("0000000000000000"),
        }),
      ),
    );
    expect(wrong?.name).toBe("BadDigest");
    const done = await s3().send(
      new CompleteMultipartUploadCommand({
        Bucket: B,
        Key: "full",
        UploadId,
        MultipartUpload: { Parts: sent },
        ChecksumCRC64NVME: wholeSum,
      }),
    );
    expect([done.ChecksumCRC64NVME, done.ChecksumType]).toEqual([wholeSum, "FULL_OBJECT"]);
  });
});

describe("aws-chunked uploads", () => {
  test("the SDK's STREAMING-UNSIGNED-PAYLOAD-TRAILER upload is decoded and its trailing CRC32 verified", async () => {
    const body = bytes(200_000, 5);
    const seen: string[] = [];
    const client = s3();
    client.middlewareStack.add(
      (next) => async (args) => {
        const headers = (args.request as { headers: Record<string, string> }).headers;
        seen.push(headers["x-amz-content-sha256"] as string, headers["x-amz-trailer"] as string);
        return next(args);
      },
      { step: "finalizeRequest", priority: "low" },
    );
    await client.send(
      new PutObjectCommand({
        Bucket: B,
        Key: "trailer",
        Body: Readable.from([body.subarray(0, 70_000), body.subarray(70_000)]),
        ContentLength: body.length,
        ChecksumAlgorithm: "CRC32",
      }),
    );
    expect(seen).toEqual(["STREAMING-UNSIGNED-PAYLOAD-TRAILER", "x-amz-checksum-crc32"]);
    expect(running.emulator.state.buckets.get(B)?.get("trailer")?.body).toEqual(body);
  });

  // An aws-chunked body built by hand, its chunk signatures chained from the seed signature as SigV4 defines.
  async function signedChunked(key: string, chunks: Uint8Array[], tamper = false, trailer?: string) {
    const mode = trailer ? "STREAMING-UNSIGNED-PAYLOAD-TRAILER" : "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
    const decoded = chunks.reduce((n, c) => n + c.length, 0);
    const headers: Record<string, string> = {
      "x-amz-content-sha256": mode,
      "content-encoding": "aws-chunked",
      "x-amz-decoded-content-length": String(decoded),
      ...(trailer ? { "x-amz-trailer": "x-amz-checksum-crc32" } : {}),
    };
    const signer = new AwsV4Signer({
      ...creds,
      url: `${running.endpoint}/${B}/${key}`,
      method: "PUT",
      headers,
      service: "s3",
      region: "us-east-1",
    });
    const signed = await signer.sign();
    const auth = signed.headers.get("authorization") as string;
    const amzDate = signed.headers.get("x-amz-date") as string;
    const day = amzDate.slice(0, 8);
    const hmac = (k: Buffer | string, t: string) => createHmac("sha256", k).update(t).digest();
    const key4 = hmac(
      hmac(hmac(hmac(`AWS4${creds.secretAccessKey}`, day), "us-east-1"), "s3"),
      "aws4_request",
    );
    let previous = (/Signature=([0-9a-f]{64})/.exec(auth) as RegExpExecArray)[1] as string;
    const empty = createHash("sha256").update("").digest("hex");
    const parts: Buffer[] = [];
    for (const chunk of [...chunks, new Uint8Array()]) {
      if (trailer) {
        parts.push(
          Buffer.from(`${chunk.length.toString(16)}\r\n`),
          Buffer.from(chunk),
          Buffer.from(chunk.length ? "\r\n" : ""),
        );
        continue;
      }
      const sts = [
        "AWS4-HMAC-SHA256-PAYLOAD",
        amzDate,
        `${day}/us-east-1/s3/aws4_request`,
        previous,
        empty,
        createHash("sha256").update(chunk).digest("hex"),
      ].join("\n");
      previous = hmac(key4, sts).toString("hex");
      const sig = tamper && chunk.length ? previous.replace(/^./, (c) => (c === "0" ? "1" : "0")) : previous;
      parts.push(
        Buffer.from(`${chunk.length.toString(16)};chunk-signature=${sig}\r\n`),
        Buffer.from(chunk),
        Buffer.from("\r\n"),
      );
    }
    if (trailer) parts.push(Buffer.from(`x-amz-checksum-crc32:${trailer}\r\n\r\n`));
    const body = Buffer.concat(parts);
    return fetch(signed.url, { method: "PUT", headers: signed.headers, body });
  }

  test("STREAMING-AWS4-HMAC-SHA256-PAYLOAD: each chunk's signature is verified; a tampered one is 403, a short middle chunk 400", async () => {
    const body = bytes(20_000, 8);
    const ok = await signedChunked("signed", [body.subarray(0, 10_000), body.subarray(10_000)]);
    expect(ok.status).toBe(200);
    expect(running.emulator.state.buckets.get(B)?.get("signed")?.body).toEqual(body);
    const bad = await signedChunked("tampered", [body.subarray(0, 10_000), body.subarray(10_000)], true);
    expect([bad.status, (await bad.text()).includes("<Code>SignatureDoesNotMatch</Code>")]).toEqual([
      403,
      true,
    ]);
    const small = await signedChunked("small", [body.subarray(0, 100), body.subarray(100)]);
    expect([small.status, (await small.text()).includes("<Code>InvalidChunkSizeError</Code>")]).toEqual([
      400,
      true,
    ]);
    expect(running.emulator.state.buckets.get(B)?.has("tampered")).toBe(false);
  });

  test("a trailing checksum of other bytes is 400 BadDigest and stores nothing", async () => {
    const res = await signedChunked("bad-trailer", [bytes(1000, 1)], false, "AAAAAA==");
    expect([res.status, (await res.text()).includes("<Code>BadDigest</Code>")]).toEqual([400, true]);
    expect(running.emulator.state.buckets.get(B)?.has("bad-trailer")).toBe(false);
  });
});

describe("listings", () => {
  test("ListObjectsV2: a continuation token with start-after resumes the listing, fetch-owner adds Owner, start-after past the end lists nothing", async () => {
    for (const k of ["l/a", "l/b", "l/c", "l/d"])
      await s3().send(new PutObjectCommand({ Bucket: B, Key: k, Body: "x" }));
    const first = await s3().send(
      new ListObjectsV2Command({ Bucket: B, Prefix: "l/", StartAfter: "l/a", MaxKeys: 2, FetchOwner: true }),
    );
    expect(first.Contents?.map((c) => c.Key)).toEqual(["l/b", "l/c"]);
    expect(first.Contents?.[0]?.Owner?.ID).toBe("emulator");
    expect(first.StartAfter).toBe("l/a");
    const rest = await s3().send(
      new ListObjectsV2Command({
        Bucket: B,
        Prefix: "l/",
        StartAfter: "l/a",
        ContinuationToken: first.NextContinuationToken,
      }),
    );
    expect([rest.Contents?.map((c) => c.Key), rest.IsTruncated, rest.Contents?.[0]?.Owner]).toEqual([
      ["l/d"],
      false,
      undefined,
    ]);
    const past = await s3().send(new ListObjectsV2Command({ Bucket: B, Prefix: "l/", StartAfter: "l/z" }));
    expect([past.KeyCount, past.Contents, past.IsTruncated]).toEqual([0, undefined, false]);
    const bad = await fail(s3().send(new ListObjectsV2Command({ Bucket: B, ContinuationToken: "garbage!" })));
    expect(bad?.name).toBe("InvalidArgument");
  });
});

describe("what stays unimplemented, and S3's size limit", () => {
  test("CopyObject, ACLs and policies are 501 NotImplemented, and nothing is written", async () => {
    await s3().send(new PutObjectCommand({ Bucket: B, Key: "src", Body: "x" }));
    const copy = await fail(
      s3().send(new CopyObjectCommand({ Bucket: B, Key: "copy", CopySource: `${B}/src` })),
    );
    expect([copy?.name, copy?.$metadata.httpStatusCode]).toEqual(["NotImplemented", 501]);
    expect(running.emulator.state.buckets.get(B)?.has("copy")).toBe(false);
    expect((await fail(s3().send(new PutBucketAclCommand({ Bucket: B, ACL: "public-read" }))))?.name).toBe(
      "NotImplemented",
    );
    expect((await fail(s3().send(new PutBucketPolicyCommand({ Bucket: B, Policy: "{}" }))))?.name).toBe(
      "NotImplemented",
    );
    expect(
      (
        await fail(
          s3().send(
            new PutObjectCommand({ Bucket: B, Key: "enc", Body: "x", ServerSideEncryption: "aws:kms" }),
          ),
        )
      )?.name,
    ).toBe("NotImplemented");
  });

  test("a PUT whose Content-Length is over 5 GiB is refused EntityTooLarge before its body is read", async () => {
    const emulator = createEmulator({ ...creds });
    let pulled = 0;
    const body = new ReadableStream(
      {
        pull(controller) {
          pulled++;
          controller.enqueue(new Uint8Array(1024));
        },
      },
      { highWaterMark: 0 },
    );
    const signed = await new AwsV4Signer({
      ...creds,
      url: `http://emulator/${emulator.bucket}/huge.bin`,
      method: "PUT",
      headers: { "content-length": String(6 * 1024 ** 3), "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
      service: "s3",
      region: "us-east-1",
    }).sign();
    const request = new Request(signed.url, {
      method: "PUT",
      headers: signed.headers,
      body,
      duplex: "half",
    } as RequestInit);
    // Whatever the runtime pulls by itself once a stream is a request's body, before anyone reads it.
    await new Promise((r) => setTimeout(r, 20));
    const before = pulled;
    const res = await emulatorFetch(emulator)(request);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("<Code>EntityTooLarge</Code>");
    // Reading it would pull 6 GiB in 1 KiB chunks; a refusal from the header leaves it at most primed.
    expect(pulled).toBeLessThan(before + 2);
  });
});
