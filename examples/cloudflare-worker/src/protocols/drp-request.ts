// A taken request afterwards: its status (section 2.02) and its revocation (2.04), each only for the agent
// that submitted it.
import { badToken, bearerAgent } from "./drp-agent.ts";
import type { DrpConfig } from "./drp-config.ts";
import { openSigned } from "./drp-crypto.ts";
import { checkEnvelope } from "./drp-envelope.ts";
import { openRefusal } from "./drp-exercise.ts";
import { drpError, drpJson, MAX_DRP_BODY_BYTES, readCapped } from "./drp-http.ts";
import { exerciseStatus, FINAL } from "./drp-status.ts";
import type { DrpRecord, DrpStore } from "./drp-store.ts";
import type { IntakePort, RequestState } from "./port.ts";

interface Deps {
  intake: IntakePort;
  store: DrpStore;
  config: DrpConfig;
}

// The record and state of the agent's own request, or the answer refusing it.
async function ownRequest(
  request: Request,
  requestId: string,
  { intake, store, config }: Deps,
): Promise<{ agentId: string; record: DrpRecord; state: RequestState } | { refused: Response }> {
  const agentId = await bearerAgent(request, config, store);
  if (agentId === undefined) return { refused: badToken() };
  const record = await store.record(requestId);
  if (!record)
    return { refused: drpError(404, "no request with this request_id (or its record has expired)") };
  // Section 2.02.1: "SHALL respond with a 403 Forbidden" when another agent manages the request.
  if (record.agentId !== agentId)
    return { refused: drpError(403, "this request was submitted by another agent") };
  const state = await intake.state({ requestId: record.workerRequestId });
  if (!state)
    return { refused: drpError(404, "the erasure service holds no state for this request any more") };
  return { agentId, record, state };
}

/** GET /v1/data-rights-request/{request_id}: the Exercise Status. */
export async function requestStatus(request: Request, requestId: string, deps: Deps): Promise<Response> {
  const own = await ownRequest(request, requestId, deps);
  if ("refused" in own) return own.refused;
  const now = deps.intake.now();
  return drpJson(
    exerciseStatus(
      requestId,
      own.record,
      own.state,
      deps.intake.deadlineDays,
      now,
      deps.config.acceptAsFulfilled,
    ),
  );
}

const ENVELOPE_CLAIMS = ["agent-id", "business-id", "issued-at", "expires-at"];

/** DELETE /v1/data-rights-request/{request_id} with a signed `{ "reason": ... }`: the new `revoked` status. */
export async function revokeRequest(request: Request, requestId: string, deps: Deps): Promise<Response> {
  const { intake, config } = deps;
  const own = await ownRequest(request, requestId, deps);
  if ("refused" in own) return own.refused;
  const { agentId, record, state } = own;
  const body = await readCapped(request);
  if (body === undefined) return drpError(413, `the body must be at most ${MAX_DRP_BODY_BYTES} bytes`, true);
  const opened = await openSigned(body, config.agents.get(agentId) as Uint8Array<ArrayBuffer>);
  if (!opened.ok) return openRefusal(opened.why, agentId);
  const now = intake.now();
  // The spec's revoke message is only `reason`; a message that carries the envelope's claims is held to them.
  if (ENVELOPE_CLAIMS.some((claim) => claim in opened.message)) {
    const envelope = checkEnvelope(opened.message, agentId, config, now);
    if (!envelope.ok)
      return drpError(envelope.refusal.status, envelope.refusal.message, envelope.refusal.fatal);
  }
  const reason = opened.message.reason;
  if (reason !== undefined && typeof reason !== "string")
    return drpError(400, "reason must be a string", true);
  const current = exerciseStatus(
    requestId,
    record,
    state,
    intake.deadlineDays,
    now,
    config.acceptAsFulfilled,
  );
  if (current.status === "revoked") return drpJson(current);
  if (FINAL.has(current.status)) {
    return drpError(409, `the request is already ${current.status}: there is nothing left to revoke`);
  }
  const outcome = await intake.cancel(record.workerRequestId);
  if (outcome === "unknown")
    return drpError(404, "the erasure service holds no state for this request any more");
  if (outcome === "too-late") {
    return drpError(
      409,
      "too late to revoke: the deletion job holding this request is submitted to Amazon Personalize, which cannot stop it",
    );
  }
  const after = (await intake.state({ requestId: record.workerRequestId })) ?? state;
  // The response MUST carry the new revoked state (2.04.1), even should the state read lag the cancel.
  return drpJson(
    exerciseStatus(
      requestId,
      record,
      { ...after, status: "cancelled" },
      intake.deadlineDays,
      now,
      config.acceptAsFulfilled,
    ),
  );
}
