// The Worker's data layer: every SQL statement on the D1 ledger, one named function each, and the two status
// vocabularies as types. The other modules decide; only this one reads or writes the ledger.
import type { D1Database } from "./runtime.ts";

/**
 * A request: received ▸ queued ▸ in_window ▸ submitted ▸ completed | completed_in_personalize | deleted |
 * failed; or lost (not erased); or cancelled (withdrawn through its protocol before any window). `completed` only when the receipt is complete everywhere;
 * `completed_in_personalize` when complete in Personalize while a location outside it may still hold the user.
 */
export type RequestStatus =
  | "received"
  | "queued"
  | "in_window"
  | "submitted"
  | "completed"
  | "completed_in_personalize"
  | "deleted"
  | "failed"
  | "lost"
  | "cancelled";

/**
 * A window: open ▸ full (at the size cap) ▸ closing ▸ submitted ▸ complete | complete_in_personalize |
 * deleted | failed.
 */
export type WindowStatus =
  | "open"
  | "full"
  | "closing"
  | "submitted"
  | "complete"
  | "complete_in_personalize"
  | "deleted"
  | "failed";

/** How a receipt settles a window's requests. */
export type Outcome = Extract<RequestStatus, "completed" | "completed_in_personalize" | "deleted" | "failed">;

/** A window as the cron sees it. */
export interface ErasureWindow {
  id: string;
  dataset_group: string;
  folder: string;
  status: WindowStatus;
  opened_at: number;
  last_batch_at: number | null;
  job_name: string;
  requests: number;
  stage: string | null;
}

/** A request with its window's job and stage, as `GET /erasure-requests/{id}` shows it. */
export interface RequestRow {
  id: string;
  dataset_group: string;
  status: RequestStatus;
  received_at: number;
  deadline_at: number;
  window_id: string | null;
  completed_at: number | null;
  receipt_key: string | null;
  failure: string | null;
  job_name: string | null;
  stage: string | null;
}

// Statuses reach SQL only through these, so a misspelt one fails to compile instead of matching no row.
const requestStatus = (...statuses: RequestStatus[]) => statuses.map((s) => `'${s}'`).join(", ");
const windowStatus = (...statuses: WindowStatus[]) => statuses.map((s) => `'${s}'`).join(", ");
const WAITING = requestStatus("received", "queued");
const WINDOW_OF: Record<Outcome, WindowStatus> = {
  completed: "complete",
  completed_in_personalize: "complete_in_personalize",
  deleted: "deleted",
  failed: "failed",
};
const WINDOW_COLUMNS =
  "id, dataset_group, folder, status, opened_at, last_batch_at, job_name, requests, stage";
const REQUEST_VIEW = `SELECT r.id, r.dataset_group, r.status, r.received_at, r.deadline_at, r.window_id, r.completed_at,
  r.receipt_key, r.failure, w.job_name, w.stage FROM requests r LEFT JOIN windows w ON w.id = r.window_id`;
// Ids go as one JSON array: D1 binds at most 100 values per statement, and a batch can hold 100.
const IN_IDS = "id IN (SELECT value FROM json_each(?))";

/** The ledger (D1): one method per statement or transaction. */
export class Ledger {
  readonly #db: D1Database;
  constructor(db: D1Database) {
    this.#db = db;
  }

