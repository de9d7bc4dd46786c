// The dead-letter queue's consumer: a message lands here once its batch failed on the intake queue as many
// times as `max_retries` allows (an S3 location that refuses writes, an id the library refuses, D1 down for
// hours). Its request cannot be erased from here (it was never placed in a window), so it is marked `lost`
// with a warning instead of staying `queued` for ever: the caller sees it and asks again.
import type { Env, ErasureMessage } from "./env.ts";
import { Ledger } from "./ledger.ts";
import type { MessageBatch } from "./runtime.ts";

const LOST =
  "its queue message exhausted its retries and went to the dead-letter queue: not erased; ask for the erasure again";

/** Marks the requests of dead-lettered messages `lost` (those still waiting), with a warning each. */
export async function bury(batch: MessageBatch<ErasureMessage>, env: Env): Promise<void> {
  const ids = batch.messages.map((m) => m.body.requestId);
  // Only requests still waiting: one a redelivery already placed in a window is on its way, not lost.
  const results = await new Ledger(env.LEDGER).markLost(ids, LOST);
  for (const r of results) console.warn(`erasure request ${r.id} (${r.dataset_group}) is lost: ${LOST}`);
  batch.ackAll();
}
