// The emulator's S3 against what real S3 clients send: the official AWS SDK v3 client, @aws-sdk/lib-storage
// (multipart uploads) and @aws-sdk/s3-request-presigner (query-string SigV4) are the reference. Where AWS
// documents a refusal, the emulator must refuse too.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { ListDataDeletionJobsCommand, PersonalizeClient } from "@aws-sdk/client-personalize";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  ListPartsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { AwsV4Signer } from "aws4fetch";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.ts";

const creds = { accessKeyId: "test", secretAccessKey: "test" };
const BUCKET = "conformance";
const MiB = 1024 * 1024;
let running: RunningEmulator;

function s3(region = "us-east-1") {
  return new S3Client({
    region,
    endpoint: running.endpoint,
    forcePathStyle: true,
    credentials: creds,
    maxAttempts: 1,
  });
}
const md5 = (bytes: Uint8Array) => createHash("md5").update(bytes).digest("hex");
const bytesOf = (n: number, seed: number) => {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
};
async function bodyOf(key: string, range?: string) {
  const out = await s3().send(
    new GetObjectCommand({ Bucket: BUCKET, Key: key, ...(range ? { Range: range } : {}) }),
  );
  return {
    out,
    bytes: await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
  };
}
const stored = (key: string) => running.emulator.state.buckets.get(BUCKET)?.get(key);

beforeAll(async () => {
  running = await startEmulator({ port: 0, jobSeconds: 0, ...creds });
  await s3().send(new CreateBucketCommand({ Bucket: BUCKET }));
});
afterAll(() => running.close());

describe("objects", () => {
  test("a plain PUT's ETag is the MD5 of its bytes, as S3's is", async () => {
    const body = bytesOf(1000, 1);
    const put = await s3().send(new PutObjectCommand({ Bucket: BUCKET, Key: "etag.bin", Body: body }));
    expect(put.ETag).toBe(`"${md5(body)}"`);
    const head = await s3().send(new HeadObjectCommand({ Bucket: BUCKET, Key: "etag.bin" }));
    expect(head.ETag).toBe(`"${md5(body)}"`);
  });

  test("a ranged GET answers 206 with Content-Range and only those bytes; past the end is 416", async () => {
    const body = bytesOf(10_000, 2);
    await s3().send(new PutObjectCommand({ Bucket: BUCKET, Key: "range.bin", Body: body }));
    const middle = await bodyOf("range.bin", "bytes=100-199");
    expect(middle.out.$metadata.httpStatusCode).toBe(206);
    expect(middle.out.ContentRange).toBe("bytes 100-199/10000");
    expect(middle.bytes).toEqual(body.subarray(100, 200));
    const tail = await bodyOf("range.bin", "bytes=-10");
    expect(tail.bytes).toEqual(body.subarray(9990));
    const open = await bodyOf("range.bin", "bytes=9995-");
    expect(open.out.ContentRange).toBe("bytes 9995-9999/10000");
    const error = await bodyOf("range.bin", "bytes=20000-").catch((e) => e);
    expect(error.name).toBe("InvalidRange");
    expect(error.$metadata.httpStatusCode).toBe(416);
  });

  test("a subresource the emulator does not implement is 501 NotImplemented, and the object is untouched", async () => {
    const body = new TextEncoder().encode("USER_ID\nu1\n");
    await s3().send(new PutObjectCommand({ Bucket: BUCKET, Key: "tagged.csv", Body: body }));
    const error = await s3()
      .send(
        new PutObjectTaggingCommand({
          Bucket: BUCKET,
          Key: "tagged.csv",
          Tagging: { TagSet: [{ Key: "a", Value: "b" }] },
        }),
      )
      .catch((e) => e);
    expect(error.name).toBe("NotImplemented");
    expect(error.$metadata.httpStatusCode).toBe(501);
    expect(stored("tagged.csv")?.body).toEqual(body);
    for (const query of ["acl", "retention", "legal-hold", "torrent", "versioning"]) {
      const signed = await new AwsV4Signer({
        ...creds,
        url: `${running.endpoint}/${BUCKET}/tagged.csv?${query}`,
        method: "GET",
        service: "s3",
        region: "us-east-1",
      }).sign();
      const res = await fetch(signed.url, { headers: signed.headers });
      expect({ query, status: res.status }).toEqual({ query, status: 501 });
      expect(await res.text()).toContain("<Code>NotImplemented</Code>");
    }
  });

  test("a checksum header of other bytes is 400 BadDigest; the SDK's own CRC32 passes", async () => {
    const signed = await new AwsV4Signer({
      ...creds,
      url: `${running.endpoint}/${BUCKET}/crc.csv`,
      method: "PUT",
      headers: { "x-amz-checksum-crc32": "AAAAAA==" },
      body: "USER_ID\nu1\n",
      service: "s3",
      region: "us-east-1",
    }).sign();
    const res = await fetch(signed.url, { method: "PUT", headers: signed.headers, body: "USER_ID\nu1\n" });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("The CRC32 you specified did not match");
    expect(stored("crc.csv")).toBeUndefined();
    await s3().send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: "crc.csv",
        Body: "USER_ID\nu1\n",
        ChecksumAlgorithm: "CRC32C",
      }),
    );
    expect(stored("crc.csv")).toBeDefined();
  });

  test("a wrong Content-MD5 is 400 BadDigest and stores nothing", async () => {
    const error = await s3()
      .send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: "digest.csv",
          Body: "USER_ID\nu1\n",
          ContentMD5: createHash("md5").update("something else").digest("base64"),
        }),
      )
      .catch((e) => e);
    expect(error.name).toBe("BadDigest");
    expect(stored("digest.csv")).toBeUndefined();
  });
});

