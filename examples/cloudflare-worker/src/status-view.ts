// The status page's reads of the D1 ledger, one function per question, and the StatusView they make
// together. Read-only; no statement selects user_hash, so nothing here can carry a user id or its HMAC.
// The statements run in one D1 batch (one transaction), so the counts and lists agree with each other.
import { DAY_MS } from "./config.ts";
import type { RequestStatus, WindowStatus } from "./ledger.ts";
import type { CallbackTarget } from "./protocols/port.ts";
import type { D1Database, D1PreparedStatement } from "./runtime.ts";
import type { ActiveWindow, AtRiskRequest, PendingCallback, ReceiptLink, StatusView } from "./status-page.ts";

/** How much the page reads: the at-risk horizon and how many rows of each list. */
export interface StatusViewOptions {
  /** Milliseconds since the epoch; the view's instant. */
  now: number;
  /** At risk: the deadline under this many days away (the cron's warning uses 7). */
  withinDays?: number;
  atRiskLimit?: number;
  windowLimit?: number;
  receiptLimit?: number;
}

// `completed` (and `cancelled`, withdrawn) are the only statuses that end a request's risk, as in
// Ledger.requestsAtRisk (and so in GET /erasure-requests?overdue=true): deleted, failed and lost requests
// have not been erased everywhere.
const DONE = JSON.stringify(["completed", "cancelled"] satisfies RequestStatus[]);
const UNSETTLED: WindowStatus[] = ["open", "full", "closing", "submitted"];
const CALLBACKS_TABLE = "callbacks";

/** Requests per status. */
export function requestCountsQuery(db: D1Database): D1PreparedStatement {
  return db.prepare("SELECT status, COUNT(*) AS n FROM requests GROUP BY status");
}

/** Requests not completed whose deadline is before `before`, the nearest (longest overdue) first. */
export function atRiskQuery(db: D1Database, before: number, limit: number): D1PreparedStatement {
  return db
    .prepare(
      "SELECT id, dataset_group, status, deadline_at, failure FROM requests WHERE status NOT IN (SELECT value FROM json_each(?)) AND deadline_at < ? ORDER BY deadline_at, id LIMIT ?",
    )
    .bind(DONE, before, limit);
}

/** How many requests `atRiskQuery` would list without its limit. */
export function atRiskCountQuery(db: D1Database, before: number): D1PreparedStatement {
  return db
    .prepare(
      "SELECT COUNT(*) AS n FROM requests WHERE status NOT IN (SELECT value FROM json_each(?)) AND deadline_at < ?",
    )
    .bind(DONE, before);
}

/** Windows not settled yet (open, full, closing, submitted), the oldest first. */
export function activeWindowsQuery(db: D1Database, limit: number): D1PreparedStatement {
  return db
    .prepare(
      "SELECT id, dataset_group, status, stage, job_name, requests, opened_at FROM windows WHERE status IN (SELECT value FROM json_each(?)) ORDER BY opened_at, id LIMIT ?",
    )
    .bind(JSON.stringify(UNSETTLED), limit);
}

/**
 * Windows with a stored receipt: those still in progress (their latest look) first, then the settled ones,
 * the most recently settled first.
 */
export function recentReceiptsQuery(db: D1Database, limit: number): D1PreparedStatement {
  return db
    .prepare(
      "SELECT id, dataset_group, status, stage, receipt_key, completed_at FROM windows WHERE receipt_key IS NOT NULL ORDER BY completed_at IS NOT NULL, completed_at DESC, opened_at DESC LIMIT ?",
    )
    .bind(limit);
}

/** Callbacks not delivered yet (migration 0005's `callbacks`), the next due first. */
export function pendingCallbacksQuery(db: D1Database, limit: number): D1PreparedStatement {
  return db
    .prepare(
      `SELECT request_id, protocol, attempts, next_attempt_at FROM ${CALLBACKS_TABLE} WHERE delivered_at IS NULL ORDER BY next_attempt_at IS NULL, next_attempt_at, request_id LIMIT ?`,
    )
    .bind(limit);
}

