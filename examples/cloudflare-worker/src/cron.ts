// The cron trigger, per dataset group: carry each submitted window's erasure on (without waiting) and
// settle its requests from the receipt; then close windows into deletion jobs as long as the service has
// room (5 PENDING per dataset group); then warn about requests whose deadline is near.
import {
  ConflictError,
  DataDeletionError,
  DEFAULT_MAX_PENDING_JOBS,
  LimitExceededException,
  WaiterTimeoutError,
} from "personalize-data-deletion";
import {
  DatasetGroupBusyError,
  type ErasureClient,
  type ErasureReceipt,
  ErasureWaitTimeoutError,
} from "personalize-data-deletion/erasure";
import { client, datasetGroups, type Env, sha256, windowIdleMs, windowMaxMs } from "./config.ts";
import { atRisk } from "./intake.ts";

interface Window {
  id: string;
  folder: string;
  status: string;
  opened_at: number;
  last_batch_at: number | null;
  job_name: string;
  requests: number;
  stage: string | null;
}

const receiptKey = (window: Window) => `receipts/${window.id}.json`;

// The tag the library compares before adopting a job of the same name: a job made from other files under
// this window's name is a ConflictError, never taken for this window's erasure.
const LIST_SHA256_TAG = "erasure-sha256";

// A digest of the window's files in key order (each file's SHA-256, as written), or undefined for a window
// whose batches predate migration 0003. Once the window is closing no batch joins it, so this is fixed.
async function windowDigest(env: Env, window: Window): Promise<string | undefined> {
  const { results } = await env.LEDGER.prepare(
    "SELECT sha256 FROM batches WHERE window_id = ? ORDER BY object_key",
  )
    .bind(window.id)
    .all<{ sha256: string | null }>();
  if (results.length === 0 || results.some((b) => !b.sha256)) return undefined;
  return sha256(results.map((b) => b.sha256).join("\n"));
}

/** When the window's requests arrived: what the receipt's job times alone cannot tell an auditor. */
interface RequestWindow {
  firstReceivedAt: string;
  lastReceivedAt: string;
  requests: number;
}

async function requestWindow(env: Env, window: Window): Promise<RequestWindow | undefined> {
  const row = await env.LEDGER.prepare(
    "SELECT MIN(received_at) AS first, MAX(received_at) AS last, COUNT(*) AS n FROM requests WHERE window_id = ?",
  )
    .bind(window.id)
    .first<{ first: number | null; last: number | null; n: number }>();
  if (!row || row.first === null || row.last === null) return undefined;
  return {
    firstReceivedAt: new Date(row.first).toISOString(),
    lastReceivedAt: new Date(row.last).toISOString(),
    requests: row.n,
  };
}

// A failure no later tick can mend (a job of the window's name made from another list): the window and its
// requests end `failed` with the reason, logged, and its files (ids) are taken back; the cron moves on.
async function fail(env: Env, c: ErasureClient, window: Window, reason: string): Promise<void> {
  console.error(`window ${window.id} failed: ${reason}`);
  const now = Date.now();
  await env.LEDGER.batch([
    env.LEDGER.prepare(
      "UPDATE windows SET status = 'failed', failure = ?, completed_at = ? WHERE id = ?",
    ).bind(reason, now, window.id),
    env.LEDGER.prepare(
      "UPDATE requests SET status = 'failed', failure = ?, completed_at = ? WHERE window_id = ? AND status IN ('in_window', 'submitted')",
    ).bind(reason, now, window.id),
  ]);
  const { results } = await env.LEDGER.prepare("SELECT object_key FROM batches WHERE window_id = ?")
    .bind(window.id)
    .all<{ object_key: string }>();
  for (const { object_key } of results) await c.deleteUploadedFile(object_key);
}

// The request status a receipt settles a window's requests to, or undefined while there is more to do.
function settled(receipt: ErasureReceipt, retrain: boolean): "completed" | "deleted" | "failed" | undefined {
  if (receipt.complete) return "completed";
  if (receipt.stage === "failed") return "failed";
  // Without RETRAIN nothing more will happen to the models: the users are gone from the datasets only.
  if (receipt.stage === "models-hold-users" && !retrain) return "deleted";
  return undefined;
}

// One look at a submitted window's erasure; its receipt is stored and its requests settled in one statement.
async function follow(env: Env, c: ErasureClient, datasetGroupArn: string, window: Window): Promise<string> {
  const retrain = env.RETRAIN === "true";
  let receipt: ErasureReceipt;
  try {
    ({ receipt } = await c.continueErasure({
      datasetGroupArn,
      jobName: window.job_name,
      retrain,
      wait: { timeoutMs: 0 },
      failOnJobFailure: false,
    }));
  } catch (error) {
    // Still in progress (the job, a training, a campaign update), or a passing failure: the next tick looks.
    if (error instanceof WaiterTimeoutError || error instanceof ErasureWaitTimeoutError) {
      const stage = error instanceof ErasureWaitTimeoutError ? error.stage : "deleting";
      await env.LEDGER.prepare("UPDATE windows SET stage = ? WHERE id = ?").bind(stage, window.id).run();
      return stage;
    }
    if (error instanceof DataDeletionError && error.retryable) return window.stage ?? "deleting";
    if (error instanceof ConflictError) {
      await fail(env, c, window, error.message);
      return "failed";
    }
    throw error;
  }
  const key = receiptKey(window);
  const arrivals = await requestWindow(env, window);
  const stored = arrivals ? { ...receipt, requestWindow: arrivals } : receipt;
  await env.RECEIPTS.put(key, JSON.stringify(stored, null, 2), {
    httpMetadata: { contentType: "application/json" },
  });
  const final = settled(receipt, retrain);
  const now = Date.now();
  const statements = [
    env.LEDGER.prepare(
      "UPDATE windows SET stage = ?, receipt_key = ?, status = ?, completed_at = ? WHERE id = ?",
    ).bind(
      receipt.stage,
      key,
      final === undefined
        ? "submitted"
        : final === "deleted"
          ? "deleted"
          : final === "failed"
            ? "failed"
            : "complete",
      final === undefined ? null : now,
      window.id,
    ),
  ];
  if (final) {
    // Settling a job is one statement for all its requests.
    statements.push(
      env.LEDGER.prepare(
        "UPDATE requests SET status = ?, completed_at = ?, receipt_key = ?, failure = ? WHERE window_id = ? AND status = 'submitted'",
      ).bind(final, now, key, final === "failed" ? (receipt.pending[0] ?? "failed") : null, window.id),
    );
  }
  await env.LEDGER.batch(statements);
  return receipt.stage;
}

