// The queue consumer: it only makes each batch durable. The batch's ids become one CSV in the dataset
// group's open window (a folder, which one deletion job reads whole), and the ledger records the batch and
// moves its requests into the window, in one transaction that holds only while the window is still open.
import { DataDeletionError, serializeUserIds } from "personalize-data-deletion";
import { client, type Env, type ErasureMessage, maxWindowBytes, retryDelay, sha256 } from "./config.ts";
import type { MessageBatch } from "./runtime.ts";

interface WindowRow {
  id: string;
  folder: string;
  bytes: number;
}

/** A window's job name: the dataset group's name and when the window opened, in the service's pattern. */
export function windowJobName(datasetGroup: string, openedAt: number): string {
  const name = datasetGroup.replace(/[^a-zA-Z0-9-]+/g, "-").slice(0, 30);
  // At most 47 characters: room for the erasure's `-repeat-1` (and a split's `-part-N`).
  return `w-${name}-${openedAt.toString(36)}`;
}

// The open window of a dataset group, opened now when there is none (the unique index keeps it one).
async function openWindow(env: Env, datasetGroup: string): Promise<WindowRow> {
  const now = Date.now();
  const id = `${datasetGroup}/${now.toString(36)}`;
  const folder = `${env.S3_URI.replace(/\/?$/, "/")}${id}/`;
  await env.LEDGER.prepare(
    "INSERT OR IGNORE INTO windows (id, dataset_group, folder, status, opened_at, job_name) VALUES (?, ?, ?, 'open', ?, ?)",
  )
    .bind(id, datasetGroup, folder, now, windowJobName(datasetGroup, now))
    .run();
  const row = await env.LEDGER.prepare(
    "SELECT id, folder, bytes FROM windows WHERE dataset_group = ? AND status = 'open'",
  )
    .bind(datasetGroup)
    .first<WindowRow>();
  if (!row) throw new Error(`no open window for ${datasetGroup}`);
  return row;
}

// Writes one dataset group's part of a batch into its open window and records it; throws when it cannot.
async function record(env: Env, datasetGroup: string, messages: ErasureMessage[]): Promise<void> {
  const ids = messages.map((m) => m.requestId).sort();
  const batchId = (await sha256(ids.join(","))).slice(0, 32);
  // A redelivered batch, or requests a differently formed batch already placed, are not written again.
  // The ids go as one JSON array: D1 binds at most 100 values per statement, and a batch can hold 100.
  const { results } = await env.LEDGER.prepare(
    "SELECT id FROM requests WHERE id IN (SELECT value FROM json_each(?)) AND status IN ('received', 'queued')",
  )
    .bind(JSON.stringify(ids))
    .all<{ id: string }>();
  const waiting = new Set(results.map((r) => r.id));
  const todo = messages.filter((m) => waiting.has(m.requestId));
  if (todo.length === 0) return;
  const prepared = await serializeUserIds(
    todo.map((m) => m.userId),
    { maxFileBytes: maxWindowBytes(env) },
  );
  const bytes = prepared.bytes;
  // What this batch wrote, byte for byte: its window's job is tagged with a digest of these.
  const digests = await Promise.all(prepared.files.map((file) => sha256(file)));
  const fileSha256 = digests.length === 1 ? (digests[0] as string) : await sha256(digests.join("\n"));
  const c = client(env);
  for (let attempt = 0; attempt < 5; attempt++) {
    const window = await openWindow(env, datasetGroup);
    if (window.bytes > 0 && window.bytes + bytes > maxWindowBytes(env)) {
      // Full: its job will read just under the cap; the next batch opens a new window.
      await env.LEDGER.prepare("UPDATE windows SET status = 'full' WHERE id = ? AND status = 'open'")
        .bind(window.id)
        .run();
      continue;
    }
    const key = `${window.folder}batch-${batchId}.csv`;
    // A conditional PUT: a redelivery writes the same bytes to the same key, harmlessly.
    await c.uploadUserIds(prepared, { s3Uri: key });
    const todoIds = JSON.stringify(todo.map((m) => m.requestId));
    const [inserted] = await env.LEDGER.batch([
      env.LEDGER.prepare(
        "INSERT INTO batches (id, window_id, object_key, bytes, created_at, sha256) SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM windows WHERE id = ? AND status = 'open')",
      ).bind(batchId, window.id, key, bytes, Date.now(), fileSha256, window.id),
      env.LEDGER.prepare(
        "UPDATE requests SET status = 'in_window', window_id = ? WHERE id IN (SELECT value FROM json_each(?)) AND status IN ('received', 'queued') AND EXISTS (SELECT 1 FROM batches WHERE id = ? AND window_id = ?)",
      ).bind(window.id, todoIds, batchId, window.id),
      env.LEDGER.prepare(
        "UPDATE windows SET bytes = bytes + ?, requests = requests + ?, last_batch_at = ? WHERE id = ? AND EXISTS (SELECT 1 FROM batches WHERE id = ? AND window_id = ?)",
      ).bind(bytes, todo.length, Date.now(), window.id, batchId, window.id),
    ]);
    if ((inserted?.meta.changes ?? 0) === 1) return;
    // The window closed between the upload and the ledger: take the file back and use the next one. (If
    // its job already read the file, those users were erased once more: harmless.)
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
