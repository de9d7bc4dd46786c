// The ledger's statements for the protocols (migration 0005): a request with the protocol it came in, its id
// there and its callback target; its state by either id; its cancellation; the callbacks a settled window owes;
// and the protocols' key-value store. Beside ledger.ts (which keeps the windows' statements) so that neither
// file grows past one screenful of SQL per concern; no other module writes SQL for these tables.
import type { RequestStatus } from "./ledger.ts";
import type { CallbackTarget, Protocol } from "./protocols/port.ts";
import type { D1Database } from "./runtime.ts";

/** A request as the protocols see it: its state, its receipt and whether a report is still owed. */
export interface ProtocolRequestRow {
  id: string;
  dataset_group: string;
  status: RequestStatus;
  protocol: Protocol;
  external_id: string | null;
  callback: string | null;
  received_at: number;
  deadline_at: number;
  completed_at: number | null;
  receipt_key: string | null;
  receipt_sha256: string | null;
  failure: string | null;
  callback_pending: number;
}

/** A callback owed, as its queue consumer reads it. */
export interface CallbackRow {
  request_id: string;
  protocol: CallbackTarget["protocol"];
  attempts: number;
  delivered_at: number | null;
}

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;
const status = (...statuses: RequestStatus[]) => statuses.map((s) => `'${s}'`).join(", ");
// Withdrawable only while the id is in no file: once in a window's batch file the job will read it.
const CANCELLABLE = status("received", "queued");
// What a window's settlement leaves its requests in: each is reported, whatever it says.
const REPORTED = status("completed", "completed_in_personalize", "deleted", "failed");
// Ended without a window (dead-lettered, never queued): reported too, as not erased.
const LOST = status("lost");
const ROW = `SELECT r.id, r.dataset_group, r.status, r.protocol, r.external_id, r.callback, r.received_at,
  r.deadline_at, r.completed_at, r.receipt_key, w.receipt_sha256, r.failure,
  EXISTS (SELECT 1 FROM callbacks c WHERE c.request_id = r.id AND c.delivered_at IS NULL) AS callback_pending
  FROM requests r LEFT JOIN windows w ON w.id = r.window_id`;

/** The protocol side of the ledger (D1). */
export class RequestLedger {
  readonly #db: D1Database;
  constructor(db: D1Database) {
    this.#db = db;
  }

