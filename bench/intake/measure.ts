// "Intake at scale": N erasure requests through a Worker design in workerd (miniflare), against the
// emulator with the same job duration, the cron ticking throughout, until every request is settled. Counts
// the deletion jobs and times intake and drain (from the last request accepted to the last one settled).
import { join } from "node:path";
import type { Readable } from "node:stream";
import { Miniflare } from "miniflare";
import { startEmulator } from "../../src/emulator/index.ts";
import { applyMigrations } from "../../test/support/d1-migrations.ts";
import { bundleWorker } from "../../test/support/worker-bundle.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

export interface IntakeResult {
  design: string;
  requests: number;
  jobs: number;
  requestsPerJob: number;
  maxPending: number;
  intakeSeconds: number;
  drainSeconds: number;
  totalSeconds: number;
  /** Intake calls answered 5xx by miniflare's local storage and retried by the caller. */
  intakeRetries: number;
}

async function pool<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}

/** Runs one design: `windowed` (examples/cloudflare-worker) or `per-batch` (the baseline). */
export async function measureIntake(
  design: "windowed" | "per-batch",
  requests: number,
  jobSeconds: number,
): Promise<IntakeResult> {
  const users = Array.from({ length: requests }, (_, i) => `p-${i}`);
  const emu = await startEmulator({
    port: 0,
    jobSeconds,
    datasetGroupName: "shop",
    seed: users.map((userId, i) => ({ userId, itemId: `i-${i % 13}`, timestamp: 1700000000 + i })),
  });
  let jobs = 0;
  let maxPending = 0;
  const inner = emu.emulator.fetch.bind(emu.emulator);
  emu.emulator.fetch = async (request: Request) => {
    const create = request.headers.get("x-amz-target") === "AmazonPersonalize.CreateDataDeletionJob";
    const response = await inner(request);
    if (create && response.ok) jobs++;
    maxPending = Math.max(maxPending, emu.emulator.state.pendingCount(emu.emulator.datasetGroupArn));
    return response;
  };
  const windowed = design === "windowed";
  const entry = windowed ? "examples/cloudflare-worker/src/index.ts" : "bench/intake/per-batch-worker.ts";
  const mf = new Miniflare({
    modules: true,
    script: await bundleWorker(join(ROOT, entry)),
    compatibilityDate: "2026-04-01",
    handleRuntimeStdio(stdout: Readable, stderr: Readable) {
      if (process.env.INTAKE_DEBUG) {
        stdout.pipe(process.stderr);
        stderr.pipe(process.stderr);
      } else {
        stdout.resume();
        stderr.resume();
      }
    },
    ...(windowed
      ? {
          d1Databases: ["LEDGER"],
          r2Buckets: ["RECEIPTS"],
          // Each window's erasure in its own workflow instance, looking at AWS every second.
          workflows: { WINDOW_WORKFLOW: { name: "erasure-window", className: "WindowWorkflow" } },
        }
      : { kvNamespaces: ["REQUESTS"] }),
    queueProducers: { ERASURE_QUEUE: { queueName: "erasure-requests" } },
    queueConsumers: { "erasure-requests": { maxBatchSize: 100, maxBatchTimeout: 1, maxRetries: 100 } },
    bindings: {
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_ENDPOINT_URL: emu.endpoint,
      DATASET_GROUP_ARN: emu.emulator.datasetGroupArn,
      DATASET_GROUPS: `shop=${emu.emulator.datasetGroupArn}`,
      ROLE_ARN: "arn:aws:iam::000000000000:role/PersonalizeDeletionRole",
      S3_URI: `s3://${emu.emulator.bucket}/intake/`,
      INTAKE_TOKEN: "bench-token-0123456789abcdef0123456789",
      LEDGER_KEY: "bench-ledger-key-0123456789abcdef0123456789",
      RETRY_DELAY_SECONDS: "1",
      // Scaled as the job duration is: a window goes a second after intake pauses, or after half a minute.
      WINDOW_IDLE_SECONDS: "1",
      WINDOW_MAX_SECONDS: "30",
      LOOK_FIRST_SECONDS: "1",
      LOOK_MAX_SECONDS: "1",
    },
  });
  try {
    if (windowed) {
      await applyMigrations(
        (await mf.getD1Database("LEDGER")) as never,
        join(ROOT, "examples/cloudflare-worker/migrations"),
      );
    }
    const worker = (await mf.getWorker()) as unknown as { scheduled(o: { cron: string }): Promise<unknown> };
    const ids: string[] = [];
    let running = true;
    const ticker = (async () => {
      while (running) {
        await new Promise((r) => setTimeout(r, 1000));
        await worker.scheduled({ cron: "*/10 * * * *" });
      }
    })();
    const started = performance.now();
    let retried = 0;
    await pool(users, 50, async (userId) => {
      // A caller retries a 5xx, as a real one would (miniflare's local KV and D1 refuse some writes under load).
      for (let attempt = 1; ; attempt++) {
        const res = await mf.dispatchFetch("http://intake.example/erasure-requests", {
          method: "POST",
          headers: {
            authorization: "Bearer bench-token-0123456789abcdef0123456789",
            "content-type": "application/json",
          },
          body: JSON.stringify({ userId, datasetGroup: "shop" }),
        });
        if (res.status === 202) {
          ids.push(((await res.json()) as { requestId: string }).requestId);
          return;
        }
        const text = await res.text();
        if (res.status < 500 || attempt === 10) throw new Error(`intake answered ${res.status}: ${text}`);
        retried++;
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    });
    const accepted = performance.now();
    // Settled: every user gone from the dataset group and every request told so.
    const settled = async () => {
      if ((emu.emulator.state.users(emu.emulator.datasetGroupArn)?.length ?? 1) > 0) return false;
      if (windowed) {
        const db = await mf.getD1Database("LEDGER");
        const row = (await db
          .prepare("SELECT COUNT(*) AS n FROM requests WHERE status NOT IN ('deleted', 'completed')")
          .first()) as { n: number };
        return row.n === 0;
      }
      const kv = (await mf.getKVNamespace("REQUESTS")) as unknown as {
        get(k: string): Promise<string | null>;
      };
      for (const id of ids.slice(-200)) {
        if (!JSON.parse((await kv.get(`req:${id}`)) ?? "{}").status?.startsWith("completed")) return false;
      }
      return true;
    };
    const limit = performance.now() + 15 * 60_000;
    while (!(await settled())) {
      if (performance.now() > limit)
        throw new Error(
          `${design}: not settled after 15 minutes (${jobs} jobs, ${emu.emulator.state.users(emu.emulator.datasetGroupArn)?.length} users left)`,
        );
      if (process.env.INTAKE_DEBUG) {
        const state = windowed
          ? JSON.stringify(
              (
                await (
                  await mf.getD1Database("LEDGER")
                )
                  .prepare("SELECT status, COUNT(*) AS n FROM requests GROUP BY status")
                  .all()
              ).results,
            )
          : "";
        console.error(design, jobs, emu.emulator.state.users(emu.emulator.datasetGroupArn)?.length, state);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    const done = performance.now();
    running = false;
    await ticker;
    return {
      design,
      requests,
      jobs,
      requestsPerJob: Math.round(requests / Math.max(1, jobs)),
      maxPending,
      intakeSeconds: (accepted - started) / 1000,
      drainSeconds: (done - accepted) / 1000,
      totalSeconds: (done - started) / 1000,
      intakeRetries: retried,
    };
  } finally {
    await mf.dispose();
    await emu.close();
  }
}

if (import.meta.main) {
  const requests = Number(process.argv[2] ?? 20000);
  const jobSeconds = Number(process.argv[3] ?? 6);
  for (const design of (process.argv[4] ? [process.argv[4]] : ["per-batch", "windowed"]) as (
    | "per-batch"
    | "windowed"
  )[]) {
    console.log(JSON.stringify(await measureIntake(design, requests, jobSeconds)));
  }
}
