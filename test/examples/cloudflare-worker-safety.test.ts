// examples/cloudflare-worker's refusals and failures, in workerd (miniflare) against the emulator: ids taken
// exactly as given, a batch that exhausts its retries ends `lost` through the dead-letter queue, a job of a
// window's name made from another list fails the window instead of being adopted; and the Worker refuses to
// start without strong secrets.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { CreateDataDeletionJobCommand, PersonalizeClient } from "@aws-sdk/client-personalize";
import { Miniflare } from "miniflare";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.ts";
import { applyMigrations } from "../support/d1-migrations.ts";
import { bundleWorker } from "../support/worker-bundle.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const MIGRATIONS = join(ROOT, "examples/cloudflare-worker/migrations");
const TOKEN = "safety-intake-token-0123456789abcdef";
const LEDGER_KEY = "safety-ledger-key-0123456789abcdef";
const ROLE_ARN = "arn:aws:iam::000000000000:role/PersonalizeDeletionRole";
// "shop" takes the exact-id requests, "lossy" sits behind an S3 prefix that refuses writes, "clash" gets a
// job of its window's name made from another list.
const GROUPS = ["shop", "lossy", "clash"] as const;
const SHOP_USERS = ["spaced user", "spaced", " spaced user", "keep-me"];
let emu: RunningEmulator;
let mf: Miniflare;
let bundle: string;
const logged: string[] = [];
let refusedPuts = 0;
let creates = 0;

const interactions = (users: string[]) =>
  users.map((userId, i) => ({ userId, itemId: `item-${i}`, timestamp: 1700000000 + i }));

const capture = (into: string[]) => (stdout: Readable, stderr: Readable) => {
  for (const stream of [stdout, stderr])
    stream.on("data", (chunk: Buffer) => into.push(...String(chunk).split("\n")));
};

beforeAll(async () => {
  emu = await startEmulator({
    port: 0,
    jobSeconds: 1,
    trainingSeconds: 1,
    campaignSeconds: 1,
    datasetGroupName: "shop",
    seed: interactions(SHOP_USERS),
    moreDatasetGroups: [
      { name: "lossy", seed: interactions(["lossy-user"]) },
      { name: "clash", seed: interactions(["clash-user"]) },
    ],
  });
  // The "lossy" group's prefix refuses writes as a bucket policy denying it would: 403 AccessDenied.
  const inner = emu.emulator.fetch.bind(emu.emulator);
  emu.emulator.fetch = async (request: Request) => {
    if (request.method === "PUT" && new URL(request.url).pathname.includes("/intake/lossy/")) {
      refusedPuts++;
      return new Response(
        '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>',
        { status: 403, headers: { "content-type": "application/xml" } },
      );
    }
    if (request.headers.get("x-amz-target") === "AmazonPersonalize.CreateDataDeletionJob") creates++;
    return inner(request);
  };
  bundle = await bundleWorker(join(ROOT, "examples/cloudflare-worker/src/index.ts"));
  mf = new Miniflare({
    modules: true,
    script: bundle,
    compatibilityDate: "2026-04-01",
    handleRuntimeStdio: capture(logged),
    d1Databases: ["LEDGER"],
    r2Buckets: ["RECEIPTS"],
    queueProducers: { ERASURE_QUEUE: { queueName: "erasure-requests" } },
    workflows: { WINDOW_WORKFLOW: { name: "erasure-window", className: "WindowWorkflow" } },
    // As wrangler.toml declares them, with 2 retries instead of 100 so a failing batch dead-letters in seconds.
    queueConsumers: {
      "erasure-requests": {
        maxBatchSize: 100,
        maxBatchTimeout: 1,
        maxRetries: 2,
        deadLetterQueue: "erasure-requests-dlq",
      },
      "erasure-requests-dlq": { maxBatchSize: 100, maxBatchTimeout: 1, maxRetries: 10 },
    },
    bindings: {
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_ENDPOINT_URL: emu.endpoint,
      DATASET_GROUPS: GROUPS.map((g) => `${g}=${emu.emulator.state.datasetGroupArn(g)}`).join(","),
      ROLE_ARN,
      S3_URI: `s3://${emu.emulator.bucket}/intake/`,
      INTAKE_TOKEN: TOKEN,
      LEDGER_KEY,
      RETRY_DELAY_SECONDS: "0",
      RETRAIN: "false",
      WINDOW_IDLE_SECONDS: "1",
      WINDOW_MAX_SECONDS: "10",
      LOOK_FIRST_SECONDS: "1",
      LOOK_MAX_SECONDS: "1",
    },
  });
  await applyMigrations((await mf.getD1Database("LEDGER")) as never, MIGRATIONS);
});
afterAll(async () => {
  await mf?.dispose();
  await emu?.close();
});

