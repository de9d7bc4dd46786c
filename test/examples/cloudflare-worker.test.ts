// examples/cloudflare-worker in workerd (miniflare) with its local Queue, D1 ledger (migrated as wrangler
// would), R2 receipts and scheduled events, against the emulator with two dataset groups and a job clock of
// seconds: 5,000 requests in, cron ticks until every one is complete.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { Miniflare } from "miniflare";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.ts";
import { applyMigrations } from "../support/d1-migrations.ts";
import { bundleWorker } from "../support/worker-bundle.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
// At least 32 bytes each, or the Worker refuses to start.
const TOKEN = "intake-token-for-tests-0123456789abcdef";
const LEDGER_KEY = "ledger-key-for-tests-0123456789abcdef";
const REQUESTS = 5000;
const GROUPS = ["shop", "books"] as const;
const userOf = (i: number) => `person-${String(i).padStart(5, "0")}`;
// In blocks, so most batches hold 100 requests of one dataset group (D1 binds at most 100 values a statement).
const groupOf = (i: number) => (i < 3500 ? "shop" : "books") as (typeof GROUPS)[number];
let emu: RunningEmulator;
let mf: Miniflare;
let maxPending = 0;
let jobsCreated = 0;
// What the Worker writes to its console (the cron's warnings), kept out of the test's output.
const logged: string[] = [];