  #bound(sql: string, values: unknown[]) {
    return this.#db.prepare(sql).bind(...values);
  }

  /**
   * A new request, `received` (a keyed hash of its id, never the id). False when its protocol's id was
   * already taken: the request exists, and `byExternalId` finds it.
   */
  async record(r: {
    id: string;
    datasetGroup: string;
    userHash: string;
    receivedAt: number;
    deadlineAt: number;
    protocol: Protocol;
    externalId: string | null;
    callback: string | null;
  }): Promise<boolean> {
    const sql = `INSERT INTO requests (id, dataset_group, user_hash, received_at, deadline_at, status, protocol, external_id, callback)
      VALUES (?, ?, ?, ?, ?, ${status("received")}, ?, ?, ?) ON CONFLICT DO NOTHING`;
    const values = [r.id, r.datasetGroup, r.userHash, r.receivedAt, r.deadlineAt, r.protocol];
    const result = await this.#bound(sql, [...values, r.externalId, r.callback]).run();
    return result.meta.changes === 1;
  }

  byId(id: string): Promise<ProtocolRequestRow | null> {
    return this.#bound(`${ROW} WHERE r.id = ?`, [id]).first<ProtocolRequestRow>();
  }

  byExternalId(protocol: Protocol, externalId: string): Promise<ProtocolRequestRow | null> {
    const sql = `${ROW} WHERE r.protocol = ? AND r.external_id = ?`;
    return this.#bound(sql, [protocol, externalId]).first<ProtocolRequestRow>();
  }

  /**
   * Withdraws a request whose id is in no window's file yet, nor being written into one (the consumer's
   * claim, `batching_at`); false when it is (or does not exist).
   */
  async cancel(id: string, now: number): Promise<boolean> {
    const sql = `UPDATE requests SET status = ${status("cancelled")}, completed_at = ? WHERE id = ? AND status IN (${CANCELLABLE}) AND batching_at IS NULL`;
    return (await this.#bound(sql, [now, id]).run()).meta.changes === 1;
  }

  /** The receipt's SHA-256 as stored, for every report that names it. */
  async recordReceiptDigest(windowId: string, sha256: string): Promise<void> {
    await this.#bound("UPDATE windows SET receipt_sha256 = ? WHERE id = ?", [sha256, windowId]).run();
  }

  /**
   * Owes one callback per settled request of the window that has a callback target (once: a repeated step
   * adds none), and returns every one of them not delivered yet, to be queued (again).
   */
  async owedCallbacks(windowId: string, now: number): Promise<string[]> {
    const owe = `INSERT INTO callbacks (request_id, protocol, attempts, next_attempt_at, created_at)
      SELECT id, protocol, 0, ?, ? FROM requests WHERE window_id = ? AND callback IS NOT NULL AND status IN (${REPORTED})
      ON CONFLICT DO NOTHING`;
    const pending = `SELECT c.request_id FROM callbacks c JOIN requests r ON r.id = c.request_id
      WHERE r.window_id = ? AND c.delivered_at IS NULL ORDER BY c.request_id`;
    const [, rows] = await this.#db.batch([
      this.#bound(owe, [now, now, windowId]),
      this.#bound(pending, [windowId]),
    ]);
    return ((rows?.results ?? []) as { request_id: string }[]).map((r) => r.request_id);
  }

  /**
   * For the cron: owes the reports of requests settled in the last week that have none yet (a window whose
   * `call back` step never ran) and of every lost request (no window settles those), and returns those undelivered whose try was due before `dueBefore` (a message lost, or its
   * retries spent), at most `limit`, to be queued again.
   */
  async stalledCallbacks(dueBefore: number, now: number, limit: number): Promise<string[]> {
    const owe = `INSERT INTO callbacks (request_id, protocol, attempts, next_attempt_at, created_at)
      SELECT r.id, r.protocol, 0, ?, ? FROM requests r JOIN windows w ON w.id = r.window_id
      WHERE r.callback IS NOT NULL AND r.status IN (${REPORTED}) AND w.completed_at > ?
      ON CONFLICT DO NOTHING`;
    const oweLost = `INSERT INTO callbacks (request_id, protocol, attempts, next_attempt_at, created_at)
      SELECT id, protocol, 0, ?, ? FROM requests WHERE callback IS NOT NULL AND status IN (${LOST})
      ON CONFLICT DO NOTHING`;
    const stalled = `SELECT request_id FROM callbacks WHERE delivered_at IS NULL AND next_attempt_at < ?
      ORDER BY next_attempt_at LIMIT ?`;
    const [, , rows] = await this.#db.batch([
      this.#bound(owe, [dueBefore, now, now - WEEK_MS]),
      this.#bound(oweLost, [dueBefore, now]),
      this.#bound(stalled, [dueBefore + 1, limit]),
    ]);
    return ((rows?.results ?? []) as { request_id: string }[]).map((r) => r.request_id);
  }

  callback(requestId: string): Promise<CallbackRow | null> {
    const sql = "SELECT request_id, protocol, attempts, delivered_at FROM callbacks WHERE request_id = ?";
    return this.#bound(sql, [requestId]).first<CallbackRow>();
  }

  async callbackDelivered(requestId: string, now: number): Promise<void> {
    const sql =
      "UPDATE callbacks SET delivered_at = ?, attempts = attempts + 1, next_attempt_at = NULL, last_error = NULL WHERE request_id = ?";
    await this.#bound(sql, [now, requestId]).run();
  }

  /** A failed attempt: counted, with when the next is due and why (a status or an error's name). */
  async callbackFailed(requestId: string, nextAt: number, why: string): Promise<void> {
    const sql =
      "UPDATE callbacks SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE request_id = ? AND delivered_at IS NULL";
    await this.#bound(sql, [nextAt, why.slice(0, 200), requestId]).run();
  }

  async storeGet(key: string, now: number): Promise<string | undefined> {
    const sql = "SELECT value FROM protocol_store WHERE key = ? AND (expires_at IS NULL OR expires_at > ?)";
    const row = await this.#bound(sql, [key, now]).first<{ value: string }>();
    return row?.value;
  }

  async storePut(key: string, value: string, expiresAt: number | null): Promise<void> {
    const sql =
      "INSERT INTO protocol_store (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at";
    await this.#bound(sql, [key, value, expiresAt]).run();
  }

  /** Writes only over nothing, an expired value or `replacing`; true when it wrote (one statement: atomic). */
  async storePutIfAbsent(
    key: string,
    value: string,
    expiresAt: number | null,
    now: number,
    replacing?: string,
  ): Promise<boolean> {
    const sql = `INSERT INTO protocol_store (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE
      SET value = excluded.value, expires_at = excluded.expires_at
      WHERE protocol_store.expires_at <= ? OR protocol_store.value = ?`;
    const result = await this.#bound(sql, [key, value, expiresAt, now, replacing ?? null]).run();
    return result.meta.changes === 1;
  }

  /** Forgets what expired: the reads already ignore it; this only keeps the table small. */
  async storePrune(now: number): Promise<void> {
    await this.#bound("DELETE FROM protocol_store WHERE expires_at IS NOT NULL AND expires_at <= ?", [
      now,
    ]).run();
  }
}