describe("multipart uploads", () => {
  test("@aws-sdk/lib-storage uploads 12 MiB in 5 MiB parts; the object is whole and its ETag is S3's", async () => {
    const body = bytesOf(12 * MiB, 3);
    const upload = new Upload({
      client: s3(),
      params: { Bucket: BUCKET, Key: "big.bin", Body: body },
      partSize: 5 * MiB,
    });
    const done = await upload.done();
    const parts = [body.subarray(0, 5 * MiB), body.subarray(5 * MiB, 10 * MiB), body.subarray(10 * MiB)];
    const joined = Buffer.concat(parts.map((p) => createHash("md5").update(p).digest()));
    expect(done.ETag).toBe(`"${createHash("md5").update(joined).digest("hex")}-3"`);
    expect(stored("big.bin")?.body).toEqual(body);
    expect(running.emulator.state.uploads.size).toBe(0);
  });

  test("ListParts, AbortMultipartUpload, and S3's refusals: unknown part, parts out of order, a small part", async () => {
    const client = s3();
    const start = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: "mp.bin" }));
    const UploadId = start.UploadId as string;
    const small = await client.send(
      new UploadPartCommand({
        Bucket: BUCKET,
        Key: "mp.bin",
        UploadId,
        PartNumber: 1,
        Body: bytesOf(1000, 4),
      }),
    );
    const second = await client.send(
      new UploadPartCommand({
        Bucket: BUCKET,
        Key: "mp.bin",
        UploadId,
        PartNumber: 2,
        Body: bytesOf(1000, 5),
      }),
    );
    const listed = await client.send(new ListPartsCommand({ Bucket: BUCKET, Key: "mp.bin", UploadId }));
    expect(listed.Parts?.map((p) => [p.PartNumber, p.ETag, p.Size])).toEqual([
      [1, small.ETag, 1000],
      [2, second.ETag, 1000],
    ]);
    const complete = (Parts: { PartNumber: number; ETag: string | undefined }[]) =>
      client
        .send(
          new CompleteMultipartUploadCommand({
            Bucket: BUCKET,
            Key: "mp.bin",
            UploadId,
            MultipartUpload: { Parts },
          }),
        )
        .catch((e) => e);
    expect((await complete([{ PartNumber: 1, ETag: '"0123456789abcdef0123456789abcdef"' }])).name).toBe(
      "InvalidPart",
    );
    expect(
      (
        await complete([
          { PartNumber: 2, ETag: second.ETag },
          { PartNumber: 1, ETag: small.ETag },
        ])
      ).name,
    ).toBe("InvalidPartOrder");
    expect(
      (
        await complete([
          { PartNumber: 1, ETag: small.ETag },
          { PartNumber: 2, ETag: second.ETag },
        ])
      ).name,
    ).toBe("EntityTooSmall");
    await client.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: "mp.bin", UploadId }));
    const gone = await client
      .send(new ListPartsCommand({ Bucket: BUCKET, Key: "mp.bin", UploadId }))
      .catch((e) => e);
    expect(gone.name).toBe("NoSuchUpload");
    expect(stored("mp.bin")).toBeUndefined();
  });
});

