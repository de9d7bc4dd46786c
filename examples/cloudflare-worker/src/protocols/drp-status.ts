// The Worker's request states in DRP's words (section 3.02/3.03): its statuses, its reasons, and
// processing_details saying plainly what each outcome means for the user's data.
import { formatInstant } from "./drp-crypto.ts";
import type { DrpRecord } from "./drp-store.ts";
import type { RequestState } from "./port.ts";

/** Section 3.02's request statuses. */
export type DrpStatus = "open" | "in_progress" | "fulfilled" | "revoked" | "denied" | "expired";

/** Section 3.02's reasons (the Worker only ever gives `other`, for an erasure that did not happen). */
export type DrpReason =
  | "need_user_verification"
  | "suspected_fraud"
  | "insuf_verification"
  | "no_match"
  | "claim_not_covered"
  | "outside_jurisdiction"
  | "too_many_requests"
  | "other";

/**
 * The Exercise Status object (section 3.03). `reason` is `null` when there is none, as OSIRAA's reference
 * PIP answers and its cert checks for a deletion expect.
 */
export interface ExerciseStatus {
  request_id: string;
  agent_request_id?: string;
  status: DrpStatus;
  reason: DrpReason | null;
  received_at: string;
  expected_by: string;
  processing_details: string;
  expires_at: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

const receipt = (state: RequestState) =>
  state.receipt ? ` Receipt ${state.receipt.key}, SHA-256 ${state.receipt.sha256}.` : "";

/** The partial outcomes a deployment may report as `fulfilled` (DRP_ACCEPT_AS_FULFILLED); by default they stay `in_progress`. */
export type PartialOutcome = "completed_in_personalize" | "deleted";

// Each state's DRP status, reason and words; a final state never changes again. A partial erasure is not
// called fulfilled unless the deployment says it accepts it: `in_progress`, its words saying what is left.
function words(
  state: RequestState,
  accept: readonly PartialOutcome[],
): { status: DrpStatus; reason: DrpReason | null; details: string } {
  const progress = (details: string) => ({ status: "in_progress" as const, reason: null, details });
  const fulfilled = (details: string) => ({ status: "fulfilled" as const, reason: null, details });
  const partial = (outcome: PartialOutcome, details: string) =>
    accept.includes(outcome) ? fulfilled(details) : progress(details);
  const denied = (details: string) => ({ status: "denied" as const, reason: "other" as const, details });
  switch (state.status) {
    case "received":
    case "queued":
      return progress("Received; waiting for the next deletion window in Amazon Personalize.");
    case "in_window":
      return progress("In a deletion window that will be submitted to Amazon Personalize shortly.");
    case "submitted":
      return progress("The deletion job holding this request is running in Amazon Personalize.");
    case "completed":
      return fulfilled(
        `Erased: deleted from the Amazon Personalize datasets, the models retrained without the user's data, and the files around Personalize that this service checks hold none of it.${receipt(state)}`,
      );
    case "completed_in_personalize":
      return partial(
        "completed_in_personalize",
        `Erased in Amazon Personalize: deleted from its datasets and the models retrained without the user's data. Files outside Personalize (such as the S3 data it imports from and its batch job outputs) were not scanned by this service and may still hold the user's records.${receipt(state)}`,
      );
    case "deleted":
      return partial(
        "deleted",
        `Gone from the datasets, still in the models: deleted from the Amazon Personalize datasets, but the trained models, which this service is set not to retrain, still reflect the user's data until they are next trained.${receipt(state)}`,
      );
    case "failed":
      return denied(
        `The erasure failed and did not complete${state.failure ? ` (${state.failure})` : ""}. Submit the request again.`,
      );
    case "lost":
      return denied(
        "The request was accepted but never reached a deletion window, so nothing was erased. Submit it again.",
      );
    case "cancelled":
      return {
        status: "revoked",
        reason: null,
        details: "Revoked before its deletion job was submitted; nothing was erased.",
      };
  }
}

/** The statuses DRP calls final (section 3.02): no later answer differs. */
export const FINAL: ReadonlySet<DrpStatus> = new Set(["fulfilled", "revoked", "denied", "expired"]);

/**
 * The Exercise Status object for a request: `expected_by` is `received_at` plus DEADLINE_DAYS, the deadline
 * the regime's law sets (section 3.08).
 */
export function exerciseStatus(
  requestId: string,
  record: DrpRecord,
  state: RequestState,
  deadlineDays: number,
  now: number,
  accept: readonly PartialOutcome[] = [],
): ExerciseStatus {
  const received = Date.parse(state.receivedAt);
  const expectedBy = received + deadlineDays * DAY_MS;
  const { status, reason, details } = words(state, accept);
  const late = !FINAL.has(status) && now > expectedBy ? " It is past its expected-by date." : "";
  return {
    request_id: requestId,
    ...(record.agentRequestId !== undefined ? { agent_request_id: record.agentRequestId } : {}),
    status,
    reason,
    received_at: formatInstant(received),
    expected_by: formatInstant(expectedBy),
    processing_details: `${details}${late}`,
    expires_at: formatInstant(record.expiresAt),
  };
}

/** When a request's DRP record may be forgotten: its expected-by date plus DRP_RECORD_DAYS. */
export const recordExpiry = (receivedAt: number, deadlineDays: number, recordDays: number): number =>
  receivedAt + (deadlineDays + recordDays) * DAY_MS;
