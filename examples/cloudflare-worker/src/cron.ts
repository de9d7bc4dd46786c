// The cron trigger, per dataset group: carry each submitted window's erasure on (without waiting) and
// settle its requests from the receipt; then close windows into deletion jobs as long as the service has
// room (5 PENDING per dataset group); then warn about requests whose deadline is near.
import {
  ConflictError,
  countPendingJobs,
  DataDeletionError,
  DEFAULT_MAX_PENDING_JOBS,
  LimitExceededException,
  listTags,
  WaiterTimeoutError,
} from "personalize-data-deletion";
import {
  DatasetGroupBusyError,
  type ErasureClient,
  type ErasureReceipt,
  ErasureWaitTimeoutError,
} from "personalize-data-deletion/erasure";
import { client, datasetGroups, outsideChoices, sha256, windowIdleMs, windowMaxMs } from "./config.ts";
import type { Env } from "./env.ts";
import { atRisk } from "./intake.ts";
import { type ErasureWindow, Ledger, type Outcome } from "./ledger.ts";

const receiptKey = (win: ErasureWindow) => `receipts/${win.id}.json`;

// The tag the library compares before adopting a job of the same name: a job made from other files under
// this window's name is a ConflictError, never taken for this window's erasure.

// A digest of the window's files in key order (each file's SHA-256, as written), or undefined for a window
// whose batches predate migration 0003. Once the window is closing no batch joins it, so this is fixed.
async function windowDigest(ledger: Ledger, win: ErasureWindow): Promise<string | undefined> {
  const digests = await ledger.batchDigests(win.id);
  if (digests.length === 0 || digests.some((d) => !d)) return undefined;
  return sha256(digests.join("\n"));
}

/** When the window's requests arrived: what the receipt's job times alone cannot tell an auditor. */
interface RequestWindow {
  firstReceivedAt: string;
  lastReceivedAt: string;
  requests: number;
}

async function requestWindow(ledger: Ledger, win: ErasureWindow): Promise<RequestWindow | undefined> {
  const arrivals = await ledger.requestArrivals(win.id);
  if (!arrivals) return undefined;
  return {
    firstReceivedAt: new Date(arrivals.first).toISOString(),
    lastReceivedAt: new Date(arrivals.last).toISOString(),
    requests: arrivals.requests,
  };
}

// A failure no later tick can mend (a job of the window's name made from another list): the window and its
// requests end `failed` with the reason, logged, and its files (ids) are taken back; the cron moves on.
async function fail(ledger: Ledger, c: ErasureClient, win: ErasureWindow, reason: string): Promise<void> {
  console.error(`window ${win.id} failed: ${reason}`);
  await ledger.failWindow(win.id, reason, Date.now());
  for (const key of await ledger.batchKeys(win.id)) await c.deleteUploadedFile(key);
}

// The request status a receipt settles a window's requests to, or undefined while there is more to do.
function settled(receipt: ErasureReceipt, retrain: boolean): Outcome | undefined {
  // Complete in Personalize while a location outside it was not scanned, or still holds them: not erased
  // everywhere, and never reported as if it were. No later tick can change that: the ids are gone with the
  // window's files.
  if (receipt.complete) return receipt.completeEverywhere ? "completed" : "completed_in_personalize";
  if (receipt.stage === "failed") return "failed";
  // Without RETRAIN nothing more will happen to the models: the users are gone from the datasets only.
  if (receipt.stage === "models-hold-users" && !retrain) return "deleted";
  return undefined;
}