describe("buckets and listings", () => {
  test("ListBuckets, HeadBucket, DeleteBucket (refused while not empty), and S3's naming rules", async () => {
    const client = s3();
    await client.send(new CreateBucketCommand({ Bucket: "doomed" }));
    expect((await client.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toContain("doomed");
    expect((await client.send(new HeadBucketCommand({ Bucket: "doomed" }))).$metadata.httpStatusCode).toBe(
      200,
    );
    await client.send(new PutObjectCommand({ Bucket: "doomed", Key: "k", Body: "x" }));
    expect((await client.send(new DeleteBucketCommand({ Bucket: "doomed" })).catch((e) => e)).name).toBe(
      "BucketNotEmpty",
    );
    await client.send(new DeleteObjectCommand({ Bucket: "doomed", Key: "k" }));
    await client.send(new DeleteBucketCommand({ Bucket: "doomed" }));
    expect(
      (await client.send(new HeadBucketCommand({ Bucket: "doomed" })).catch((e) => e)).$metadata
        .httpStatusCode,
    ).toBe(404);
    for (const name of ["Bad_Name", "ab", "192.168.5.4", "a..b", "-leading"]) {
      const error = await client.send(new CreateBucketCommand({ Bucket: name })).catch((e) => e);
      expect({ name, code: error.name }).toEqual({ name, code: "InvalidBucketName" });
    }
  });

  test("re-creating your own bucket: 200 in us-east-1 (S3's legacy), BucketAlreadyOwnedByYou elsewhere", async () => {
    expect((await s3().send(new CreateBucketCommand({ Bucket: BUCKET }))).$metadata.httpStatusCode).toBe(200);
    const west = await startEmulator({ port: 0, region: "us-west-2", ...creds });
    try {
      const client = new S3Client({
        region: "us-west-2",
        endpoint: west.endpoint,
        forcePathStyle: true,
        credentials: creds,
        maxAttempts: 1,
      });
      const error = await client
        .send(new CreateBucketCommand({ Bucket: west.emulator.bucket }))
        .catch((e) => e);
      expect(error.name).toBe("BucketAlreadyOwnedByYou");
    } finally {
      await west.close();
    }
  });

  test("a delimiter rolls keys up into CommonPrefixes (v2 and v1); max-keys=0 lists nothing and is not truncated", async () => {
    const client = s3();
    for (const key of ["dir/a.csv", "dir/sub/b.csv", "dir/sub/c.csv", "dir/z/d.csv", "top.csv"]) {
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `list/${key}`, Body: "x" }));
    }
    const v2 = await client.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Prefix: "list/dir/", Delimiter: "/" }),
    );
    expect(v2.Contents?.map((c) => c.Key)).toEqual(["list/dir/a.csv"]);
    expect(v2.CommonPrefixes?.map((p) => p.Prefix)).toEqual(["list/dir/sub/", "list/dir/z/"]);
    expect(v2.KeyCount).toBe(3);
    const v1 = await client.send(new ListObjectsCommand({ Bucket: BUCKET, Prefix: "list/", Delimiter: "/" }));
    expect(v1.Contents?.map((c) => c.Key)).toEqual(["list/top.csv"]);
    expect(v1.CommonPrefixes?.map((p) => p.Prefix)).toEqual(["list/dir/"]);
    const paged = await client.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Prefix: "list/dir/", Delimiter: "/", MaxKeys: 2 }),
    );
    expect(paged.IsTruncated).toBe(true);
    const rest = await client.send(
      new ListObjectsV2Command({
        Bucket: BUCKET,
        Prefix: "list/dir/",
        Delimiter: "/",
        ContinuationToken: paged.NextContinuationToken,
      }),
    );
    expect(rest.CommonPrefixes?.map((p) => p.Prefix)).toEqual(["list/dir/z/"]);
    const none = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: "list/", MaxKeys: 0 }));
    expect([none.KeyCount, none.IsTruncated, none.Contents, none.NextContinuationToken]).toEqual([
      0,
      false,
      undefined,
      undefined,
    ]);
  });
});

