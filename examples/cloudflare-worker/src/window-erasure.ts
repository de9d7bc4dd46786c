// A window's erasure, one function per step of its workflow. Each may run again (a step retried, an instance
// restarted from its first step) and first reads where the ledger and AWS stand, so running it twice makes
// no second job, training or campaign move: the library adopts each by its name and tags.
import {
  ConflictError,
  DataDeletionError,
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
import { queueCallbacks } from "./callbacks.ts";
import { client, datasetGroups, outsideChoices, sha256 } from "./config.ts";
import type { Env } from "./env.ts";
import { type ErasureWindow, Ledger, type Outcome } from "./ledger.ts";
import { RequestLedger } from "./request-ledger.ts";

/** A submit step: the job exists (`made`), the service has no room yet (`wait`), or the window ended. */
export type Submitted = "made" | "wait" | "ended";

/** A look at the erasure: where it stands, and once it is settled, with what receipt. */
export interface Look {
  stage: string;
  /** The window needs no more looks (settled now or earlier, or failed). */
  ended: boolean;
  settle?: { outcome: Outcome; failure: string; receipt: ErasureReceipt };
}

const receiptKey = (win: ErasureWindow) => `receipts/${win.id}.json`;

async function windowOf(
  env: Env,
  windowId: string,
): Promise<{ win: ErasureWindow; arn: string } | undefined> {
  const win = await new Ledger(env.LEDGER).windowById(windowId);
  const arn = win && datasetGroups(env).get(win.dataset_group);
  return win && arn ? { win, arn } : undefined;
}

// A digest of the window's files in key order (each file's SHA-256, as written), or undefined for a window
// whose batches predate migration 0003. Once the window is closing no batch joins it, so this is fixed.
async function windowDigest(ledger: Ledger, win: ErasureWindow): Promise<string | undefined> {
  const digests = await ledger.batchDigests(win.id);
  if (digests.length === 0 || digests.some((d) => !d)) return undefined;
  return sha256(digests.join("\n"));
}

// A failure no later step can mend (a job of the window's name made from another list): the window and its
// requests end `failed` with the reason, logged, and its files (ids) are taken back.
async function fail(ledger: Ledger, c: ErasureClient, win: ErasureWindow, reason: string): Promise<void> {
  console.error(`window ${win.id} failed: ${reason}`);
  await ledger.failWindow(win.id, reason, Date.now());
  for (const key of await ledger.batchKeys(win.id)) await c.deleteUploadedFile(key);
}

/**
 * Makes the window's deletion job on its whole folder, tagged with its files' digest: a job of its name is
 * adopted only when made from the same files, and one made from anything else fails the window, once.
 */
export async function submitWindow(env: Env, windowId: string): Promise<Submitted> {
  const found = await windowOf(env, windowId);
  if (!found) return "ended";
  const { win, arn } = found;
  if (win.status === "submitted") return "made";
  if (win.status !== "closing" && win.status !== "open" && win.status !== "full") return "ended";
  const ledger = new Ledger(env.LEDGER);
  const c = client(env);
  await ledger.closeWindow(win.id, Date.now());
  const digest = await windowDigest(ledger, win);
  try {
    const { jobs } = await c.eraseUsers({
      dataLocation: win.folder,
      datasetGroupArn: arn,
      roleArn: env.ROLE_ARN,
      jobName: win.job_name,
      // The library's list tags: adopted only for the same files, and the receipt counts the users.
      ...(digest ? { tags: listTags(digest, await ledger.windowUserCount(win.id)) } : {}),
      // Never while an import or training runs: the workflow sleeps and tries again instead.
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
      return "ended";
    }
    throw error;
  }
}

// The request status a receipt settles a window's requests to, or undefined while there is more to do.
function settled(receipt: ErasureReceipt, retrain: boolean): Outcome | undefined {
  // Complete in Personalize while a location outside it was not scanned, or still holds them: not erased
  // everywhere, and never reported as if it were. No later look can change that: the ids are gone with the
  // window's files.
  if (receipt.complete) return receipt.completeEverywhere ? "completed" : "completed_in_personalize";
  if (receipt.stage === "failed") return "failed";
  // Without RETRAIN nothing more will happen to the models: the users are gone from the datasets only.
  if (receipt.stage === "models-hold-users" && !retrain) return "deleted";
  return undefined;
}

/**
 * The receipt's line that says why the window failed: a window of several parts lists each part's job, and
 * the first line may be another part still IN_PROGRESS. The failed job, or the job not made from this run's
 * list, is named; any line when none says so.
 */
export function failureOf(pending: readonly string[]): string {
  const failed = pending.find((line) => / FAILED|not made from this run's list/.test(line));
  return failed ?? pending[0] ?? "failed";
}

/**
 * One look at a submitted window's erasure, never waiting: `continueErasure` goes as far as AWS allows
 * (the job's end, the interference check and repeat, the stage outside Personalize, the clean-up, the
 * retrain and the campaigns), and says where it stopped.
 */
export async function lookAt(env: Env, windowId: string): Promise<Look> {
  const found = await windowOf(env, windowId);
  if (found?.win.status !== "submitted") return { stage: found?.win.stage ?? "gone", ended: true };
  const { win, arn } = found;
  const ledger = new Ledger(env.LEDGER);
  const c = client(env);
  const retrain = env.RETRAIN === "true";
  let receipt: ErasureReceipt;
  try {
    ({ receipt } = await c.continueErasure({
      datasetGroupArn: arn,
      jobName: win.job_name,
      retrain,
      wait: { timeoutMs: 0 },
      failOnJobFailure: false,
      // Once the window's jobs COMPLETED and before its files go, the library reads the ids there for this.
      ...outsideChoices(env),
    }));
  } catch (error) {
    // Still in progress (the job, a training, a campaign update), or a passing failure: the next look sees.
    if (error instanceof WaiterTimeoutError || error instanceof ErasureWaitTimeoutError) {
      const stage = error instanceof ErasureWaitTimeoutError ? error.stage : "deleting";
      await ledger.recordStage(win.id, stage);
      return { stage, ended: false };
    }
    if (error instanceof DataDeletionError && error.retryable)
      return { stage: win.stage ?? "deleting", ended: false };
    if (error instanceof ConflictError) {
      await fail(ledger, c, win, error.message);
      return { stage: "failed", ended: true };
    }
    throw error;
  }
  const outcome = settled(receipt, retrain);
  if (!outcome) {
    await ledger.recordStage(win.id, receipt.stage);
    return { stage: receipt.stage, ended: false };
  }
  return {
    stage: receipt.stage,
    ended: true,
    settle: { outcome, failure: failureOf(receipt.pending), receipt },
  };
}

/** Stores the receipt in R2 (no ids), with when its requests arrived; returns its key. Same key every time. */
export async function storeReceipt(env: Env, windowId: string, receipt: ErasureReceipt): Promise<string> {
  const ledger = new Ledger(env.LEDGER);
  const key = receiptKey({ id: windowId } as ErasureWindow);
  const arrivals = await ledger.requestArrivals(windowId);
  // When the window's requests arrived: what the receipt's job times alone cannot tell an auditor.
  const stored = arrivals
    ? {
        ...receipt,
        requestWindow: {
          firstReceivedAt: new Date(arrivals.first).toISOString(),
          lastReceivedAt: new Date(arrivals.last).toISOString(),
          requests: arrivals.requests,
        },
      }
    : receipt;
  const text = JSON.stringify(stored, null, 2);
  await env.RECEIPTS.put(key, text, { httpMetadata: { contentType: "application/json" } });
  // Every report names the receipt by key and this digest, so its reader can check what it downloads.
  await new RequestLedger(env.LEDGER).recordReceiptDigest(windowId, await sha256(text));
  return key;
}

/** The window and all its submitted requests settled from the receipt, in one transaction. */
export async function settleWindow(
  env: Env,
  windowId: string,
  s: { stage: string; receiptKey: string; outcome: Outcome; failure: string },
): Promise<void> {
  await new Ledger(env.LEDGER).settleWindow(windowId, { ...s, now: Date.now() });
}

/**
 * Tells whoever asked that the window's requests are settled: one report per request that came through a
 * protocol with a callback target, queued for the callback consumer (src/callbacks.ts), which sends and
 * retries it. Repeating the step queues again only what is not delivered yet.
 */
export async function callBack(env: Env, windowId: string): Promise<number> {
  return queueCallbacks(env, windowId);
}