/** Whether the ledger has a table of callbacks (the migrations before the callback queue have none). */
export async function recordsCallbacks(db: D1Database): Promise<boolean> {
  const row = await db
    .prepare("SELECT 1 AS yes FROM sqlite_master WHERE type = 'table' AND name = ?")
    .bind(CALLBACKS_TABLE)
    .first<{ yes: number }>();
  return row !== null;
}

interface CountRow {
  status: RequestStatus;
  n: number;
}
interface AtRiskRow {
  id: string;
  dataset_group: string;
  status: RequestStatus;
  deadline_at: number;
  failure: string | null;
}
interface WindowRow {
  id: string;
  dataset_group: string;
  status: WindowStatus;
  stage: string | null;
  job_name: string;
  requests: number;
  opened_at: number;
}
interface ReceiptRow {
  id: string;
  dataset_group: string;
  status: WindowStatus;
  stage: string | null;
  receipt_key: string;
  completed_at: number | null;
}
interface CallbackRow {
  request_id: string;
  protocol: CallbackTarget["protocol"];
  attempts: number;
  next_attempt_at: number | null;
}

/** A deadline as the page says it: passed or not, and whole days (past ones rounded up, at least one). */
export function daysLeft(deadlineAt: number, now: number): { overdue: boolean; daysLeft: number } {
  if (deadlineAt <= now)
    return { overdue: true, daysLeft: -Math.max(1, Math.ceil((now - deadlineAt) / DAY_MS)) };
  return { overdue: false, daysLeft: Math.floor((deadlineAt - now) / DAY_MS) };
}

/** The status page's view of the ledger at `now`, read in one transaction. */
export async function readStatusView(db: D1Database, options: StatusViewOptions): Promise<StatusView> {
  const { now, withinDays = 7, atRiskLimit = 200, windowLimit = 200, receiptLimit = 20 } = options;
  const before = now + withinDays * DAY_MS;
  const withCallbacks = await recordsCallbacks(db);
  const statements = [
    requestCountsQuery(db),
    atRiskQuery(db, before, atRiskLimit),
    atRiskCountQuery(db, before),
    activeWindowsQuery(db, windowLimit),
    recentReceiptsQuery(db, receiptLimit),
    ...(withCallbacks ? [pendingCallbacksQuery(db, atRiskLimit)] : []),
  ];
  const [counts, atRisk, atRiskCount, windows, receipts, callbacks] = (await db.batch(statements)).map(
    (r) => r.results,
  );
  return {
    generatedAt: now,
    counts: Object.fromEntries(((counts ?? []) as unknown as CountRow[]).map((c) => [c.status, c.n])),
    atRiskDays: withinDays,
    atRisk: ((atRisk ?? []) as unknown as AtRiskRow[]).map(
      (r): AtRiskRequest => ({
        requestId: r.id,
        datasetGroup: r.dataset_group,
        status: r.status,
        deadlineAt: r.deadline_at,
        ...daysLeft(r.deadline_at, now),
        failure: r.failure,
      }),
    ),
    atRiskTotal: ((atRiskCount ?? []) as unknown as { n: number }[])[0]?.n ?? 0,
    activeWindows: ((windows ?? []) as unknown as WindowRow[]).map(
      (w): ActiveWindow => ({
        windowId: w.id,
        datasetGroup: w.dataset_group,
        status: w.status,
        stage: w.stage,
        jobName: w.job_name,
        requests: w.requests,
        openedAt: w.opened_at,
      }),
    ),
    receipts: ((receipts ?? []) as unknown as ReceiptRow[]).map(
      (r): ReceiptLink => ({
        windowId: r.id,
        datasetGroup: r.dataset_group,
        status: r.status,
        stage: r.stage,
        key: r.receipt_key,
        completedAt: r.completed_at,
      }),
    ),
    pendingCallbacks: withCallbacks
      ? ((callbacks ?? []) as unknown as CallbackRow[]).map(
          (c): PendingCallback => ({
            requestId: c.request_id,
            protocol: c.protocol,
            attempts: c.attempts,
            nextAttemptAt: c.next_attempt_at,
          }),
        )
      : undefined,
  };
}