// One look at a submitted window's erasure; its receipt is stored and its requests settled in one statement.
async function follow(
  env: Env,
  ledger: Ledger,
  c: ErasureClient,
  datasetGroupArn: string,
  win: ErasureWindow,
): Promise<string> {
  const retrain = env.RETRAIN === "true";
  let receipt: ErasureReceipt;
  try {
    ({ receipt } = await c.continueErasure({
      datasetGroupArn,
      jobName: win.job_name,
      retrain,
      wait: { timeoutMs: 0 },
      failOnJobFailure: false,
      // Once the window's jobs COMPLETED and before its files go, the library reads the ids there for this.
      ...outsideChoices(env),
    }));
  } catch (error) {
    // Still in progress (the job, a training, a campaign update), or a passing failure: the next tick looks.
    if (error instanceof WaiterTimeoutError || error instanceof ErasureWaitTimeoutError) {
      const stage = error instanceof ErasureWaitTimeoutError ? error.stage : "deleting";
      await ledger.recordStage(win.id, stage);
      return stage;
    }
    if (error instanceof DataDeletionError && error.retryable) return win.stage ?? "deleting";
    if (error instanceof ConflictError) {
      await fail(ledger, c, win, error.message);
      return "failed";
    }
    throw error;
  }
  const key = receiptKey(win);
  const arrivals = await requestWindow(ledger, win);
  const stored = arrivals ? { ...receipt, requestWindow: arrivals } : receipt;
  await env.RECEIPTS.put(key, JSON.stringify(stored, null, 2), {
    httpMetadata: { contentType: "application/json" },
  });
  await ledger.settleWindow(win.id, {
    stage: receipt.stage,
    receiptKey: key,
    outcome: settled(receipt, retrain),
    failure: receipt.pending[0] ?? "failed",
    now: Date.now(),
  });
  return receipt.stage;
}

// Closes a window to new batches and makes its deletion job on the whole folder. Safe to repeat: the job
// is adopted by its name.
async function submit(
  env: Env,
  ledger: Ledger,
  c: ErasureClient,
  datasetGroupArn: string,
  win: ErasureWindow,
): Promise<"made" | "wait" | "failed"> {
  await ledger.closeWindow(win.id, Date.now());
  const digest = await windowDigest(ledger, win);
  try {
    const { jobs } = await c.eraseUsers({
      dataLocation: win.folder,
      datasetGroupArn,
      roleArn: env.ROLE_ARN,
      jobName: win.job_name,
      // The library's list tags: adopted only for the same files, and the receipt counts the users.
      ...(digest ? { tags: listTags(digest, await ledger.windowUserCount(win.id)) } : {}),
      // Never while an import or training runs: the window waits for the next tick instead.
      ifBusy: "fail",
      wait: false,
    });
    await ledger.markSubmitted(win, jobs[0]?.dataDeletionJobArn as string, Date.now());
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
      await fail(ledger, c, win, error.message);
      return "failed";
    }
    throw error;
  }
}

async function tick(
  env: Env,
  ledger: Ledger,
  c: ErasureClient,
  datasetGroup: string,
  datasetGroupArn: string,
): Promise<void> {
  let retraining = false;
  for (const win of await ledger.submittedWindows(datasetGroup)) {
    const stage = await follow(env, ledger, c, datasetGroupArn, win);
    if (/retrain|campaign|hold/.test(stage)) retraining = true;
  }
  // While a window waits to train, no new job starts: a training during a deletion voids it, and a deletion
  // job that keeps the group busy would hold the training off for ever.
  if (retraining && env.RETRAIN === "true") return;
  // A window goes when full, once intake has paused, or once it has been open long enough: a burst becomes
  // one job, and steady intake one job per WINDOW_MAX_SECONDS (room permitting), not one per tick.
  const ready = await ledger.windowsToClose(datasetGroup, {
    now: Date.now(),
    idleMs: windowIdleMs(env),
    maxMs: windowMaxMs(env),
  });
  if (ready.length === 0) return;
  // The library's count and limit: the windows closed this tick fill the room there is, and no more.
  let pending = await countPendingJobs(c, datasetGroupArn);
  for (const win of ready) {
    if (pending >= DEFAULT_MAX_PENDING_JOBS) break;
    const outcome = await submit(env, ledger, c, datasetGroupArn, win);
    if (outcome === "wait") break;
    if (outcome === "made") pending++;
  }
}

/** The cron trigger. */
export async function scheduled(env: Env): Promise<void> {
  const c = client(env);
  const ledger = new Ledger(env.LEDGER);
  for (const [datasetGroup, arn] of datasetGroups(env)) await tick(env, ledger, c, datasetGroup, arn);
  // Requests never queued (the Worker stopped between the ledger and the queue) cannot be erased: say so.
  await ledger.markUnqueuedLost(Date.now() - 60 * 60 * 1000, "never queued: ask for the erasure again");
  const risky = await atRisk(env, 7, 100);
  for (const r of risky) {
    console.warn(`erasure request ${r.requestId} (${r.datasetGroup}) is ${r.status}, deadline ${r.deadline}`);
  }
}
