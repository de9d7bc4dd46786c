// The HTTP side: take a request (refused at the door when bad), answer its status, list those at risk.

import { DAY_MS } from "./config.ts";
import type { Env } from "./env.ts";
import { Ledger, type RequestRow } from "./ledger.ts";
import { readBounded, sameSecret } from "./protocols/web-crypto.ts";
import { RequestLedger } from "./request-ledger.ts";
import { resolveDatasetGroup, WorkerIntake } from "./worker-intake.ts";

const MAX_BODY_BYTES = 4096;

/** Whether the request carries exactly `Authorization: Bearer <INTAKE_TOKEN>` (a bare token is refused). */
export async function authorized(request: Request, env: Env): Promise<boolean> {
  const auth = request.headers.get("authorization") ?? "";
  if (!auth.startsWith("Bearer ")) return false;
  return sameSecret(auth.slice("Bearer ".length), env.INTAKE_TOKEN ?? "");
}

const refuse = (status: number, error: string, field?: string) =>
  Response.json({ error, ...(field ? { field } : {}) }, { status });

// The body, read only up to the cap: an oversize one is refused without being held.
async function readBody(request: Request): Promise<string | undefined> {
  const bytes = await readBounded(request, MAX_BODY_BYTES);
  return bytes && new TextDecoder().decode(bytes);
}

/** POST /erasure-requests: 202 only once the request is in the ledger and on the queue. */
export async function intake(request: Request, env: Env): Promise<Response> {
  if (!(await authorized(request, env))) return refuse(401, "unauthorized");
  const text = await readBody(request);
  if (text === undefined) return refuse(413, `the body must be at most ${MAX_BODY_BYTES} bytes`);
  let body: { userId?: unknown; datasetGroup?: unknown };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return refuse(400, 'the body must be JSON: { "userId": "...", "datasetGroup": "..." }');
  }
  const named = body?.datasetGroup;
  // The same door as every protocol's: a group that is no string is one no configuration names.
  const taken = await new WorkerIntake(env).take({
    userId: body?.userId as string,
    datasetGroup: named === undefined || typeof named === "string" ? named : "",
    protocol: "api",
  });
  if (!taken.ok) return refuse(taken.status, taken.error, taken.field);
  return Response.json(
    {
      requestId: taken.state.requestId,
      datasetGroup: resolveDatasetGroup(env, named as string | undefined),
      status: taken.state.status,
      deadline: taken.state.deadline,
    },
    { status: 202 },
  );
}

const view = (row: RequestRow) => ({
  requestId: row.id,
  datasetGroup: row.dataset_group,
  status: row.status,
  receivedAt: new Date(row.received_at).toISOString(),
  deadline: new Date(row.deadline_at).toISOString(),
  ...(row.window_id ? { window: row.window_id } : {}),
  ...(row.job_name && row.status !== "in_window" ? { jobName: row.job_name } : {}),
  ...(row.stage ? { stage: row.stage } : {}),
  ...(row.completed_at ? { completedAt: new Date(row.completed_at).toISOString() } : {}),
  ...(row.receipt_key ? { receipt: row.receipt_key } : {}),
  // Settled from a receipt: whether it says erased everywhere, outside Personalize too (only `completed`).
  ...(row.receipt_key ? { completeEverywhere: row.status === "completed" } : {}),
  ...(row.failure ? { failure: row.failure } : {}),
});

/**
 * GET /erasure-requests/{id}: status, deadline, when complete the receipt's key in RECEIPTS, and for a request
 * that came through a protocol whether its report back is still `pending` or `delivered`.
 */
export async function status(id: string, env: Env): Promise<Response> {
  const row = await new Ledger(env.LEDGER).requestById(id);
  if (!row) return refuse(404, "no such request");
  const owed = await new RequestLedger(env.LEDGER).callback(id);
  const callback = owed && {
    callback: owed.delivered_at === null ? "pending" : "delivered",
    callbackAttempts: owed.attempts,
  };
  return Response.json({ ...view(row), ...callback });
}

/** The requests at risk: not complete, and the deadline under `withinDays` away (or past). */
export async function atRisk(env: Env, withinDays = 7, limit = 1000): Promise<ReturnType<typeof view>[]> {
  const results = await new Ledger(env.LEDGER).requestsAtRisk(Date.now() + withinDays * DAY_MS, limit);
  return results.map(view);
}

/** GET /erasure-requests?overdue=true (bearer): the requests at risk, so an operator can act. */
export async function overdue(request: Request, env: Env): Promise<Response> {
  if (!(await authorized(request, env))) return refuse(401, "unauthorized");
  const url = new URL(request.url);
  if (url.searchParams.get("overdue") !== "true")
    return refuse(400, "only ?overdue=true is served", "overdue");
  return Response.json({ requests: await atRisk(env) });
}
