// The queue consumer: it only makes each batch durable. The batch's ids become one CSV in the dataset
// group's open window (a folder, which one deletion job reads whole), and the ledger records the batch and
// moves its requests into the window, in one transaction that holds only while the window is still open and
// every one of its requests still waits (a cancel landing meanwhile leaves the file unrecorded, and it goes).
import { DataDeletionError, fitName, serializeUserIds } from "personalize-data-deletion";
import { client, maxWindowBytes, retryDelay, sha256 } from "./config.ts";
import type { Env, ErasureMessage } from "./env.ts";
import { Ledger } from "./ledger.ts";
import type { MessageBatch } from "./runtime.ts";

/** A window's job name: the dataset group's name and when the window opened, in the service's pattern. */
export function windowJobName(datasetGroup: string, openedAt: number): string {
  // The library's rule: the service's pattern, with room for the erasure's `-part-N` and `-repeat-1`.
  return fitName(`w-${datasetGroup}`, `-${openedAt.toString(36)}`);
}

// A window opened now, should the dataset group have none open: its folder is a new one under S3_URI.
function freshWindow(env: Env, datasetGroup: string) {
  const openedAt = Date.now();
  const id = `${datasetGroup}/${openedAt.toString(36)}`;
  const folder = `${env.S3_URI.replace(/\/?$/, "/")}${id}/`;
  return { id, folder, openedAt, jobName: windowJobName(datasetGroup, openedAt) };
}

// Writes one dataset group's part of a batch into its open window and records it; throws when it cannot.
async function record(env: Env, datasetGroup: string, messages: ErasureMessage[]): Promise<void> {
  const ledger = new Ledger(env.LEDGER);
  const c = client(env);
  const sorted = [...messages].sort((a, b) => (a.requestId < b.requestId ? -1 : 1));
  for (let attempt = 0; attempt < 5; attempt++) {
    // Claimed on each try before anything is written: a request cancelled before is left out, one claimed can
    // no longer be cancelled (its id may be in a file from here on, recorded or not); a redelivered batch, or
    // requests a differently formed batch already placed, are not written again.
    const waiting = await ledger.claimForBatch(
      sorted.map((m) => m.requestId),
      Date.now(),
    );
    const todo = sorted.filter((m) => waiting.has(m.requestId));
    if (todo.length === 0) return;
    // Named by the ids the file holds, so one key always holds the same bytes (a conditional PUT refuses
    // different bytes to a key already written).
    const batchId = (await sha256(todo.map((m) => m.requestId).join(","))).slice(0, 32);
    const prepared = await serializeUserIds(
      todo.map((m) => m.userId),
      { maxFileBytes: maxWindowBytes(env) },
    );
    const bytes = prepared.bytes;
    // What this batch wrote, byte for byte: its window's job is tagged with a digest of these.
    const digests = await Promise.all(prepared.files.map((file) => sha256(file)));
    const fileSha256 = digests.length === 1 ? (digests[0] as string) : await sha256(digests.join("\n"));
    const open = await ledger.openWindowFor(datasetGroup, freshWindow(env, datasetGroup));
    if (open.bytes > 0 && open.bytes + bytes > maxWindowBytes(env)) {
      // Full: its job will read just under the cap; the next batch opens a new window.
      await ledger.markFull(open.id);
      continue;
    }
    const key = `${open.folder}batch-${batchId}.csv`;
    // A conditional PUT: a redelivery writes the same bytes to the same key, harmlessly.
    await c.uploadUserIds(prepared, { s3Uri: key });
    const placed = await ledger.placeBatch({
      id: batchId,
      windowId: open.id,
      key,
      bytes,
      sha256: fileSha256,
      requestIds: todo.map((m) => m.requestId),
      now: Date.now(),
    });
    if (placed) return;
    // The window closed, or a request was withdrawn, between the upload and the ledger: take the file back
    // (a withdrawn user must not stay in a window's folder) and write what still waits again. (If a closed
    // window's job already read the file, those users were erased once more: harmless.)
    await c.deleteUploadedFile(key);
  }
  throw new Error(`could not place a batch of ${datasetGroup} in an open window`);
}

/** The queue consumer: each dataset group's part of the batch into its open window. */
export async function consume(batch: MessageBatch<ErasureMessage>, env: Env): Promise<void> {
  const byGroup = new Map<string, ErasureMessage[]>();
  for (const { body } of batch.messages) {
    byGroup.set(body.datasetGroup, [...(byGroup.get(body.datasetGroup) ?? []), body]);
  }
  try {
    for (const [datasetGroup, messages] of byGroup) await record(env, datasetGroup, messages);
    batch.ackAll();
  } catch (error) {
    // S3 or D1 unavailable: the batch comes back later; what was recorded is not recorded twice.
    if (error instanceof DataDeletionError && !error.retryable) throw error;
    console.warn(`batch of ${batch.messages.length} requests retried later: ${(error as Error).message}`);
    batch.retryAll({ delaySeconds: retryDelay(env) });
  }
}
