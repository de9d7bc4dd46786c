// ListMultipartUploads, as the AWS SDK reads it: the uploads in progress (by key, under a prefix), and none
// once each is completed or aborted; the check a scrub's tests rely on to prove no part is left behind.
import { afterAll, beforeAll, expect, test } from "bun:test";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.ts";

const creds = { accessKeyId: "test", secretAccessKey: "test" };
const B = "uploads-list";
let running: RunningEmulator;
const s3 = () =>
  new S3Client({
    region: "us-east-1",
    endpoint: running.endpoint,
    forcePathStyle: true,
    credentials: creds,
    maxAttempts: 1,
  });

beforeAll(async () => {
  running = await startEmulator({ port: 0, jobSeconds: 0, ...creds });
  await s3().send(new CreateBucketCommand({ Bucket: B }));
  await s3().send(new CreateBucketCommand({ Bucket: `${B}-other` }));
});
afterAll(() => running.close());

const listed = async (Prefix?: string, Bucket = B) =>
  ((await s3().send(new ListMultipartUploadsCommand({ Bucket, Prefix }))).Uploads ?? []).map((u) => [
    u.Key,
    u.UploadId,
  ]);

test("ListMultipartUploads lists the uploads in progress by key, under a prefix, and drops completed and aborted ones", async () => {
  expect(await listed()).toEqual([]);
  const start = async (Key: string, Bucket = B) =>
    (await s3().send(new CreateMultipartUploadCommand({ Bucket, Key }))).UploadId as string;
  const b = await start("folder/b.csv");
  const a = await start("folder/a.csv");
  const c = await start("other.csv");
  await start("folder/a.csv", `${B}-other`);
  expect(await listed()).toEqual([
    ["folder/a.csv", a],
    ["folder/b.csv", b],
    ["other.csv", c],
  ]);
  expect(await listed("folder/")).toEqual([
    ["folder/a.csv", a],
    ["folder/b.csv", b],
  ]);
  await s3().send(new AbortMultipartUploadCommand({ Bucket: B, Key: "folder/b.csv", UploadId: b }));
  const part = await s3().send(
    new UploadPartCommand({ Bucket: B, Key: "other.csv", UploadId: c, PartNumber: 1, Body: "x" }),
  );
  await s3().send(
    new CompleteMultipartUploadCommand({
      Bucket: B,
      Key: "other.csv",
      UploadId: c,
      MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
    }),
  );
  expect(await listed()).toEqual([["folder/a.csv", a]]);
});
