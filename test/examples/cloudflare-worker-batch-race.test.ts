// examples/cloudflare-worker's queue consumer (src/windows.ts) racing a cancel, on a real D1 (miniflare's,
// migrated) and the emulator's S3 read back with the AWS SDK: a request is never answered "cancelled" while a
// file in its window's folder names its user. From the consumer's claim on, a revoke is too late; a request
// withdrawn otherwise (dead-lettered) between upload and record has the file taken back and written again.
import { afterAll, beforeAll, beforeEach, expect, test } from "bun:test";
import { join } from "node:path";
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { Miniflare } from "miniflare";
import type { Env, ErasureMessage } from "../../examples/cloudflare-worker/src/env.ts";
import { Ledger } from "../../examples/cloudflare-worker/src/ledger.ts";
import { RequestLedger } from "../../examples/cloudflare-worker/src/request-ledger.ts";
import type { D1Database, MessageBatch } from "../../examples/cloudflare-worker/src/runtime.ts";
import { consume } from "../../examples/cloudflare-worker/src/windows.ts";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.ts";
import { applyMigrations } from "../support/d1-migrations.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
let mf: Miniflare;
let db: D1Database;
let emu: RunningEmulator;
let s3: S3Client;
let env: Env;
// Runs once, right after the first batch file's PUT was answered: the revoke "between" upload and ledger.
let afterFirstPut: (() => Promise<void>) | undefined;

beforeAll(async () => {
  mf = new Miniflare({
    modules: true,
    script: "export default { fetch() { return new Response('') } }",
    d1Databases: ["LEDGER"],
  });
  db = (await mf.getD1Database("LEDGER")) as unknown as D1Database;
  await applyMigrations(db as never, join(ROOT, "examples/cloudflare-worker/migrations"));
  emu = await startEmulator({ port: 0, datasetGroupName: "shop" });
  const inner = emu.emulator.fetch.bind(emu.emulator);
  emu.emulator.fetch = async (request: Request) => {
    const response = await inner(request);
    const hook = afterFirstPut;
    if (request.method === "PUT" && new URL(request.url).pathname.includes("/batch-") && hook) {
      afterFirstPut = undefined;
      await hook();
    }
    return response;
  };
  s3 = new S3Client({
    region: "us-east-1",
    endpoint: emu.endpoint,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    forcePathStyle: true,
  });
  env = {
    LEDGER: db,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_ENDPOINT_URL: emu.endpoint,
    S3_URI: `s3://${emu.emulator.bucket}/race/`,
    RETRY_DELAY_SECONDS: "0",
  } as unknown as Env;
});
afterAll(async () => {
  await mf?.dispose();
  await emu?.close();
});
beforeEach(async () => {
  await db.batch(["batches", "requests", "windows"].map((t) => db.prepare(`DELETE FROM ${t}`)));
  // Each test reads the folder afresh: the files of the one before are gone.
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: emu.emulator.bucket, Prefix: "race/" }));
  for (const { Key } of listed.Contents ?? []) {
    await s3.send(new DeleteObjectCommand({ Bucket: emu.emulator.bucket, Key }));
  }
});

const T0 = Date.now();
async function queued(ids: string[]) {
  const ledger = new RequestLedger(db);
  for (const id of ids) {
    await ledger.record({
      id,
      datasetGroup: "shop",
      userHash: `hash-${id}`,
      receivedAt: T0,
      deadlineAt: T0 + 1,
      protocol: "drp",
      externalId: `ext-${id}`,
      callback: null,
    });
  }
  await db.prepare("UPDATE requests SET status = 'queued'").run();
}
function delivery(ids: string[]) {
  const outcome = { acked: false, retried: false };
  const batch: MessageBatch<ErasureMessage> = {
    messages: ids.map((id) => ({ body: { requestId: id, datasetGroup: "shop", userId: `user-of-${id}` } })),
    ackAll: () => {
      outcome.acked = true;
    },
    retryAll: () => {
      outcome.retried = true;
    },
  } as unknown as MessageBatch<ErasureMessage>;
  return { batch, outcome };
}
// Every id in every file under the consumer's prefix, as S3 holds them.
async function idsInFolder(): Promise<string[]> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: emu.emulator.bucket, Prefix: "race/" }));
  const ids: string[] = [];
  for (const { Key } of listed.Contents ?? []) {
    const got = await s3.send(new GetObjectCommand({ Bucket: emu.emulator.bucket, Key }));
    ids.push(...((await got.Body?.transformToString()) ?? "").split("\n").slice(1).filter(Boolean));
  }
  return ids.sort();
}
const rows = async () =>
  (
    await db
      .prepare("SELECT id, status, window_id IS NOT NULL AS placed FROM requests ORDER BY id")
      .all<{ id: string; status: string; placed: number }>()
  ).results;

