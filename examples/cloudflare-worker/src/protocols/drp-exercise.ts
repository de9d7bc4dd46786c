// POST /v1/data-rights-request (section 2.01): a signed deletion request from a paired agent becomes one
// internal erasure request, answered with its Exercise Status. Every other right is refused.
import { userIdProblem } from "personalize-data-deletion";
import { badToken, bearerAgent, DRP_VERSIONS } from "./drp-agent.ts";
import { type DrpConfig, VERIFIABLE_CLAIMS } from "./drp-config.ts";
import { openSigned, sha256Hex } from "./drp-crypto.ts";
import { checkEnvelope } from "./drp-envelope.ts";
import { drpError, drpJson, MAX_DRP_BODY_BYTES, readCapped } from "./drp-http.ts";
import { exerciseStatus, recordExpiry } from "./drp-status.ts";
import type { DrpRecord, DrpStore } from "./drp-store.ts";
import type { IntakePort } from "./port.ts";

/** The only right this Covered Business takes through DRP: its Service Directory entry lists just this. */
export const SUPPORTED_EXERCISE = "deletion";

/** A signed message's body that could not be opened, as DRP errors. */
export function openRefusal(
  why: "not-base64" | "too-short" | "bad-signature" | "not-json",
  agentId: string,
): Response {
  if (why === "bad-signature") {
    return drpError(403, `the signature does not verify with agent ${agentId}'s verify key`);
  }
  if (why === "not-json") return drpError(400, "the signed message is not a JSON object", true);
  return drpError(
    400,
    "the body must be base64 of a libsodium combined-mode signed message (signature, then JSON)",
    true,
  );
}

// The request's own fields (section 2.01, group 2), or why they are refused.
function requestProblem(message: Record<string, unknown>): string | undefined {
  const version = message["drp.version"];
  if (typeof version !== "string" || !DRP_VERSIONS.includes(version)) {
    return `drp.version must be one of ${DRP_VERSIONS.join(", ")}, got ${JSON.stringify(version ?? null)}`;
  }
  const exercise = message.exercise;
  if (exercise !== SUPPORTED_EXERCISE) {
    return `Unsupported rights actions submitted: this business takes only "${SUPPORTED_EXERCISE}" through DRP, got ${JSON.stringify(exercise ?? null)}`;
  }
  const regime = message.regime;
  if (regime !== undefined && regime !== "ccpa" && regime !== "voluntary") {
    return `regime must be "ccpa", "voluntary" or absent (voluntary), got ${JSON.stringify(regime)}`;
  }
  const callback = message.status_callback;
  // The Worker will POST statuses there: only to an https URL, never to a plain-text or local scheme.
  if (
    callback !== undefined &&
    (typeof callback !== "string" || !URL.canParse(callback) || new URL(callback).protocol !== "https:")
  ) {
    return "status_callback must be an https:// URL";
  }
  const agentRequestId = message["agent-request-id"];
  if (agentRequestId !== undefined && (typeof agentRequestId !== "string" || agentRequestId.length > 256)) {
    return "agent-request-id must be a string of at most 256 characters";
  }
  return undefined;
}

// The Personalize user id from the configured claim, or why not (naming the claim, never its value).
function userIdFrom(
  message: Record<string, unknown>,
  config: DrpConfig,
): { id: string } | { problem: string } {
  const claim = config.userIdClaim;
  const value = message[claim];
  if (typeof value !== "string" || value === "") {
    return {
      problem: `the ${claim} identity claim must be present and a non-empty string: it names the user to erase`,
    };
  }
  const problem = userIdProblem(value)?.replace(/ \([^()]*\)$/, "");
  if (problem) return { problem: `the ${claim} identity claim is refused: ${problem}` };
  if (config.requireVerified && (VERIFIABLE_CLAIMS as readonly string[]).includes(claim)) {
    if (message[`${claim}_verified`] !== true) {
      return { problem: `${claim}_verified must be true: this business erases only by a verified ${claim}` };
    }
  }
  return { id: value };
}

/** POST /v1/data-rights-request: the Exercise Status of the request taken, or DRP's error. */
export async function exercise(
  request: Request,
  deps: { intake: IntakePort; store: DrpStore; config: DrpConfig },
): Promise<Response> {
  const { intake, store, config } = deps;
  const now = intake.now();
  const agentId = await bearerAgent(request, config, store);
  if (agentId === undefined) return badToken();
  const body = await readCapped(request);
  if (body === undefined) return drpError(413, `the body must be at most ${MAX_DRP_BODY_BYTES} bytes`, true);
  const opened = await openSigned(body, config.agents.get(agentId) as Uint8Array<ArrayBuffer>);
  if (!opened.ok) return openRefusal(opened.why, agentId);
  const { message } = opened;
  const envelope = checkEnvelope(message, agentId, config, now);
  if (!envelope.ok)
    return drpError(envelope.refusal.status, envelope.refusal.message, envelope.refusal.fatal);
  const problem = requestProblem(message);
  if (problem) return drpError(400, problem, true);
  const user = userIdFrom(message, config);
  if ("problem" in user) return drpError(400, user.problem, true);

  // The same signed message twice is one user's one request sent twice: the second is refused (3.07).
  const messageHash = await sha256Hex(opened.signed);
  // Claimed in one step, so two deliveries racing make one request; one whose intake failed ("retry") may
  // be taken again.
  const requestId = crypto.randomUUID();
  if (!(await store.claim(messageHash, requestId, envelope.envelope.expiresAt, now, "retry"))) {
    const earlier = await store.seen(messageHash);
    const as = earlier !== undefined && earlier !== "retry" ? `, as request_id ${earlier}` : "";
    return drpError(409, `this signed request was already received${as}; sign a new message to submit again`);
  }
  const callback = message.status_callback as string | undefined;
  const taken = await intake.take({
    userId: user.id,
    ...(config.datasetGroup !== undefined ? { datasetGroup: config.datasetGroup } : {}),
    protocol: "drp",
    callback: { protocol: "drp", urls: callback ? [callback] : [], externalId: requestId },
  });
  if (!taken.ok) {
    // Not taken, so no request bears its id: the same message may come again (after an outage it may pass;
    // a refusal of its content is refused again).
    await store.markSeen(messageHash, "retry", envelope.envelope.expiresAt, now);
    const field =
      taken.field === "userId"
        ? ` (the ${config.userIdClaim} identity claim)`
        : taken.field === "datasetGroup"
          ? " (DRP_DATASET_GROUP)"
          : "";
    return drpError(taken.status, `${taken.error}${field}`, taken.status < 500);
  }
  const agentRequestId = message["agent-request-id"] as string | undefined;
  const record: DrpRecord = {
    agentId,
    workerRequestId: taken.state.requestId,
    ...(agentRequestId !== undefined ? { agentRequestId } : {}),
    expiresAt: recordExpiry(Date.parse(taken.state.receivedAt), intake.deadlineDays, config.recordDays),
  };
  await store.putRecord(requestId, record, now);
  return drpJson(
    exerciseStatus(requestId, record, taken.state, intake.deadlineDays, now, config.acceptAsFulfilled),
  );
}