const post = (body: unknown, worker = mf, token = TOKEN) =>
  worker.dispatchFetch("http://intake.example/erasure-requests", {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
const statusOf = async (requestId: string) =>
  (await (await mf.dispatchFetch(`http://intake.example/erasure-requests/${requestId}`)).json()) as {
    status: string;
    failure?: string;
    window?: string;
  };
const tick = async () =>
  ((await mf.getWorker()) as unknown as { scheduled(o: { cron: string }): Promise<unknown> }).scheduled({
    cron: "*/10 * * * *",
  });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${what}`);
}
const requestCount = async (worker = mf) =>
  (
    (await (await worker.getD1Database("LEDGER")).prepare("SELECT COUNT(*) AS n FROM requests").first()) as {
      n: number;
    }
  ).n;

describe("ids exactly as given", () => {
  test("a padded id, a lone surrogate (a JSON \\ud800 escape) and a control character: 400 naming userId, the id never echoed, nothing recorded", async () => {
    const before = await requestCount();
    const cases: [string, RegExp][] = [
      [JSON.stringify({ userId: " spaced user ", datasetGroup: "shop" }), /leading and trailing whitespace/],
      [JSON.stringify({ userId: "spaced user ", datasetGroup: "shop" }), /trailing whitespace/],
      // The escape in the JSON text: JSON.parse makes it a lone surrogate, which no UTF-8 file can hold.
      ['{"userId":"spaced\\ud800user","datasetGroup":"shop"}', /lone surrogate/],
      [JSON.stringify({ userId: "spaced\u0007user", datasetGroup: "shop" }), /control characters/],
    ];
    for (const [body, rule] of cases) {
      const res = await post(body);
      const answer = (await res.json()) as { error: string; field: string };
      expect([res.status, answer.field]).toEqual([400, "userId"]);
      expect(answer.error).toMatch(rule);
      expect(answer.error).not.toContain("spaced");
      // The library's hint to opt in to trimming is its own option, not the intake's.
      expect(answer.error).not.toContain("opt in");
    }
    expect(await requestCount()).toBe(before);
  });

  test("an id with an inner space is accepted and erases exactly that user: not 'spaced', not ' spaced user'", async () => {
    const arn = emu.emulator.state.datasetGroupArn("shop");
    expect(emu.emulator.state.users(arn)?.sort()).toEqual([...SHOP_USERS].sort());
    const res = await post({ userId: "spaced user", datasetGroup: "shop" });
    expect(res.status).toBe(202);
    const { requestId } = (await res.json()) as { requestId: string };
    const settled = await until("the shop request to settle", async () => {
      await tick();
      const s = await statusOf(requestId);
      return ["completed", "deleted", "failed", "lost"].includes(s.status) ? s : undefined;
    });
    // Without RETRAIN the users are gone from the datasets and the request ends "deleted".
    expect(settled.status).toBe("deleted");
    expect(emu.emulator.state.users(arn)?.sort()).toEqual([" spaced user", "keep-me", "spaced"]);
  }, 90_000);
});

test("a batch that exhausts its retries goes to the dead-letter queue and its request ends lost, with a warning", async () => {
  const res = await post({ userId: "lossy-user", datasetGroup: "lossy" });
  expect(res.status).toBe(202);
  const { requestId } = (await res.json()) as { requestId: string };
  const lost = await until("the lossy request to be lost", async () => {
    const s = await statusOf(requestId);
    return s.status === "lost" ? s : undefined;
  });
  expect(lost.failure).toMatch(/dead-letter queue/);
  expect(lost.window).toBeUndefined();
  // Every delivery tried to write and was refused: max_retries 2, so 3 deliveries.
  expect(refusedPuts).toBe(3);
  const warning = logged.find((l) => l.includes(`erasure request ${requestId} (lossy) is lost`));
  expect(warning).toBeDefined();
  expect(logged.join("\n")).not.toContain("lossy-user");
  // Nothing was written under the refusing prefix, and the user is still there: lost means not erased.
  const keys = [...(emu.emulator.state.buckets.get(emu.emulator.bucket)?.keys() ?? [])];
  expect(keys.filter((k) => k.startsWith("intake/lossy/"))).toEqual([]);
  expect(emu.emulator.state.users(emu.emulator.state.datasetGroupArn("lossy"))).toEqual(["lossy-user"]);
}, 60_000);

test("a job of the window's name made from another list is not adopted: the window and its request fail once, with the reason", async () => {
  const arn = emu.emulator.state.datasetGroupArn("clash");
  const res = await post({ userId: "clash-user", datasetGroup: "clash" });
  expect(res.status).toBe(202);
  const { requestId } = (await res.json()) as { requestId: string };
  const db = await mf.getD1Database("LEDGER");
  const window = await until("the clash request to be in its window", async () => {
    const row = (await db
      .prepare(
        "SELECT w.id, w.job_name, w.folder FROM requests r JOIN windows w ON w.id = r.window_id WHERE r.id = ?",
      )
      .bind(requestId)
      .first()) as { id: string; job_name: string; folder: string } | null;
    return row ?? undefined;
  });
  // Someone else made a job under this window's name, reading the same folder, from a different list.
  const personalize = new PersonalizeClient({
    region: "us-east-1",
    endpoint: emu.endpoint,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  const other = await personalize.send(
    new CreateDataDeletionJobCommand({
      jobName: window.job_name,
      datasetGroupArn: arn,
      dataSource: { dataLocation: window.folder },
      roleArn: ROLE_ARN,
      tags: [{ tagKey: "erasure-sha256", tagValue: "0".repeat(64) }],
    }),
  );
  const createsBefore = creates;
  await sleep(1100);
  await tick();
  // The tick starts the window's workflow, whose first step finds the name taken.
  const failed = await until("the clash window's workflow to fail it", async () => {
    const s = await statusOf(requestId);
    return s.status === "failed" ? s : undefined;
  });
  expect(failed.failure).toContain(window.job_name);
  expect(failed.failure).toMatch(/different list/);
  const row = (await db
    .prepare("SELECT status, failure FROM windows WHERE id = ?")
    .bind(window.id)
    .first()) as {
    status: string;
    failure: string;
  };
  expect(row.status).toBe("failed");
  expect(row.failure).toMatch(/different list/);
  // Failed once, not retried: later ticks make no job, log nothing more and leave the window as it is; the
  // only job of that name is the other one.
  await tick();
  await tick();
  expect(logged.filter((l) => l.includes(`window ${window.id} failed:`)).length).toBe(1);
  expect(creates).toBe(createsBefore);
  expect((await statusOf(requestId)).status).toBe("failed");
  const named = [...emu.emulator.state.jobs.values()].filter((j) => j.jobName === window.job_name);
  expect(named.map((j) => j.dataDeletionJobArn)).toEqual([other.dataDeletionJobArn as string]);
  // The failed window's id file is taken back: no id stays in S3 for a request that will not be erased.
  const keys = [...(emu.emulator.state.buckets.get(emu.emulator.bucket)?.keys() ?? [])];
  expect(keys.filter((k) => k.startsWith(window.folder.replace(/^s3:\/\/[^/]+\//, "")))).toEqual([]);
}, 60_000);

describe("refuses to start without strong secrets", () => {
  // Where the Worker would send AWS requests: any hit means it did something.
  let hits = 0;
  let tripwire: ReturnType<typeof Bun.serve>;
  beforeAll(() => {
    tripwire = Bun.serve({
      port: 0,
      fetch() {
        hits++;
        return new Response("no", { status: 500 });
      },
    });
  });
  afterAll(() => tripwire?.stop(true));

  const weak: [string, Record<string, string>, string][] = [
    [
      "INTAKE_TOKEN of 31 bytes",
      { INTAKE_TOKEN: "t".repeat(31), LEDGER_KEY },
      "INTAKE_TOKEN is shorter than 32 bytes",
    ],
    ["LEDGER_KEY missing", { INTAKE_TOKEN: TOKEN }, "LEDGER_KEY is not set"],
    // 16 characters, 32 bytes in UTF-8... and a token of 31 bytes: bytes are counted, not characters.
    [
      "INTAKE_TOKEN of 31 bytes in 16 characters",
      { INTAKE_TOKEN: `${"é".repeat(15)}t`, LEDGER_KEY: "é".repeat(16) },
      "INTAKE_TOKEN is shorter than 32 bytes",
    ],
  ];
  for (const [name, secrets, line] of weak) {
    test(`${name}: every request 500, a log line naming it, the cron and the queue consumer do nothing`, async () => {
      const out: string[] = [];
      const worker = new Miniflare({
        modules: true,
        script: bundle,
        compatibilityDate: "2026-04-01",
        handleRuntimeStdio: capture(out),
        d1Databases: ["LEDGER"],
        r2Buckets: ["RECEIPTS"],
        queueProducers: { ERASURE_QUEUE: { queueName: "erasure-requests" } },
        workflows: { WINDOW_WORKFLOW: { name: "erasure-window", className: "WindowWorkflow" } },
        queueConsumers: { "erasure-requests": { maxBatchSize: 100, maxBatchTimeout: 1, maxRetries: 2 } },
        bindings: {
          AWS_REGION: "us-east-1",
          AWS_ACCESS_KEY_ID: "test",
          AWS_SECRET_ACCESS_KEY: "test",
          AWS_ENDPOINT_URL: tripwire.url.origin,
          DATASET_GROUPS: "shop=arn:aws:personalize:us-east-1:000000000000:dataset-group/shop",
          ROLE_ARN,
          S3_URI: "s3://bucket/intake/",
          RETRY_DELAY_SECONDS: "0",
          WINDOW_IDLE_SECONDS: "0",
          ...secrets,
        },
      });
      try {
        const db = await worker.getD1Database("LEDGER");
        await applyMigrations(db as never, MIGRATIONS);
        // What a working cron would act on: a request never queued for two hours (it would be marked lost), and
        // one queued whose message the consumer would write into a window.
        const old = Date.now() - 2 * 3600_000;
        await db
          .prepare(
            "INSERT INTO requests (id, dataset_group, user_hash, received_at, deadline_at, status) VALUES ('00000000-0000-0000-0000-000000000001', 'shop', 'h', ?, ?, 'received'), ('00000000-0000-0000-0000-000000000002', 'shop', 'h', ?, ?, 'queued')",
          )
          .bind(old, old + 86_400_000, old, old + 86_400_000)
          .run();
        const token = secrets.INTAKE_TOKEN ?? "";
        const answers = [
          await post({ userId: "someone", datasetGroup: "shop" }, worker, token),
          await worker.dispatchFetch(
            "http://intake.example/erasure-requests/00000000-0000-0000-0000-000000000001",
          ),
          await worker.dispatchFetch("http://intake.example/erasure-requests?overdue=true", {
            headers: { authorization: `Bearer ${token}` },
          }),
        ];
        expect(answers.map((a) => a.status)).toEqual([500, 500, 500]);
        const producer = await worker.getQueueProducer<{
          requestId: string;
          datasetGroup: string;
          userId: string;
        }>("ERASURE_QUEUE");
        await producer.send({
          requestId: "00000000-0000-0000-0000-000000000002",
          datasetGroup: "shop",
          userId: "someone",
        });
        await (
          (await worker.getWorker()) as unknown as { scheduled(o: { cron: string }): Promise<unknown> }
        ).scheduled({
          cron: "*/10 * * * *",
        });
        // The consumer's deliveries (3 with max_retries 2) each refuse and log.
        await until(
          "the consumer's deliveries",
          async () => (out.filter((l) => l.includes(line)).length >= 3 + 3 + 1 ? true : undefined),
          15_000,
        );
        expect(out.some((l) => l.includes(`refusing to start: ${line}`))).toBe(true);
        for (const value of Object.values(secrets)) expect(out.join("\n")).not.toContain(value);
        const rows = (await db.prepare("SELECT id, status FROM requests ORDER BY id").all()).results;
        expect(rows).toEqual([
          { id: "00000000-0000-0000-0000-000000000001", status: "received" },
          { id: "00000000-0000-0000-0000-000000000002", status: "queued" },
        ]);
        expect(hits).toBe(0);
      } finally {
        await worker.dispose();
      }
    }, 30_000);
  }
});