test("a revoke landing between the batch file's upload and its record is too late: the answer and the file agree", async () => {
  await queued(["r1", "r2", "r3"]);
  let cancelled: boolean | undefined;
  afterFirstPut = async () => {
    cancelled = await new RequestLedger(db).cancel("r2", Date.now());
  };
  const { batch, outcome } = delivery(["r1", "r2", "r3"]);
  await consume(batch, env);
  expect(outcome).toEqual({ acked: true, retried: false });
  // Its id was already in a file the window's job reads: refused, never answered "cancelled".
  expect(cancelled).toBe(false);
  expect(await rows()).toEqual([
    { id: "r1", status: "in_window", placed: 1 },
    { id: "r2", status: "in_window", placed: 1 },
    { id: "r3", status: "in_window", placed: 1 },
  ]);
  expect(await idsInFolder()).toEqual(["user-of-r1", "user-of-r2", "user-of-r3"]);
});

test("a cancel before the consumer claims its batch: cancelled, and in no file", async () => {
  await queued(["r1", "r2", "r3"]);
  expect(await new RequestLedger(db).cancel("r2", Date.now())).toBe(true);
  const { batch, outcome } = delivery(["r1", "r2", "r3"]);
  await consume(batch, env);
  expect(outcome).toEqual({ acked: true, retried: false });
  expect((await rows()).map((r) => r.status)).toEqual(["in_window", "cancelled", "in_window"]);
  expect(await idsInFolder()).toEqual(["user-of-r1", "user-of-r3"]);
});

test("a request withdrawn between the upload and the record (dead-lettered): the file goes, the rest is written again", async () => {
  await queued(["r1", "r2", "r3"]);
  afterFirstPut = async () => {
    await new Ledger(db).markLost(["r2"], "dead-lettered");
  };
  const { batch, outcome } = delivery(["r1", "r2", "r3"]);
  await consume(batch, env);
  expect(outcome).toEqual({ acked: true, retried: false });
  expect((await rows()).map((r) => r.status)).toEqual(["in_window", "lost", "in_window"]);
  // The first file (naming r2's user) was taken back; the one recorded holds the other two only.
  expect(await idsInFolder()).toEqual(["user-of-r1", "user-of-r3"]);
  const keys = (await db.prepare("SELECT object_key FROM batches").all<{ object_key: string }>()).results;
  expect(keys).toHaveLength(1);
});

test("a revoke after a try wrote its file but D1 failed to record it is too late; the redelivery places all, acked", async () => {
  await queued(["r1", "r2", "r3"]);
  // The first delivery writes its file, then D1 fails as it records it: the batch is retried later.
  const unavailable = {
    prepare: db.prepare.bind(db),
    batch: async () => {
      throw new Error("D1 unavailable");
    },
  } as unknown as D1Database;
  const first = delivery(["r1", "r2", "r3"]);
  await consume(first.batch, { ...env, LEDGER: unavailable });
  expect(first.outcome).toEqual({ acked: false, retried: true });
  // The file holding r2's user is in the window's folder, unrecorded: a cancel now would be a lie.
  expect(await new RequestLedger(db).cancel("r2", Date.now())).toBe(false);
  const again = delivery(["r3", "r2", "r1"]);
  await consume(again.batch, env);
  expect(again.outcome).toEqual({ acked: true, retried: false });
  expect((await rows()).map((r) => r.status)).toEqual(["in_window", "in_window", "in_window"]);
  expect(await idsInFolder()).toEqual(["user-of-r1", "user-of-r2", "user-of-r3"]);
});
