// The S3 calls on their own, against a scripted fetch: URLs, error parsing, and the conditional upload's
// every branch (the emulator cannot show which request produced which answer).
import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import {
  deleteObject,
  EMPTY_PAYLOAD_SHA256,
  headObject,
  objectUrl,
  parseS3Error,
  parseS3Uri,
  putObjectOnce,
} from "../../src/aws/s3.ts";
import { Transport } from "../../src/aws/transport.ts";
import {
  ConfigurationError,
  ConflictError,
  DEFAULT_MAX_FILE_BYTES,
  S3Error,
  ValidationError,
} from "../../src/index.ts";
import { scriptedTransport } from "../support/scripted-fetch.ts";

const EMPTY_SHA256 = createHash("sha256").update("").digest("hex");
const BODY = new TextEncoder().encode("USER_ID\nuser-1\n");
const BODY_SHA256 = new Bun.CryptoHasher("sha256").update(BODY).digest("hex");

test("the payload hash of a bodiless request is the SHA-256 of the empty string, as node:crypto computes it", () => {
  expect(EMPTY_PAYLOAD_SHA256).toBe(EMPTY_SHA256);
  expect(EMPTY_PAYLOAD_SHA256).toMatch(/^[0-9a-f]{64}$/);
});

describe("parseS3Uri", () => {
  test("a key, a prefix, the bucket root", () => {
    expect(parseS3Uri("s3://my-bucket/d/users.csv")).toEqual({
      bucket: "my-bucket",
      key: "d/users.csv",
      isPrefix: false,
    });
    expect(parseS3Uri("s3://my-bucket/d/")).toEqual({ bucket: "my-bucket", key: "d/", isPrefix: true });
    expect(parseS3Uri("s3://my-bucket")).toEqual({ bucket: "my-bucket", key: "", isPrefix: true });
  });
  const bad: [unknown, string][] = [
    [42, "must look like s3://bucket/prefix/ or s3://bucket/KEY"],
    ["https://my-bucket/x", "must look like s3://bucket/prefix/ or s3://bucket/KEY"],
    ["s3://Bad_Name/x", "must name a valid bucket"],
    ["s3://my..bucket/x", "must name a valid bucket"],
    ["s3://my-bucket//x", "must not contain empty path segments"],
    ["s3://my-bucket/a\u0001b", "must not contain control characters"],
    [`s3://my-bucket/${"k".repeat(1025)}`, "must have a key of at most 1024 bytes"],
  ];
  for (const [uri, rule] of bad) {
    test(`refuses ${JSON.stringify(uri).slice(0, 40)}, naming the field`, () => {
      let error: unknown;
      try {
        parseS3Uri(uri, "s3-uri");
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues[0]?.path).toBe("s3-uri");
      expect((error as ValidationError).issues[0]?.rule).toContain(rule);
    });
  }
  test("with object, a folder is refused", () => {
    expect(() => parseS3Uri("s3://my-bucket/d/", "dataLocation", true)).toThrow(
      "must name one object, not a folder",
    );
  });
});

describe("objectUrl", () => {
  const on = (region: string, endpoint?: string) => ({
    transport: new Transport({ region, credentials: { accessKeyId: "a", secretAccessKey: "b" } }),
    endpoint,
  });
  test("virtual-hosted on AWS, path style for dotted buckets and custom endpoints, China's domain", () => {
    expect(objectUrl(on("eu-west-1"), "my-bucket", "d/a b+c.csv")).toBe(
      "https://my-bucket.s3.eu-west-1.amazonaws.com/d/a%20b%2Bc.csv",
    );
    expect(objectUrl(on("us-east-1"), "my.bucket", "k")).toBe(
      "https://s3.us-east-1.amazonaws.com/my.bucket/k",
    );
    expect(objectUrl(on("cn-north-1"), "my-bucket", "k")).toBe(
      "https://my-bucket.s3.cn-north-1.amazonaws.com.cn/k",
    );
    expect(objectUrl(on("us-east-1", "http://127.0.0.1:4566/"), "b", "k(1)")).toBe(
      "http://127.0.0.1:4566/b/k%281%29",
    );
  });
});

describe("parseS3Error", () => {
  test("the XML's Code, Message and RequestId; a bodiless HEAD by its status", () => {
    const error = parseS3Error(
      403,
      new Headers(),
      "<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>R1</RequestId></Error>",
    );
    expect([error.name, error.message, error.requestId, error.retryable]).toEqual([
      "AccessDenied",
      "Access Denied",
      "R1",
      false,
    ]);
    expect(parseS3Error(404, new Headers({ "x-amz-request-id": "R2" }), "")).toMatchObject({
      name: "NotFound",
      requestId: "R2",
    });
    expect(parseS3Error(503, new Headers(), "<Error><Code>SlowDown</Code></Error>").retryable).toBe(true);
  });
});

