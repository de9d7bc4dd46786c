// What each ledger state means, in words a privacy team can act on, shared by the protocols whose
// vocabularies are too small to say it (OpenGDPR's four statuses, Transcend's profile statuses).
import type { RequestState } from "./port.ts";

/** The ledger states a deployment may choose to report as complete although the erasure is partial. */
export type PartialOutcome = "completed_in_personalize" | "deleted";

/** The meaning of each state; never a user id. */
export const DETAIL: Record<RequestState["status"], string> = {
  received: "received; waiting for its erasure window",
  queued: "queued for its erasure window",
  in_window: "in an erasure window not yet submitted",
  submitted: "its erasure window is being processed",
  completed: "erased from Personalize and from the S3 data around it that the service checks",
  completed_in_personalize:
    "erased from Personalize; S3 data around it (import sources, exports, batch outputs) may still hold the user",
  deleted: "gone from the datasets, still in the trained models until they are retrained (RETRAIN is off)",
  failed: "the erasure failed; the operator has been alerted and the request is not fulfilled",
  lost: "the request was lost before its window and was not erased; the operator has been alerted",
  cancelled: "cancelled before its window was submitted",
};