beforeAll(async () => {
  const seedOf = (group: string) =>
    Array.from({ length: REQUESTS }, (_, i) => i)
      .filter((i) => groupOf(i) === group)
      .map((i) => ({ userId: userOf(i), itemId: `item-${i % 17}`, timestamp: 1700000000 + i }));
  emu = await startEmulator({
    port: 0,
    // PENDING lasts a third of this: long enough that windows wait for room under the 5-PENDING limit.
    jobSeconds: 6,
    trainingSeconds: 1,
    campaignSeconds: 1,
    datasetGroupName: "shop",
    seed: seedOf("shop"),
    moreDatasetGroups: [{ name: "books", seed: seedOf("books") }],
  });
  // After every request, the most PENDING jobs any dataset group had.
  const inner = emu.emulator.fetch.bind(emu.emulator);
  emu.emulator.fetch = async (request: Request) => {
    const isCreate = request.headers.get("x-amz-target") === "AmazonPersonalize.CreateDataDeletionJob";
    const response = await inner(request);
    if (isCreate && response.ok) jobsCreated++;
    for (const group of GROUPS) {
      maxPending = Math.max(
        maxPending,
        emu.emulator.state.pendingCount(emu.emulator.state.datasetGroupArn(group)),
      );
    }
    return response;
  };
  const bundle = await bundleWorker(join(ROOT, "examples/cloudflare-worker/src/index.ts"));
  mf = new Miniflare({
    modules: true,
    script: bundle,
    compatibilityDate: "2026-04-01",
    handleRuntimeStdio(stdout: Readable, stderr: Readable) {
      for (const stream of [stdout, stderr])
        stream.on("data", (chunk: Buffer) => logged.push(...String(chunk).split("\n")));
    },
    d1Databases: ["LEDGER"],
    r2Buckets: ["RECEIPTS"],
    queueProducers: { ERASURE_QUEUE: { queueName: "erasure-requests" } },
    queueConsumers: { "erasure-requests": { maxBatchSize: 100, maxBatchTimeout: 1, maxRetries: 100 } },
    // As wrangler.toml's [[workflows]]: each closed window's erasure runs in its own instance.
    workflows: { WINDOW_WORKFLOW: { name: "erasure-window", className: "WindowWorkflow" } },
    bindings: {
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_ENDPOINT_URL: emu.endpoint,
      DATASET_GROUPS: GROUPS.map((g) => `${g}=${emu.emulator.state.datasetGroupArn(g)}`).join(","),
      ROLE_ARN: "arn:aws:iam::000000000000:role/PersonalizeDeletionRole",
      S3_URI: `s3://${emu.emulator.bucket}/intake/`,
      INTAKE_TOKEN: TOKEN,
      LEDGER_KEY,
      // Every request is "at risk" (a deadline under 7 days away) until it is complete.
      DEADLINE_DAYS: "5",
      RETRY_DELAY_SECONDS: "1",
      RETRAIN: "true",
      // Seconds stand for the minutes and hours of a deployment: windows close during the intake too.
      WINDOW_IDLE_SECONDS: "1",
      WINDOW_MAX_SECONDS: "10",
      // A size cap of 20 KB (a job's is 49 MB) splits the 3,500 requests of one group over several windows.
      MAX_WINDOW_BYTES: "20000",
      // A workflow looks at AWS a second after its job, then every 2 seconds (a minute, then up to an hour).
      LOOK_FIRST_SECONDS: "1",
      LOOK_MAX_SECONDS: "2",
    },
  });
  const applied = await applyMigrations(
    (await mf.getD1Database("LEDGER")) as never,
    join(ROOT, "examples/cloudflare-worker/migrations"),
  );
  expect(applied.slice(0, 4)).toEqual([
    "0001_ledger.sql",
    "0002_window_activity.sql",
    "0003_exact_windows.sql",
    "0004_workflows.sql",
  ]);
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
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
const get = async (path: string, token?: string) =>
  mf.dispatchFetch(
    `http://intake.example${path}`,
    token ? { headers: { authorization: `Bearer ${token}` } } : {},
  );

test("wrangler.toml declares the bindings the test gives the Worker, and the migrations", () => {
  const toml = readFileSync(join(ROOT, "examples/cloudflare-worker/wrangler.toml"), "utf8");
  for (const needle of [
    'binding = "ERASURE_QUEUE"',
    'queue = "erasure-requests"',
    'dead_letter_queue = "erasure-requests-dlq"',
    'queue = "erasure-requests-dlq"',
    'binding = "LEDGER"',
    'migrations_dir = "migrations"',
    'binding = "RECEIPTS"',
    "DATASET_GROUPS =",
    "crons =",
    'main = "src/index.ts"',
  ]) {
    expect(toml).toContain(needle);
  }
});

describe("intake refuses at the door", () => {
  test("401 without the secret, 400 naming the field, 413 for an oversize body; nothing recorded", async () => {
    expect((await post({ userId: "x" }, "wrong")).status).toBe(401);
    // The token alone, without its `Bearer ` scheme, is not the header the intake takes.
    const bare = await mf.dispatchFetch("http://intake.example/erasure-requests", {
      method: "POST",
      headers: { authorization: TOKEN, "content-type": "application/json" },
      body: JSON.stringify({ userId: "x", datasetGroup: "shop" }),
    });
    expect(bare.status).toBe(401);
    const empty = await post({ userId: "", datasetGroup: "shop" });
    expect([empty.status, ((await empty.json()) as { field: string }).field]).toEqual([400, "userId"]);
    const group = await post({ userId: "x", datasetGroup: "movies" });
    expect(group.status).toBe(400);
    expect(await group.json()).toEqual({
      error: "datasetGroup must be one of shop, books",
      field: "datasetGroup",
    });
    expect((await post({ userId: "x".repeat(300), datasetGroup: "shop" })).status).toBe(400);
    expect((await post("not json")).status).toBe(400);
    expect(
      (await post(JSON.stringify({ userId: "x", datasetGroup: "shop", pad: "y".repeat(5000) }))).status,
    ).toBe(413);
    expect((await get("/erasure-requests/00000000-0000-0000-0000-000000000000")).status).toBe(404);
    expect((await get("/erasure-requests?overdue=true")).status).toBe(401);
    const db = await mf.getD1Database("LEDGER");
    expect(((await db.prepare("SELECT COUNT(*) AS n FROM requests").first()) as { n: number }).n).toBe(0);
  });
});

test("5,000 requests over two dataset groups: each completed exactly once, in a few jobs, at most 5 PENDING, users gone", async () => {
  // miniflare's Fetcher also triggers scheduled events; its type does not say so.
  const worker = (await mf.getWorker()) as unknown as {
    scheduled(options: { cron: string }): Promise<unknown>;
  };
  // The cron ticks while requests arrive, as it would: windows close and open under the consumers' writes.
  let intakeDone = false;
  const ticker = (async () => {
    while (!intakeDone) {
      await new Promise((r) => setTimeout(r, 1000));
      await worker.scheduled({ cron: "*/10 * * * *" });
    }
  })();
  const accepted = await pool(
    Array.from({ length: REQUESTS }, (_, i) => i),
    50,
    async (i) => {
      const res = await post({ userId: userOf(i), datasetGroup: groupOf(i) });
      expect(res.status).toBe(202);
      const body = (await res.json()) as { requestId: string; deadline: string; status: string };
      expect(body.status).toBe("queued");
      return body.requestId;
    },
  );
  intakeDone = true;
  await ticker;
  expect(new Set(accepted).size).toBe(REQUESTS);
  const overdueBefore = (await (await get("/erasure-requests?overdue=true", TOKEN)).json()) as {
    requests: unknown[];
  };
  expect(overdueBefore.requests.length).toBeGreaterThan(0);

  const db = await mf.getD1Database("LEDGER");
  const count = async (sql: string) => ((await db.prepare(sql).first()) as { n: number }).n;
  const deadline = Date.now() + 240_000;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    await worker.scheduled({ cron: "*/10 * * * *" });
    if ((await count("SELECT COUNT(*) AS n FROM requests WHERE status = 'completed'")) === REQUESTS) break;
  }
  expect(await count("SELECT COUNT(*) AS n FROM requests WHERE status = 'completed'")).toBe(REQUESTS);
  // Exactly once: each request in one window, settled once, with that window's receipt.
  expect(
    await count("SELECT COUNT(*) AS n FROM requests WHERE window_id IS NULL OR completed_at IS NULL"),
  ).toBe(0);
  const windows = (await db.prepare("SELECT id, status, job_name, requests, receipt_key FROM windows").all())
    .results as {
    id: string;
    status: string;
    job_name: string;
    requests: number;
    receipt_key: string;
  }[];
  expect(windows.every((w) => w.status === "complete")).toBe(true);
  // Each window's erasure ran in its own workflow instance, to its end, started once and never again.
  const { WINDOW_WORKFLOW } = (await mf.getBindings()) as {
    WINDOW_WORKFLOW: {
      get(id: string): Promise<{ status(): Promise<{ status: string; output?: unknown }> }>;
    };
  };
  for (const w of windows) {
    const { status, output } = await (await WINDOW_WORKFLOW.get(w.job_name)).status();
    expect([status, output]).toEqual(["complete", "complete"]);
  }
  expect(
    (
      await db
        .prepare("SELECT workflow_started_at IS NOT NULL AS started, workflow_restarts FROM windows")
        .all()
    ).results,
  ).toEqual(windows.map(() => ({ started: 1, workflow_restarts: 0 })));
  // Split at the size cap: no window holds more than its cap, so the larger group took several.
  const sizes = (await db.prepare("SELECT dataset_group, bytes FROM windows").all()).results as {
    dataset_group: string;
    bytes: number;
  }[];
  expect(sizes.every((w) => w.bytes <= 20000)).toBe(true);
  expect(sizes.filter((w) => w.dataset_group === "shop").length).toBeGreaterThanOrEqual(3);
  expect(windows.reduce((n, w) => n + w.requests, 0)).toBe(REQUESTS);
  // As few jobs as the service allows: never more deletion jobs than windows closed (one-job-per-batch made 50).
  const deletionJobs = [...emu.emulator.state.jobs.values()].filter((j) => !j.jobName.endsWith("-repeat-1"));
  expect(deletionJobs.length).toBeLessThanOrEqual(windows.length);
  expect(jobsCreated).toBeLessThan(REQUESTS / 100 / 5);
  expect(maxPending).toBeLessThanOrEqual(5);
  // The users are really gone: from both dataset groups, and from the models their campaigns serve.
  for (const group of GROUPS) {
    const arn = emu.emulator.state.datasetGroupArn(group);
    expect(emu.emulator.state.users(arn)).toEqual([]);
  }
  const { versions, campaigns } = emu.emulator.state.world.data();
  for (const campaign of campaigns) {
    const served = versions.find((v) => v.solutionVersionArn === campaign.solutionVersionArn);
    expect(served?.users).toEqual([]);
  }
  // Nothing personal left: no id file in S3, no id in the ledger or the receipts.
  expect([...(emu.emulator.state.buckets.get(emu.emulator.bucket)?.keys() ?? [])]).toEqual([]);
  const ledger = JSON.stringify(
    await Promise.all(
      ["requests", "windows", "batches", "jobs"].map((t) => db.prepare(`SELECT * FROM ${t}`).all()),
    ),
  );
  expect(ledger).not.toContain("person-");
  const receipts = (await mf.getR2Bucket("RECEIPTS")) as unknown as {
    get(key: string): Promise<{ text(): Promise<string> } | null>;
  };
  const arrivals = await db
    .prepare(
      "SELECT window_id, MIN(received_at) AS first, MAX(received_at) AS last FROM requests GROUP BY window_id",
    )
    .all();
  const arrivalOf = new Map(
    (arrivals.results as { window_id: string; first: number; last: number }[]).map((r) => [r.window_id, r]),
  );
  for (const w of windows) {
    const receipt = JSON.parse(
      await ((await receipts.get(w.receipt_key)) as { text(): Promise<string> }).text(),
    );
    expect(receipt).toMatchObject({ jobName: w.job_name, complete: true });
    expect(JSON.stringify(receipt)).not.toContain("person-");
    // The requests' arrival window, from the ledger: when the first and last of its requests came, and how many.
    const arrival = arrivalOf.get(w.id);
    expect(receipt.requestWindow).toEqual({
      firstReceivedAt: new Date(arrival?.first as number).toISOString(),
      lastReceivedAt: new Date(arrival?.last as number).toISOString(),
      requests: w.requests,
    });
    expect(Date.parse(receipt.requestWindow.firstReceivedAt)).toBeLessThanOrEqual(
      Date.parse(receipt.requestWindow.lastReceivedAt),
    );
    // The count of users comes from the job's own tags (each request names another user here).
    expect(receipt.users).toEqual({ unique: w.requests, from: "job-tags" });
  }
  // A request's status names its receipt once complete, and it is no longer at risk.
  const one = (await (await get(`/erasure-requests/${accepted[0]}`)).json()) as {
    status: string;
    stage: string;
    receipt: string;
    deadline: string;
    receivedAt: string;
  };
  expect(one).toMatchObject({ status: "completed", stage: "complete" });
  expect(windows.map((w) => w.receipt_key)).toContain(one.receipt);
  expect(new Date(one.deadline).getTime() - new Date(one.receivedAt).getTime()).toBe(5 * 24 * 3600 * 1000);
  const overdueAfter = (await (await get("/erasure-requests?overdue=true", TOKEN)).json()) as {
    requests: unknown[];
  };
  expect(overdueAfter.requests).toEqual([]);
  // While they were at risk, the cron said so, a line per request.
  expect(logged.some((l) => l.includes(`erasure request ${accepted[0]} (shop) is `))).toBe(true);
  console.log(
    `${REQUESTS} requests: ${windows.length} windows, ${jobsCreated} deletion jobs (${Math.round(REQUESTS / jobsCreated)} requests per job), at most ${maxPending} PENDING`,
  );
}, 300_000);
