// examples/cloudflare-worker in workerd (miniflare) with its local Queue, KV and scheduled events, against
// the emulator: 1,000 requests in, every one ends completed, none lost or duplicated, users really gone.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.ts";
import { bundleWorker } from "../support/worker-bundle.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const TOKEN = "intake-token-for-tests";
const USERS = Array.from({ length: 1000 }, (_, i) => `person-${String(i).padStart(4, "0")}`);
let emu: RunningEmulator;
let mf: Miniflare;
const uploaded = new Map<string, string[]>();
let limitHits = 0;

beforeAll(async () => {
  emu = await startEmulator({
    port: 0,
    // PENDING lasts a third of this: long enough that 10 batches of 100 meet the 5-PENDING limit.
    jobSeconds: 6,
    trainingSeconds: 1,
    campaignSeconds: 1,
    seed: USERS.flatMap((userId, i) => [{ userId, itemId: `item-${i % 17}`, timestamp: 1700000000 + i }]),
  });
  // Record every object the Worker uploads, to prove no id went into two jobs.
  const inner = emu.emulator.fetch.bind(emu.emulator);
  emu.emulator.fetch = async (request: Request) => {
    if (request.method === "PUT" && !request.headers.has("x-amz-target")) {
      const text = await request.clone().text();
      uploaded.set(new URL(request.url).pathname, text.split("\n").slice(1, -1));
    }
    const response = await inner(request);
    if (response.status === 400 && (await response.clone().text()).includes("LimitExceededException"))
      limitHits++;
    return response;
  };
  const bundle = await bundleWorker(join(ROOT, "examples/cloudflare-worker/src/index.ts"));
  mf = new Miniflare({
    modules: true,
    script: bundle,
    compatibilityDate: "2026-04-01",
    kvNamespaces: ["REQUESTS"],
    queueProducers: { ERASURE_QUEUE: { queueName: "erasure-requests" } },
    queueConsumers: { "erasure-requests": { maxBatchSize: 100, maxBatchTimeout: 1, maxRetries: 100 } },
    bindings: {
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_ENDPOINT_URL: emu.endpoint,
      DATASET_GROUP_ARN: emu.emulator.datasetGroupArn,
      ROLE_ARN: "arn:aws:iam::000000000000:role/PersonalizeDeletionRole",
      S3_URI: `s3://${emu.emulator.bucket}/intake/`,
      INTAKE_TOKEN: TOKEN,
      RETRY_DELAY_SECONDS: "1",
      RETRAIN: "true",
    },
  });
});
afterAll(async () => {
  await mf?.dispose();
  await emu?.close();
});

async function pool<T, R>(items: T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i] as T);
      }
    }),
  );
  return out;
}

const post = (body: unknown, token = TOKEN) =>
  mf.dispatchFetch("http://intake.example/erasure-requests", {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });

test("wrangler.toml declares the bindings the test gives the Worker", () => {
  const toml = readFileSync(join(ROOT, "examples/cloudflare-worker/wrangler.toml"), "utf8");
  for (const needle of [
    'binding = "ERASURE_QUEUE"',
    'queue = "erasure-requests"',
    'binding = "REQUESTS"',
    "crons =",
    'main = "src/index.ts"',
  ]) {
    expect(toml).toContain(needle);
  }
});

test("intake refuses a wrong token and bad ids", async () => {
  expect((await post({ userId: "x" }, "wrong")).status).toBe(401);
  expect((await post({ userId: "" })).status).toBe(400);
  expect((await post({ userId: "x".repeat(300) })).status).toBe(400);
  expect((await post({ nope: 1 })).status).toBe(400);
  expect(
    (await mf.dispatchFetch("http://intake.example/erasure-requests/00000000-0000-0000-0000-000000000000"))
      .status,
  ).toBe(404);
});

test("1,000 requests: every one completed, none lost or duplicated, the users really deleted", async () => {
  const accepted = await pool(USERS, 50, async (userId) => {
    const res = await post({ userId });
    expect(res.status).toBe(202);
    return ((await res.json()) as { requestId: string }).requestId;
  });
  expect(new Set(accepted).size).toBe(1000);

  // miniflare's Fetcher also triggers scheduled events; its type does not say so.
  const worker = (await mf.getWorker()) as unknown as {
    scheduled(options: { cron: string }): Promise<unknown>;
  };
  const deadline = Date.now() + 120_000;
  let statuses: { status: string; jobArn?: string }[] = [];
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    await worker.scheduled({ cron: "*/10 * * * *" });
    statuses = await pool(
      accepted,
      50,
      async (id) =>
        (await (await mf.dispatchFetch(`http://intake.example/erasure-requests/${id}`)).json()) as {
          status: string;
          jobArn?: string;
        },
    );
    if (statuses.every((s) => s.status === "completed")) break;
  }
  const counts: Record<string, number> = {};
  for (const s of statuses) counts[s.status] = (counts[s.status] ?? 0) + 1;
  expect(counts).toEqual({ completed: 1000 });

  const jobs = [...emu.emulator.state.jobs.values()];
  expect(jobs.every((j) => j.status === "COMPLETED")).toBe(true);
  expect(new Set(statuses.map((s) => s.jobArn))).toEqual(new Set(jobs.map((j) => j.dataDeletionJobArn)));
  const ids = [...uploaded.values()].flat();
  expect(ids.length).toBe(1000);
  expect(new Set(ids).size).toBe(1000);
  expect(jobs.reduce((n, j) => n + (j.numDeleted ?? 0), 0)).toBe(1000);
  expect(emu.emulator.state.users(emu.emulator.datasetGroupArn)).toEqual([]);
  // Batches met the PENDING limit and were retried later, not dropped.
  expect(limitHits).toBeGreaterThan(0);
  // The CSVs (personal data) were deleted once their jobs completed.
  expect(emu.emulator.state.buckets.get(emu.emulator.bucket)?.size).toBe(0);
  // "completed" means the receipt says so: the model the campaign serves holds none of the users.
  const { campaigns, versions } = emu.emulator.state.world.data();
  const served = versions.find((v) => v.solutionVersionArn === campaigns[0]?.solutionVersionArn);
  expect(served?.users).toEqual([]);
  const one = (await (
    await mf.dispatchFetch(`http://intake.example/erasure-requests/${accepted[0]}`)
  ).json()) as {
    receipt: { complete: boolean; stage: string; retrain: { solutions: { status: string }[] } };
  };
  expect(one.receipt).toMatchObject({ complete: true, stage: "complete" });
  expect(JSON.stringify(one)).not.toContain("person-");
  // Trainings started only after every deletion job had ended, so none voided another job's deletion.
  expect(jobs.filter((j) => j.jobName.endsWith("-repeat-1"))).toEqual([]);
}, 180_000);