  #prepared(sql: string, values: unknown[]) {
    return this.#db.prepare(sql).bind(...values);
  }
  async #run(sql: string, ...values: unknown[]): Promise<void> {
    await this.#prepared(sql, values).run();
  }
  async #all<T>(sql: string, ...values: unknown[]): Promise<T[]> {
    return (await this.#prepared(sql, values).all<T>()).results;
  }
  #first<T>(sql: string, ...values: unknown[]) {
    return this.#prepared(sql, values).first<T>();
  }

  /** A new request, `received`: a keyed hash of its id, never the id. */
  recordRequest(r: {
    id: string;
    datasetGroup: string;
    userHash: string;
    receivedAt: number;
    deadlineAt: number;
  }): Promise<void> {
    const sql = `INSERT INTO requests (id, dataset_group, user_hash, received_at, deadline_at, status) VALUES (?, ?, ?, ?, ?, ${requestStatus("received")})`;
    return this.#run(sql, r.id, r.datasetGroup, r.userHash, r.receivedAt, r.deadlineAt);
  }

  /** The request is on the queue. */
  markQueued(id: string): Promise<void> {
    const sql = `UPDATE requests SET status = ${requestStatus("queued")} WHERE id = ? AND status = ${requestStatus("received")}`;
    return this.#run(sql, id);
  }

  /** Takes back a request the queue refused: not taken, so nothing half-done stays. */
  forgetUnqueued(id: string): Promise<void> {
    return this.#run(`DELETE FROM requests WHERE id = ? AND status = ${requestStatus("received")}`, id);
  }

  requestById(id: string): Promise<RequestRow | null> {
    return this.#first<RequestRow>(`${REQUEST_VIEW} WHERE r.id = ?`, id);
  }

  /** Requests not completed (nor cancelled) whose deadline is before `before`, the nearest first. */
  requestsAtRisk(before: number, limit: number): Promise<RequestRow[]> {
    const sql = `${REQUEST_VIEW} WHERE r.status NOT IN (${requestStatus("completed", "cancelled")}) AND r.deadline_at < ? ORDER BY r.deadline_at LIMIT ?`;
    return this.#all<RequestRow>(sql, before, limit);
  }

  /** Requests still `received` (never queued) since before `receivedBefore` end `lost`, with the reason. */
  markUnqueuedLost(receivedBefore: number, reason: string): Promise<void> {
    const sql = `UPDATE requests SET status = ${requestStatus("lost")}, failure = ? WHERE status = ${requestStatus("received")} AND received_at < ?`;
    return this.#run(sql, reason, receivedBefore);
  }

  /**
   * The requests among `ids` still waiting for a window end `lost` with the reason (one a redelivery placed
   * in a window is on its way, and left as it is); returns those marked.
   */
  markLost(ids: string[], reason: string): Promise<{ id: string; dataset_group: string }[]> {
    const sql = `UPDATE requests SET status = ${requestStatus("lost")}, failure = ? WHERE ${IN_IDS} AND status IN (${WAITING}) RETURNING id, dataset_group`;
    return this.#all(sql, reason, JSON.stringify(ids));
  }

  /**
   * Marks which of `ids` still wait as being written into a batch file (no cancel takes them from now on)
   * and returns them: a request cancelled before this is not among them, and so in no file.
   */
  async claimForBatch(ids: string[], now: number): Promise<Set<string>> {
    const sql = `UPDATE requests SET batching_at = COALESCE(batching_at, ?) WHERE ${IN_IDS} AND status IN (${WAITING}) RETURNING id`;
    return new Set((await this.#all<{ id: string }>(sql, now, JSON.stringify(ids))).map((r) => r.id));
  }

  /**
   * The open window of a dataset group, opening `fresh` when there is none (the unique index keeps it one:
   * two consumers opening at once get the same window).
   */
  async openWindowFor(
    datasetGroup: string,
    fresh: { id: string; folder: string; openedAt: number; jobName: string },
  ): Promise<{ id: string; folder: string; bytes: number }> {
    const open = windowStatus("open");
    await this.#run(
      `INSERT OR IGNORE INTO windows (id, dataset_group, folder, status, opened_at, job_name) VALUES (?, ?, ?, ${open}, ?, ?)`,
      ...[fresh.id, datasetGroup, fresh.folder, fresh.openedAt, fresh.jobName],
    );
    const sql = `SELECT id, folder, bytes FROM windows WHERE dataset_group = ? AND status = ${open}`;
    const row = await this.#first<{ id: string; folder: string; bytes: number }>(sql, datasetGroup);
    if (!row) throw new Error(`no open window for ${datasetGroup}`);
    return row;
  }

  /** The window is at its size cap: the next batch opens another. */
  markFull(windowId: string): Promise<void> {
    const sql = `UPDATE windows SET status = ${windowStatus("full")} WHERE id = ? AND status = ${windowStatus("open")}`;
    return this.#run(sql, windowId);
  }

  /**
   * Records a batch file in its window and moves its requests into the window, in one transaction that holds
   * only while the window is open and every one of `requestIds` still waits. False when the window closed or
   * a request was withdrawn (cancelled, dead-lettered) meanwhile: nothing was recorded, and the file, which
   * names a user no longer asked for, must not stay.
   */
  async placeBatch(b: {
    id: string;
    windowId: string;
    key: string;
    bytes: number;
    sha256: string;
    requestIds: string[];
    now: number;
  }): Promise<boolean> {
    const placed = "EXISTS (SELECT 1 FROM batches WHERE id = ? AND window_id = ?)";
    const ids = [...new Set(b.requestIds)];
    // The count and the move are one transaction: a cancel lands before it (the count falls short, nothing is
    // recorded) or after it (the request is in_window, and the cancel refuses).
    const allWaiting = `(SELECT COUNT(*) FROM requests WHERE ${IN_IDS} AND status IN (${WAITING})) = ?`;
    const [inserted] = await this.#db.batch([
      this.#prepared(
        `INSERT INTO batches (id, window_id, object_key, bytes, created_at, sha256) SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM windows WHERE id = ? AND status = ${windowStatus("open")}) AND ${allWaiting}`,
        [b.id, b.windowId, b.key, b.bytes, b.now, b.sha256, b.windowId, JSON.stringify(ids), ids.length],
      ),
      this.#prepared(
        `UPDATE requests SET status = ${requestStatus("in_window")}, window_id = ? WHERE ${IN_IDS} AND status IN (${WAITING}) AND ${placed}`,
        [b.windowId, JSON.stringify(b.requestIds), b.id, b.windowId],
      ),
      this.#prepared(
        // Counted, not added: the window's own requests are the truth.
        `UPDATE windows SET bytes = bytes + ?, requests = (SELECT COUNT(*) FROM requests WHERE window_id = ?), last_batch_at = ? WHERE id = ? AND ${placed}`,
        [b.bytes, b.windowId, b.now, b.windowId, b.id, b.windowId],
      ),
    ]);
    return (inserted?.meta.changes ?? 0) === 1;
  }

  /** A dataset group's windows handed to their workflow and not settled (closing, submitted), the oldest first. */
  windowsInFlight(datasetGroup: string): Promise<ErasureWindow[]> {
    const sql = `SELECT ${WINDOW_COLUMNS} FROM windows WHERE dataset_group = ? AND status IN (${windowStatus("closing", "submitted")}) ORDER BY opened_at`;
    return this.#all<ErasureWindow>(sql, datasetGroup);
  }

  windowById(id: string): Promise<ErasureWindow | null> {
    return this.#first<ErasureWindow>(`SELECT ${WINDOW_COLUMNS} FROM windows WHERE id = ?`, id);
  }

  /** The cron started the window's workflow, or (`restarted`) ran a stopped one again from its first step. */
  recordWorkflow(windowId: string, now: number, restarted: boolean): Promise<void> {
    const sql = `UPDATE windows SET workflow_started_at = ?, workflow_restarts = workflow_restarts + ? WHERE id = ?`;
    return this.#run(sql, now, restarted ? 1 : 0, windowId);
  }

  /**
   * A dataset group's windows ready for their job, the oldest first: closing or full, or open with requests
   * and either idle for `idleMs` (intake paused) or open for `maxMs`.
   */
  windowsToClose(
    datasetGroup: string,
    { now, idleMs, maxMs }: { now: number; idleMs: number; maxMs: number },
  ): Promise<ErasureWindow[]> {
    const sql = `SELECT ${WINDOW_COLUMNS} FROM windows WHERE dataset_group = ? AND (status IN (${windowStatus("closing", "full")})
      OR (status = ${windowStatus("open")} AND requests > 0 AND (? - COALESCE(last_batch_at, opened_at) >= ? OR ? - opened_at >= ?)))
      ORDER BY opened_at`;
    return this.#all<ErasureWindow>(sql, datasetGroup, now, idleMs, now, maxMs);
  }

  /** No batch joins the window any more: its files are the fixed list its job reads. */
  closeWindow(windowId: string, now: number): Promise<void> {
    const sql = `UPDATE windows SET status = ${windowStatus("closing")}, closed_at = ? WHERE id = ? AND status IN (${windowStatus("open", "full")})`;
    return this.#run(sql, now, windowId);
  }

  /** Each batch file's SHA-256 in key order (null for a batch recorded before migration 0003). */
  async batchDigests(windowId: string): Promise<(string | null)[]> {
    const sql = "SELECT sha256 FROM batches WHERE window_id = ? ORDER BY object_key";
    return (await this.#all<{ sha256: string | null }>(sql, windowId)).map((b) => b.sha256);
  }

  /** The object keys of a window's batch files. */
  async batchKeys(windowId: string): Promise<string[]> {
    const sql = "SELECT object_key FROM batches WHERE window_id = ?";
    return (await this.#all<{ object_key: string }>(sql, windowId)).map((b) => b.object_key);
  }

  /** How many distinct users a window's requests name (by their HMACs: the ledger keeps no id). */
  async windowUserCount(windowId: string): Promise<number> {
    const sql = "SELECT COUNT(DISTINCT user_hash) AS n FROM requests WHERE window_id = ?";
    return (await this.#first<{ n: number }>(sql, windowId))?.n ?? 0;
  }

  /** When a window's first and last requests arrived, and how many it holds; undefined for none. */
  async requestArrivals(
    windowId: string,
  ): Promise<{ first: number; last: number; requests: number } | undefined> {
    const sql =
      "SELECT MIN(received_at) AS first, MAX(received_at) AS last, COUNT(*) AS n FROM requests WHERE window_id = ?";
    const row = await this.#first<{ first: number | null; last: number | null; n: number }>(sql, windowId);
    if (!row || row.first === null || row.last === null) return undefined;
    return { first: row.first, last: row.last, requests: row.n };
  }

  /** The window's job exists: the job, the window and its requests are `submitted` in one transaction. */
  async markSubmitted(
    w: Pick<ErasureWindow, "id" | "job_name"> & Partial<ErasureWindow>,
    jobArn: string,
    now: number,
  ): Promise<void> {
    await this.#db.batch([
      this.#prepared(
        "INSERT OR IGNORE INTO jobs (job_name, window_id, job_arn, created_at) VALUES (?, ?, ?, ?)",
        [w.job_name, w.id, jobArn, now],
      ),
      this.#prepared(
        `UPDATE windows SET status = ${windowStatus("submitted")}, stage = 'deleting' WHERE id = ?`,
        [w.id],
      ),
      this.#prepared(
        `UPDATE requests SET status = ${requestStatus("submitted")} WHERE window_id = ? AND status = ${requestStatus("in_window")}`,
        [w.id],
      ),
    ]);
  }

  /** Where a window's erasure stands while it is still in progress. */
  recordStage(windowId: string, stage: string): Promise<void> {
    return this.#run("UPDATE windows SET stage = ? WHERE id = ?", stage, windowId);
  }

  /**
   * A receipt was stored for the window: its stage and key; with an outcome the window ends, and all its
   * submitted requests are settled in the same transaction, one statement for all of them.
   */
  async settleWindow(
    windowId: string,
    s: { stage: string; receiptKey: string; outcome: Outcome | undefined; failure: string; now: number },
  ): Promise<void> {
    const ended = s.outcome ? WINDOW_OF[s.outcome] : undefined;
    const statements = [
      this.#prepared(
        "UPDATE windows SET stage = ?, receipt_key = ?, status = ?, completed_at = ? WHERE id = ?",
        [
          s.stage,
          s.receiptKey,
          ended ?? ("submitted" satisfies WindowStatus),
          ended ? s.now : null,
          windowId,
        ],
      ),
    ];
    if (s.outcome) {
      statements.push(
        this.#prepared(
          `UPDATE requests SET status = ?, completed_at = ?, receipt_key = ?, failure = ? WHERE window_id = ? AND status = ${requestStatus("submitted")}`,
          [s.outcome, s.now, s.receiptKey, s.outcome === "failed" ? s.failure : null, windowId],
        ),
      );
    }
    await this.#db.batch(statements);
  }

  /** A window that cannot succeed: it and its unsettled requests end `failed` with the reason. */
  async failWindow(windowId: string, reason: string, now: number): Promise<void> {
    await this.#db.batch([
      this.#prepared(
        `UPDATE windows SET status = ${windowStatus("failed")}, failure = ?, completed_at = ? WHERE id = ?`,
        [reason, now, windowId],
      ),
      this.#prepared(
        `UPDATE requests SET status = ${requestStatus("failed")}, failure = ?, completed_at = ? WHERE window_id = ? AND status IN (${requestStatus("in_window", "submitted")})`,
        [reason, now, windowId],
      ),
    ]);
  }
}
