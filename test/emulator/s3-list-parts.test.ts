// The emulator's ListParts pages as S3's do, driven by the AWS SDK v3: `max-parts` bounds a page,
// `part-number-marker` starts after a part, a truncated page's NextPartNumberMarker is where the next one
// starts, and the SDK's own paginator walks every part once, in order.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  ListPartsCommand,
  paginateListParts,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.ts";

const BUCKET = "parts";
const KEY = "upload.bin";
let running: RunningEmulator;
let client: S3Client;
let UploadId: string;
const etags: string[] = [];

beforeAll(async () => {
  running = await startEmulator({ port: 0 });
  client = new S3Client({
    region: "us-east-1",
    endpoint: running.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const started = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: KEY }));
  UploadId = started.UploadId as string;
  // Parts 1, 2, 3, 5, 8: a gap shows the marker is a part number, not a position.
  for (const PartNumber of [8, 1, 3, 2, 5]) {
    const { ETag } = await client.send(
      new UploadPartCommand({ Bucket: BUCKET, Key: KEY, UploadId, PartNumber, Body: `part ${PartNumber}` }),
    );
    etags[PartNumber] = ETag as string;
  }
});
afterAll(() => running.close());

const list = (more: { MaxParts?: number; PartNumberMarker?: string }) =>
  client.send(new ListPartsCommand({ Bucket: BUCKET, Key: KEY, UploadId, ...more }));

describe("ListParts paging", () => {
  test("without max-parts: every part in one page, not truncated, MaxParts 1000", async () => {
    const all = await list({});
    expect(all.Parts?.map((p) => p.PartNumber)).toEqual([1, 2, 3, 5, 8]);
    expect(all.Parts?.map((p) => p.ETag)).toEqual([1, 2, 3, 5, 8].map((n) => etags[n]));
    expect(all).toMatchObject({ IsTruncated: false, MaxParts: 1000, PartNumberMarker: "0" });
  });

  test("max-parts bounds a page; NextPartNumberMarker is its last part and the next page starts after it", async () => {
    const first = await list({ MaxParts: 2 });
    expect(first.Parts?.map((p) => p.PartNumber)).toEqual([1, 2]);
    expect(first).toMatchObject({ IsTruncated: true, NextPartNumberMarker: "2", MaxParts: 2 });
    const second = await list({ MaxParts: 2, PartNumberMarker: first.NextPartNumberMarker });
    expect(second.Parts?.map((p) => p.PartNumber)).toEqual([3, 5]);
    expect(second).toMatchObject({ IsTruncated: true, NextPartNumberMarker: "5", PartNumberMarker: "2" });
    const last = await list({ MaxParts: 2, PartNumberMarker: second.NextPartNumberMarker });
    expect(last.Parts?.map((p) => p.PartNumber)).toEqual([8]);
    expect(last.IsTruncated).toBe(false);
    expect(last.NextPartNumberMarker).toBeUndefined();
  });

  test("a marker between part numbers starts at the next part; one past the last lists none", async () => {
    expect((await list({ PartNumberMarker: "4" })).Parts?.map((p) => p.PartNumber)).toEqual([5, 8]);
    const none = await list({ PartNumberMarker: "8" });
    expect(none.Parts ?? []).toEqual([]);
    expect(none.IsTruncated).toBe(false);
  });

  test("the SDK's paginator walks every part once, in order, and stops after the last page", async () => {
    const seen: number[] = [];
    let pages = 0;
    const paginator = paginateListParts({ client, pageSize: 2 }, { Bucket: BUCKET, Key: KEY, UploadId });
    for await (const page of paginator) {
      pages++;
      seen.push(...(page.Parts ?? []).map((p) => p.PartNumber as number));
    }
    expect(seen).toEqual([1, 2, 3, 5, 8]);
    expect(pages).toBe(3);
  });

  test("a max-parts or part-number-marker that is not a whole number is InvalidArgument", async () => {
    for (const more of [{ MaxParts: -1 }, { PartNumberMarker: "two" }]) {
      const refused = await list(more).catch((e) => e);
      expect(refused.name).toBe("InvalidArgument");
      expect(refused.$metadata.httpStatusCode).toBe(400);
    }
  });
});
