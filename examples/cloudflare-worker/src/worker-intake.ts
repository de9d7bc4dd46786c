// The one way a request enters the Worker, whatever it came through (the bearer JSON API, DRP, OpenGDPR,
// Transcend): the IntakePort of protocols/port.ts over the D1 ledger and the intake queue, and the
// ProtocolStore over D1. The id is taken exactly as given or refused with the library's rule.
import { userIdProblem } from "personalize-data-deletion";
import { DAY_MS, datasetGroups, deadlineDays, userHash } from "./config.ts";
import type { Env } from "./env.ts";
import { Ledger } from "./ledger.ts";
import type {
  IntakePort,
  InternalErasureRequest,
  Protocol,
  ProtocolStore,
  RequestState,
} from "./protocols/port.ts";
import { type ProtocolRequestRow, RequestLedger } from "./request-ledger.ts";

/**
 * Why an id cannot be taken, in words (the library's one rule, so the Worker erases exactly what it was
 * given: a trimmed id is another user), never repeating the id; undefined when it can.
 */
export function userIdRefusal(value: unknown): string | undefined {
  if (typeof value !== "string") return "userId must be a string";
  // A closing hint in brackets names the library's own options (opting in to trimming): the intake has none.
  const problem = userIdProblem(value)?.replace(/ \([^()]*\)$/, "");
  return problem ? `userId refused: ${problem}` : undefined;
}

/** The dataset group a request erases from: the one it names, or the only one configured. */
export function resolveDatasetGroup(env: Env, given: string | undefined): string | undefined {
  const groups = datasetGroups(env);
  const only = groups.size === 1 ? [...groups.keys()][0] : undefined;
  const name = given ?? only;
  return name !== undefined && groups.has(name) ? name : undefined;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A ledger row as the protocols see it. */
export function stateOf(row: ProtocolRequestRow): RequestState {
  return {
    requestId: row.id,
    status: row.status,
    receivedAt: iso(row.received_at),
    deadline: iso(row.deadline_at),
    ...(row.completed_at !== null && { completedAt: iso(row.completed_at) }),
    ...(row.receipt_key !== null &&
      row.receipt_sha256 !== null && { receipt: { key: row.receipt_key, sha256: row.receipt_sha256 } }),
    ...(row.failure !== null && { failure: row.failure }),
    ...(row.callback_pending ? { callbackPending: true } : {}),
  };
}

/** The Worker's intake as every adapter (and its own JSON API) uses it. */
export class WorkerIntake implements IntakePort {
  readonly deadlineDays: number;
  readonly #env: Env;
  readonly #requests: RequestLedger;
  constructor(env: Env) {
    this.#env = env;
    this.#requests = new RequestLedger(env.LEDGER);
    this.deadlineDays = deadlineDays(env);
  }

  now(): number {
    return Date.now();
  }

  async take(
    request: InternalErasureRequest,
  ): Promise<
    { ok: true; state: RequestState } | { ok: false; status: number; error: string; field?: string }
  > {
    const env = this.#env;
    const problem = userIdRefusal(request.userId);
    if (problem) return { ok: false, status: 400, error: problem, field: "userId" };
    const datasetGroup = resolveDatasetGroup(env, request.datasetGroup);
    if (datasetGroup === undefined) {
      const names = [...datasetGroups(env).keys()].join(", ");
      return { ok: false, status: 400, error: `datasetGroup must be one of ${names}`, field: "datasetGroup" };
    }
    const target = request.callback;
    const requestId = crypto.randomUUID();
    const receivedAt = this.now();
    const deadlineAt = receivedAt + this.deadlineDays * DAY_MS;
    const fresh = await this.#requests.record({
      id: requestId,
      datasetGroup,
      userHash: await userHash(env, request.userId),
      receivedAt,
      deadlineAt,
      protocol: request.protocol,
      externalId: target?.externalId ?? null,
      // Kept only when there is somewhere to report to (a DRP request without status_callback has not).
      callback: target && target.urls.length > 0 ? JSON.stringify(target) : null,
    });
    if (!fresh) {
      // The protocol's id again: the same request, answered with its state rather than taken twice.
      const earlier = target && (await this.#requests.byExternalId(request.protocol, target.externalId));
      if (earlier) return { ok: true, state: stateOf(earlier) };
      return { ok: false, status: 503, error: "the request could not be recorded; try again" };
    }
    const ledger = new Ledger(env.LEDGER);
    try {
      await env.ERASURE_QUEUE.send({ requestId, datasetGroup, userId: request.userId });
    } catch {
      // Not queued: not taken either, so the caller tries again (nothing half-done stays in the ledger).
      await ledger.forgetUnqueued(requestId);
      return { ok: false, status: 503, error: "the request could not be queued; try again" };
    }
    await ledger.markQueued(requestId);
    return {
      ok: true,
      state: { requestId, status: "queued", receivedAt: iso(receivedAt), deadline: iso(deadlineAt) },
    };
  }

  async state(
    id: { requestId: string } | { protocol: Protocol; externalId: string },
  ): Promise<RequestState | undefined> {
    const row =
      "requestId" in id
        ? await this.#requests.byId(id.requestId)
        : await this.#requests.byExternalId(id.protocol, id.externalId);
    return row ? stateOf(row) : undefined;
  }

  async cancel(requestId: string): Promise<"cancelled" | "too-late" | "unknown"> {
    if (await this.#requests.cancel(requestId, this.now())) return "cancelled";
    const row = await this.#requests.byId(requestId);
    if (!row) return "unknown";
    // Withdrawn already: the same answer again.
    return row.status === "cancelled" ? "cancelled" : "too-late";
  }
}

/** The ProtocolStore over the ledger's `protocol_store` table (D1: no binding beyond the ledger's). */
export class D1ProtocolStore implements ProtocolStore {
  readonly #requests: RequestLedger;
  constructor(env: Env) {
    this.#requests = new RequestLedger(env.LEDGER);
  }
  get(key: string): Promise<string | undefined> {
    return this.#requests.storeGet(key, Date.now());
  }
  put(key: string, value: string, ttlSeconds?: number): Promise<void> {
    const expiresAt = ttlSeconds === undefined ? null : Date.now() + ttlSeconds * 1000;
    return this.#requests.storePut(key, value, expiresAt);
  }
  putIfAbsent(key: string, value: string, ttlSeconds?: number, replacing?: string): Promise<boolean> {
    const now = Date.now();
    const expiresAt = ttlSeconds === undefined ? null : now + ttlSeconds * 1000;
    return this.#requests.storePutIfAbsent(key, value, expiresAt, now, replacing);
  }
}
