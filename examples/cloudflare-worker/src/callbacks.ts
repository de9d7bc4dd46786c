// The outcome reports owed to the protocols' callers: a settled window owes one per request that came with a
// callback target (its `call back` step queues them), and the callback queue's consumer sends each in the
// protocol it came in (DRP's Exercise Status to its status_callback, OpenGDPR's signed status callback,
// Transcend's PUT /v1/data-silo), at least once, with an idempotency key, retried with growing delays and
// recorded in the ledger's `callbacks` table (the status page's "callbacks pending"). A report names the
// request's own receipt by key and SHA-256, never another user of its window.
import type { CallbackMessage, Env } from "./env.ts";
import { exerciseStatus } from "./protocols/drp.ts";
import { recordExpiry } from "./protocols/drp-status.ts";
import { DrpStore } from "./protocols/drp-store.ts";
import { openGdprCallback } from "./protocols/opengdpr.ts";
import type { CallbackTarget, RequestState } from "./protocols/port.ts";
import { transcendCallback } from "./protocols/transcend.ts";
import { RequestLedger } from "./request-ledger.ts";
import { type Adapters, adaptersOf } from "./routes.ts";
import type { MessageBatch } from "./runtime.ts";
import { D1ProtocolStore, stateOf } from "./worker-intake.ts";

/** The callback queue's name, as wrangler.toml's producer and consumer give it. */
export const CALLBACK_QUEUE_NAME = "erasure-callbacks";
const MAX_DELAY_SECONDS = 6 * 60 * 60;
// A queue takes at most 100 messages per sendBatch.
const SEND_BATCH = 100;

/** Seconds before try number `attempts + 1`: CALLBACK_RETRY_SECONDS (default 60), doubling up to six hours. */
export function callbackDelay(env: Env, attempts: number): number {
  const first = Number(env.CALLBACK_RETRY_SECONDS ?? 60);
  return Math.min(MAX_DELAY_SECONDS, Math.ceil(first * 2 ** Math.min(Math.max(attempts - 1, 0), 20)));
}

/**
 * The window's `call back` step: owes a report for each of its settled requests that has a callback target
 * (once, whatever the step's repeats) and queues every one not delivered yet. Returns how many were queued.
 */
export async function queueCallbacks(env: Env, windowId: string): Promise<number> {
  const owed = await new RequestLedger(env.LEDGER).owedCallbacks(windowId, Date.now());
  for (let at = 0; at < owed.length; at += SEND_BATCH) {
    const slice = owed.slice(at, at + SEND_BATCH).map((requestId) => ({ body: { requestId } }));
    await env.CALLBACK_QUEUE.sendBatch(slice);
  }
  return owed.length;
}

// A try this late past its time was lost (the message dropped, or its queue retries spent).
const STALLED_MS = 15 * 60 * 1000;

/**
 * The cron's part: reports owed but never queued, or whose try is long overdue, are queued again (at least
 * once: the consumer sends nothing already delivered). Returns how many.
 */
export async function requeueStalledCallbacks(env: Env, limit = 1000): Promise<number> {
  const now = Date.now();
  const stalled = await new RequestLedger(env.LEDGER).stalledCallbacks(now - STALLED_MS, now, limit);
  for (let at = 0; at < stalled.length; at += SEND_BATCH) {
    const slice = stalled.slice(at, at + SEND_BATCH).map((requestId) => ({ body: { requestId } }));
    await env.CALLBACK_QUEUE.sendBatch(slice);
  }
  if (stalled.length > 0)
    console.warn(`${stalled.length} callback(s) queued again: owed but not tried in time`);
  return stalled.length;
}

// The DRP Exercise Status POSTed to the agent's status_callback (section 2.03), as its status endpoint answers.
async function drpCallback(
  env: Env,
  adapters: Adapters,
  state: RequestState,
  target: CallbackTarget,
): Promise<Request[]> {
  const config = adapters.drp;
  if (!config) throw new Error("DRP is off (DRP_BUSINESS_ID is not set)");
  const deadlineDays = Number(env.DEADLINE_DAYS ?? 30);
  // Its record may have been forgotten (DRP_RECORD_DAYS): the status is still owed, without agent_request_id.
  const record = (await new DrpStore(new D1ProtocolStore(env)).record(target.externalId)) ?? {
    agentId: "",
    workerRequestId: state.requestId,
    expiresAt: recordExpiry(Date.parse(state.receivedAt), deadlineDays, config.recordDays),
  };
  const body = JSON.stringify(
    exerciseStatus(target.externalId, record, state, deadlineDays, Date.now(), config.acceptAsFulfilled),
  );
  return target.urls.map(
    (url) =>
      new Request(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "idempotency-key": `drp:${target.externalId}:${state.status}`,
        },
        body,
      }),
  );
}

async function requestsFor(
  env: Env,
  adapters: Adapters,
  state: RequestState,
  target: CallbackTarget,
): Promise<Request[]> {
  switch (target.protocol) {
    case "drp":
      return drpCallback(env, adapters, state, target);
    case "opengdpr": {
      const config = adapters.opengdpr;
      if (!config) throw new Error("OpenGDPR is off (OPENGDPR_DOMAIN is not set)");
      // One signed callback per status_callback_urls entry, each naming the URL it is sent to (8.8).
      return Promise.all(target.urls.map((url) => openGdprCallback(state, target, config, url)));
    }
    case "transcend": {
      const config = adapters.transcend;
      if (!config) throw new Error("Transcend is off (TRANSCEND_AUDIENCE is not set)");
      return [transcendCallback(state, target, config)];
    }
  }
}

// Sends a request's report; true once every URL accepted it, or the reasons it did not.
async function deliver(env: Env, adapters: Adapters, requestId: string): Promise<true | string> {
  const ledger = new RequestLedger(env.LEDGER);
  const row = await ledger.byId(requestId);
  const owed = await ledger.callback(requestId);
  if (!row?.callback || !owed || owed.delivered_at !== null) return true;
  const target = JSON.parse(row.callback) as CallbackTarget;
  // The report says the request's state, not that a report about it is pending.
  const { callbackPending: _pending, ...state } = stateOf(row);
  const failures: string[] = [];
  for (const request of await requestsFor(env, adapters, state, target)) {
    try {
      const response = await fetch(request);
      await response.body?.cancel();
      if (!response.ok) failures.push(`${new URL(request.url).host} answered ${response.status}`);
    } catch (error) {
      failures.push(`${new URL(request.url).host}: ${(error as Error).name}`);
    }
  }
  if (failures.length === 0) {
    await ledger.callbackDelivered(requestId, Date.now());
    return true;
  }
  return failures.join("; ");
}

/** The callback queue's consumer: each message is one request's report, acked once delivered. */
export async function deliverCallbacks(batch: MessageBatch<CallbackMessage>, env: Env): Promise<void> {
  const { adapters } = await adaptersOf(env);
  const ledger = new RequestLedger(env.LEDGER);
  await Promise.all(
    batch.messages.map(async (message) => {
      const { requestId } = message.body;
      let outcome: true | string;
      try {
        outcome = await deliver(env, adapters, requestId);
      } catch (error) {
        outcome = (error as Error).message;
      }
      if (outcome === true) {
        message.ack();
        return;
      }
      const delay = callbackDelay(env, message.attempts);
      // The reason is logged and kept with the host only: a callee's body may quote what it was sent.
      console.warn(`callback for request ${requestId} not delivered (try ${message.attempts}): ${outcome}`);
      await ledger.callbackFailed(requestId, Date.now() + delay * 1000, outcome).catch(() => {});
      message.retry({ delaySeconds: delay });
    }),
  );
}