describe("signatures", () => {
  test("presigned GET and PUT URLs work; an expired or tampered one is refused", async () => {
    const client = s3();
    // By default the SDK hoists the CRC32 of an empty body into a presigned PUT, which S3 then compares with
    // the bytes sent: refused, as on AWS. Presigning without a checksum is how such a URL is made to work.
    const hoisted = await getSignedUrl(
      client,
      new PutObjectCommand({ Bucket: BUCKET, Key: "presigned.csv" }),
      {
        expiresIn: 60,
      },
    );
    expect(new URL(hoisted).searchParams.get("x-amz-checksum-crc32")).toBe("AAAAAA==");
    const refused = await fetch(hoisted, { method: "PUT", body: "USER_ID\nu9\n" });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("<Code>BadDigest</Code>");
    const plain = new S3Client({
      region: "us-east-1",
      endpoint: running.endpoint,
      forcePathStyle: true,
      credentials: creds,
      requestChecksumCalculation: "WHEN_REQUIRED",
    });
    const putUrl = await getSignedUrl(plain, new PutObjectCommand({ Bucket: BUCKET, Key: "presigned.csv" }), {
      expiresIn: 60,
    });
    expect(new URL(putUrl).searchParams.get("X-Amz-Algorithm")).toBe("AWS4-HMAC-SHA256");
    const put = await fetch(putUrl, { method: "PUT", body: "USER_ID\nu9\n" });
    expect(put.status).toBe(200);
    const getUrl = await getSignedUrl(
      client,
      new GetObjectCommand({ Bucket: BUCKET, Key: "presigned.csv" }),
      {
        expiresIn: 60,
      },
    );
    expect(await (await fetch(getUrl)).text()).toBe("USER_ID\nu9\n");
    const tampered = getUrl.replace("presigned.csv", "presigned.csv2");
    expect(await (await fetch(tampered)).text()).toContain("<Code>SignatureDoesNotMatch</Code>");
    const old = await getSignedUrl(client, new GetObjectCommand({ Bucket: BUCKET, Key: "presigned.csv" }), {
      expiresIn: 60,
      signingDate: new Date(Date.now() - 120_000),
    });
    const expired = await fetch(old);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain("Request has expired");
  });

  test("a request signed for another region is refused, as AWS refuses it", async () => {
    const error = await s3("us-west-2")
      .send(new GetObjectCommand({ Bucket: BUCKET, Key: "etag.bin" }))
      .catch((e) => e);
    expect(error.name).toBe("AuthorizationHeaderMalformed");
    const personalize = new PersonalizeClient({
      region: "us-west-2",
      endpoint: running.endpoint,
      credentials: creds,
      maxAttempts: 1,
    });
    const refused = await personalize.send(new ListDataDeletionJobsCommand({})).catch((e) => e);
    expect(refused.name).toBe("InvalidSignatureException");
    expect(refused.message).toBe("Credential should be scoped to a valid region.");
  });

  test("a Personalize call signed for service s3 is refused; an S3 request without x-amz-content-sha256 too", async () => {
    const wrongService = await new AwsV4Signer({
      ...creds,
      url: `${running.endpoint}/`,
      method: "POST",
      headers: {
        "x-amz-target": "AmazonPersonalize.ListDataDeletionJobs",
        "content-type": "application/x-amz-json-1.1",
      },
      body: "{}",
      service: "s3",
      region: "us-east-1",
    }).sign();
    const answer = await fetch(wrongService.url, {
      method: "POST",
      headers: wrongService.headers,
      body: "{}",
    });
    expect(answer.status).toBe(403);
    expect(await answer.json()).toEqual({
      __type: "InvalidSignatureException",
      message: "Credential should be scoped to correct service: 'personalize'.",
    });
    expect(answer.headers.get("x-amzn-errortype")).toMatch(/^InvalidSignatureException:/);
    const signer = new AwsV4Signer({
      ...creds,
      url: `${running.endpoint}/${BUCKET}/etag.bin`,
      method: "GET",
      service: "s3",
      region: "us-east-1",
    });
    signer.headers.delete("x-amz-content-sha256");
    signer.signableHeaders = signer.signableHeaders.filter((h: string) => h !== "x-amz-content-sha256");
    signer.signedHeaders = signer.signableHeaders.join(";");
    signer.canonicalHeaders = signer.signableHeaders
      .map((h: string) => `${h}:${h === "host" ? signer.url.host : signer.headers.get(h)}`)
      .join("\n");
    const noHash = await signer.sign();
    const res = await fetch(noHash.url, { headers: noHash.headers });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("<Code>InvalidRequest</Code>");
  });
});