describe("putObjectOnce", () => {
  test("a conditional PUT whose payload hash is signed and kept as metadata", async () => {
    const { transport, sent } = scriptedTransport([() => new Response(null, { status: 200 })]);
    const out = await putObjectOnce({ transport }, "my-bucket", "d/u.csv", BODY);
    expect(out).toEqual({ created: true, sha256: BODY_SHA256 });
    expect(sent[0]?.method).toBe("PUT");
    expect(sent[0]?.headers).toMatchObject({
      "if-none-match": "*",
      "x-amz-content-sha256": BODY_SHA256,
      "x-amz-meta-sha256": BODY_SHA256,
      "content-type": "text/csv",
    });
    expect(sent[0]?.headers.authorization).toContain("/s3/aws4_request");
    expect(sent[0]?.body).toBe("USER_ID\nuser-1\n");
  });
  test("412 and an identical object there: not created, no error (a re-run)", async () => {
    const { transport, sent } = scriptedTransport([
      () => new Response("<Error><Code>PreconditionFailed</Code></Error>", { status: 412 }),
      () => new Response(null, { status: 200, headers: { "x-amz-meta-sha256": BODY_SHA256 } }),
    ]);
    expect(await putObjectOnce({ transport }, "my-bucket", "k", BODY)).toEqual({
      created: false,
      sha256: BODY_SHA256,
    });
    expect(sent.map((r) => r.method)).toEqual(["PUT", "HEAD"]);
    expect(sent[1]?.headers["x-amz-content-sha256"]).toBe(EMPTY_SHA256);
  });
  test("412 and a different object there: a ConflictError; overwrite sends no condition", async () => {
    const conflict = scriptedTransport([
      () => new Response(null, { status: 412 }),
      () => new Response(null, { status: 200, headers: { "x-amz-meta-sha256": "0".repeat(64) } }),
    ]);
    await expect(
      putObjectOnce({ transport: conflict.transport }, "my-bucket", "k", BODY),
    ).rejects.toBeInstanceOf(ConflictError);
    const overwrite = scriptedTransport([() => new Response(null, { status: 200 })]);
    await putObjectOnce({ transport: overwrite.transport }, "my-bucket", "k", BODY, { overwrite: true });
    expect(overwrite.sent[0]?.headers["if-none-match"]).toBeUndefined();
  });
  test("an S3 error is an S3Error with its code", async () => {
    const { transport } = scriptedTransport([
      () =>
        new Response("<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>", {
          status: 403,
        }),
    ]);
    const error = await putObjectOnce({ transport }, "my-bucket", "k", BODY).catch((e) => e);
    expect(error).toBeInstanceOf(S3Error);
    expect(error.name).toBe("AccessDenied");
  });
});

describe("putObjectOnce against what S3 really answers", () => {
  test("409 ConditionalRequestConflict (a concurrent conditional write) is retried, as AWS says to", async () => {
    const { transport, sent } = scriptedTransport([
      () => new Response("<Error><Code>ConditionalRequestConflict</Code></Error>", { status: 409 }),
      () => new Response(null, { status: 200 }),
    ]);
    expect(await putObjectOnce({ transport }, "my-bucket", "k", BODY)).toEqual({
      created: true,
      sha256: BODY_SHA256,
    });
    expect(sent.map((r) => r.method)).toEqual(["PUT", "PUT"]);
  });

  test("412 and a HEAD answered 403 (no s3:ListBucket) is an error naming the permission", async () => {
    const { transport } = scriptedTransport([
      () => new Response(null, { status: 412 }),
      () => new Response(null, { status: 403 }),
    ]);
    const error = await putObjectOnce({ transport }, "my-bucket", "k", BODY).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toContain("s3:ListBucket");
  });

  test("an upload the bucket encrypted with a KMS key is deleted again and refused before any job", async () => {
    const { transport, sent } = scriptedTransport([
      () =>
        new Response(null, {
          status: 200,
          headers: {
            "x-amz-server-side-encryption": "aws:kms",
            "x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:us-east-1:123456789012:key/1234abcd",
          },
        }),
      () => new Response(null, { status: 204 }),
    ]);
    const error = await putObjectOnce({ transport }, "my-bucket", "k.csv", BODY).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toContain("arn:aws:kms:us-east-1:123456789012:key/1234abcd");
    expect(error.message).toContain("SSE-S3");
    expect(sent.map((r) => r.method)).toEqual(["PUT", "DELETE"]);
  });

  test("a server that ignores If-None-Match answers 200 and is taken at its word: the README names the requirement", async () => {
    // s3rver and old LocalStack overwrite instead of answering 412; the client cannot tell without a second
    // request per upload, so the requirement is documented instead (README, "Against real AWS").
    const { transport, sent } = scriptedTransport([() => new Response(null, { status: 200 })]);
    expect((await putObjectOnce({ transport }, "my-bucket", "k", BODY)).created).toBe(true);
    expect(sent[0]?.headers["if-none-match"]).toBe("*");
  });
});

describe("headObject and deleteObject", () => {
  test("HEAD: 404 is undefined, the metadata otherwise; DELETE: 204 and 404 are both fine", async () => {
    const head = scriptedTransport([
      () => new Response(null, { status: 404 }),
      () => new Response(null, { status: 200, headers: { "x-amz-meta-sha256": "abc" } }),
    ]);
    expect(await headObject({ transport: head.transport }, "my-bucket", "k")).toBeUndefined();
    expect(await headObject({ transport: head.transport }, "my-bucket", "k")).toEqual({ sha256: "abc" });
    const del = scriptedTransport([
      () => new Response(null, { status: 204 }),
      () => new Response(null, { status: 404 }),
    ]);
    await deleteObject({ transport: del.transport }, "my-bucket", "k");
    await deleteObject({ transport: del.transport }, "my-bucket", "k");
    expect(del.sent.map((r) => [r.method, r.headers["x-amz-content-sha256"]])).toEqual([
      ["DELETE", EMPTY_SHA256],
      ["DELETE", EMPTY_SHA256],
    ]);
  });
});

test("the default size of a deletion file stays under the guide's 50 MB read either way", () => {
  expect(DEFAULT_MAX_FILE_BYTES).toBeLessThan(50_000_000);
  expect(DEFAULT_MAX_FILE_BYTES).toBeLessThan(50 * 1024 * 1024);
  expect(DEFAULT_MAX_FILE_BYTES).toBeGreaterThan(45_000_000);
});
