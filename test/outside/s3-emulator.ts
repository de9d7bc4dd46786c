// Test helpers for the S3 side of src/outside: the emulator, the AWS SDK client that judges it, and an
// S3Target whose fetch a test may wrap (to fail one call, or to write between a read and a write).
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import type { S3Target } from "../../src/aws/s3.ts";
import { type FetchLike, Transport } from "../../src/aws/transport.ts";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.ts";

const creds = { accessKeyId: "test", secretAccessKey: "test" };

/** A running emulator with the SDK client and helpers over it. */
export async function s3World() {
  const running: RunningEmulator = await startEmulator({ port: 0, jobSeconds: 0, ...creds });
  // A client per call: a kept-alive socket left idle through a long test is reset by the server.
  const client = () =>
    new S3Client({
      region: "us-east-1",
      endpoint: running.endpoint,
      forcePathStyle: true,
      credentials: creds,
      maxAttempts: 1,
    });
  let n = 0;
  const world = {
    running,
    get sdk(): S3Client {
      return client();
    },
    /** An S3Target on the emulator; `wrap` sees every request before (or instead of) the emulator. */
    target(wrap?: (url: string, init: RequestInit, send: FetchLike) => Promise<Response>): S3Target {
      const send: FetchLike = (url, init) => fetch(url, init);
      return {
        endpoint: running.endpoint,
        transport: new Transport({
          region: "us-east-1",
          credentials: creds,
          sleep: async () => {},
          fetch: wrap ? (url, init) => wrap(url, init, send) : send,
        }),
      };
    },
    async bucket(versioned: boolean): Promise<string> {
      const Bucket = `outside-${++n}-${versioned ? "v" : "u"}`;
      await client().send(new CreateBucketCommand({ Bucket }));
      if (versioned)
        await client().send(
          new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: "Enabled" } }),
        );
      return Bucket;
    },
    put: (Bucket: string, Key: string, Body: string | Uint8Array, extra: Record<string, unknown> = {}) =>
      client().send(new PutObjectCommand({ Bucket, Key, Body, ...extra })),
    async get(Bucket: string, Key: string, VersionId?: string) {
      const out = await client().send(new GetObjectCommand({ Bucket, Key, VersionId }));
      return {
        bytes: new Uint8Array((await out.Body?.transformToByteArray()) ?? []),
        contentType: out.ContentType,
        meta: out.Metadata,
        etag: out.ETag,
        versionId: out.VersionId,
      };
    },
    async versions(Bucket: string, Prefix?: string) {
      const out = await client().send(new ListObjectVersionsCommand({ Bucket, Prefix }));
      return {
        versions: (out.Versions ?? []).map((v) => ({
          key: v.Key as string,
          id: v.VersionId as string,
          latest: v.IsLatest === true,
        })),
        markers: (out.DeleteMarkers ?? []).length,
      };
    },
    async uploads(Bucket: string): Promise<number> {
      return ((await client().send(new ListMultipartUploadsCommand({ Bucket }))).Uploads ?? []).length;
    },
  };
  return world;
}

export type S3World = Awaited<ReturnType<typeof s3World>>;

/** An S3 error answer, as S3 writes it. */
export const s3ErrorResponse = (status: number, code: string, message = code) =>
  new Response(
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message><RequestId>TEST</RequestId></Error>`,
    { status, headers: { "content-type": "application/xml" } },
  );