describe("versioned buckets", () => {
  test("a DELETE leaves a delete marker and every version; only deleting each version by id erases the bytes", async () => {
    const client = s3();
    await client.send(new CreateBucketCommand({ Bucket: "versioned" }));
    await client.send(
      new PutObjectCommand({ Bucket: "versioned", Key: "ids.csv", Body: "USER_ID\nbefore\n" }),
    );
    await client.send(
      new PutBucketVersioningCommand({ Bucket: "versioned", VersioningConfiguration: { Status: "Enabled" } }),
    );
    expect((await client.send(new GetBucketVersioningCommand({ Bucket: "versioned" }))).Status).toBe(
      "Enabled",
    );
    const one = await client.send(
      new PutObjectCommand({ Bucket: "versioned", Key: "ids.csv", Body: "USER_ID\nu1\n" }),
    );
    const two = await client.send(
      new PutObjectCommand({ Bucket: "versioned", Key: "ids.csv", Body: "USER_ID\nu2\n" }),
    );
    expect(one.VersionId).toMatch(/^[0-9a-f]{32}$/);
    const deleted = await client.send(new DeleteObjectCommand({ Bucket: "versioned", Key: "ids.csv" }));
    expect(deleted.DeleteMarker).toBe(true);
    const gone = await client
      .send(new GetObjectCommand({ Bucket: "versioned", Key: "ids.csv" }))
      .catch((e) => e);
    expect(gone.name).toBe("NoSuchKey");
    const listed = await client.send(new ListObjectVersionsCommand({ Bucket: "versioned", Prefix: "ids" }));
    expect(listed.Versions?.map((v) => [v.VersionId, v.IsLatest])).toEqual([
      [two.VersionId, false],
      [one.VersionId, false],
      ["null", false],
    ]);
    expect(listed.DeleteMarkers?.map((m) => [m.VersionId, m.IsLatest])).toEqual([[deleted.VersionId, true]]);
    const old = await client.send(
      new GetObjectCommand({ Bucket: "versioned", Key: "ids.csv", VersionId: one.VersionId }),
    );
    expect(await old.Body?.transformToString()).toBe("USER_ID\nu1\n");
    for (const id of [deleted.VersionId, two.VersionId, one.VersionId, "null"]) {
      await client.send(new DeleteObjectCommand({ Bucket: "versioned", Key: "ids.csv", VersionId: id }));
    }
    const after = await client.send(new ListObjectVersionsCommand({ Bucket: "versioned" }));
    expect([after.Versions, after.DeleteMarkers]).toEqual([undefined, undefined]);
    expect(running.emulator.state.buckets.get("versioned")?.size).toBe(0);
  });

  test("a bucket never versioned lists each object as the version 'null', and a plain DELETE leaves no version", async () => {
    const client = s3();
    await client.send(new CreateBucketCommand({ Bucket: "plain" }));
    await client.send(new PutObjectCommand({ Bucket: "plain", Key: "a.csv", Body: "USER_ID\nu1\n" }));
    await client.send(new PutObjectCommand({ Bucket: "plain", Key: "b.csv", Body: "USER_ID\nu2\n" }));
    const listed = await client.send(new ListObjectVersionsCommand({ Bucket: "plain" }));
    expect(listed.Versions?.map((v) => [v.Key, v.VersionId, v.IsLatest])).toEqual([
      ["a.csv", "null", true],
      ["b.csv", "null", true],
    ]);
    await client.send(new DeleteObjectCommand({ Bucket: "plain", Key: "a.csv" }));
    await client.send(new DeleteObjectCommand({ Bucket: "plain", Key: "b.csv", VersionId: "null" }));
    const after = await client.send(new ListObjectVersionsCommand({ Bucket: "plain" }));
    expect([after.Versions, after.DeleteMarkers]).toEqual([undefined, undefined]);
    const gone = await client.send(new GetObjectCommand({ Bucket: "plain", Key: "b.csv" })).catch((e) => e);
    expect(gone.name).toBe("NoSuchKey");
  });

  test("deleting the delete marker brings the previous version back", async () => {
    const client = s3();
    await client.send(new PutObjectCommand({ Bucket: "versioned", Key: "back.csv", Body: "USER_ID\nu3\n" }));
    const marker = await client.send(new DeleteObjectCommand({ Bucket: "versioned", Key: "back.csv" }));
    await client.send(
      new DeleteObjectCommand({ Bucket: "versioned", Key: "back.csv", VersionId: marker.VersionId }),
    );
    const back = await client.send(new GetObjectCommand({ Bucket: "versioned", Key: "back.csv" }));
    expect(await back.Body?.transformToString()).toBe("USER_ID\nu3\n");
  });
});