// Closes a window to new batches and makes its deletion job on the whole folder. Safe to repeat: the job
// is adopted by its name.
async function submit(
  env: Env,
  c: ErasureClient,
  datasetGroupArn: string,
  window: Window,
): Promise<"made" | "wait" | "failed"> {
  await env.LEDGER.prepare(
    "UPDATE windows SET status = 'closing', closed_at = ? WHERE id = ? AND status IN ('open', 'full')",
  )
    .bind(Date.now(), window.id)
    .run();
  const digest = await windowDigest(env, window);
  try {
    const { jobs } = await c.eraseUsers({
      dataLocation: window.folder,
      datasetGroupArn,
      roleArn: env.ROLE_ARN,
      jobName: window.job_name,
      ...(digest ? { tags: [{ tagKey: LIST_SHA256_TAG, tagValue: digest }] } : {}),
      // Never while an import or training runs: the window waits for the next tick instead.
      ifBusy: "fail",
      wait: false,
    });
    const arn = jobs[0]?.dataDeletionJobArn as string;
    await env.LEDGER.batch([
      env.LEDGER.prepare(
        "INSERT OR IGNORE INTO jobs (job_name, window_id, job_arn, created_at) VALUES (?, ?, ?, ?)",
      ).bind(window.job_name, window.id, arn, Date.now()),
      env.LEDGER.prepare("UPDATE windows SET status = 'submitted', stage = 'deleting' WHERE id = ?").bind(
        window.id,
      ),
      env.LEDGER.prepare(
        "UPDATE requests SET status = 'submitted' WHERE window_id = ? AND status = 'in_window'",
      ).bind(window.id),
    ]);
    return "made";
  } catch (error) {
    if (
      error instanceof LimitExceededException ||
      error instanceof DatasetGroupBusyError ||
      (error instanceof DataDeletionError && error.retryable)
    ) {
      return "wait";
    }
    // Not a retry loop: the name stays taken by the other job, so the window fails visibly, once.
    if (error instanceof ConflictError) {
      await fail(env, c, window, error.message);
      return "failed";
    }
    throw error;
  }
}

async function tick(
  env: Env,
  c: ErasureClient,
  datasetGroup: string,
  datasetGroupArn: string,
): Promise<void> {
  const { results: windows } = await env.LEDGER.prepare(
    "SELECT id, folder, status, opened_at, last_batch_at, job_name, requests, stage FROM windows WHERE dataset_group = ? AND status IN ('open', 'full', 'closing', 'submitted') ORDER BY opened_at",
  )
    .bind(datasetGroup)
    .all<Window>();
  let retraining = false;
  for (const window of windows.filter((w) => w.status === "submitted")) {
    const stage = await follow(env, c, datasetGroupArn, window);
    if (/retrain|campaign|hold/.test(stage)) retraining = true;
  }
  // While a window waits to train, no new job starts: a training during a deletion voids it, and a deletion
  // job that keeps the group busy would hold the training off for ever.
  if (retraining && env.RETRAIN === "true") return;
  // A window goes when full, once intake has paused, or once it has been open long enough: a burst becomes
  // one job, and steady intake one job per WINDOW_MAX_SECONDS (room permitting), not one per tick.
  const now = Date.now();
  const ready = windows.filter(
    (w) =>
      w.status === "closing" ||
      w.status === "full" ||
      (w.status === "open" &&
        w.requests > 0 &&
        (now - (w.last_batch_at ?? w.opened_at) >= windowIdleMs(env) ||
          now - w.opened_at >= windowMaxMs(env))),
  );
  if (ready.length === 0) return;
  let pending = 0;
  for await (const job of c.paginateDataDeletionJobs({ datasetGroupArn }))
    if (job.status === "PENDING") pending++;
  for (const window of ready) {
    if (pending >= DEFAULT_MAX_PENDING_JOBS) break;
    const outcome = await submit(env, c, datasetGroupArn, window);
    if (outcome === "wait") break;
    if (outcome === "made") pending++;
  }
}

/** The cron trigger. */
export async function scheduled(env: Env): Promise<void> {
  const c = client(env);
  for (const [datasetGroup, arn] of datasetGroups(env)) await tick(env, c, datasetGroup, arn);
  // Requests never queued (the Worker stopped between the ledger and the queue) cannot be erased: say so.
  await env.LEDGER.prepare(
    "UPDATE requests SET status = 'lost', failure = 'never queued: ask for the erasure again' WHERE status = 'received' AND received_at < ?",
  )
    .bind(Date.now() - 60 * 60 * 1000)
    .run();
  const risky = await atRisk(env, 7, 100);
  for (const r of risky) {
    console.warn(`erasure request ${r.requestId} (${r.datasetGroup}) is ${r.status}, deadline ${r.deadline}`);
  }
}
