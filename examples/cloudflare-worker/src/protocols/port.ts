// What every protocol adapter (DRP, OpenGDPR, Transcend) needs of the Worker, and what it gives it: one
// internal erasure request, the same for every protocol, and the request's state to answer in the
// protocol's own words. The adapters parse, verify and answer; the Worker's intake and ledger do the rest.

/** The protocols requests arrive in. `api` is the Worker's own JSON API (bearer token). */
export type Protocol = "api" | "drp" | "opengdpr" | "transcend";

/** Where to report the outcome, in the protocol the request came in. */
export interface CallbackTarget {
  protocol: Exclude<Protocol, "api">;
  /** The URL(s) to call back: OpenGDPR's status_callback_urls, Transcend's callback, DRP's status_callback (https). */
  urls: string[];
  /** The request's id in that protocol (DRP request_id, OpenGDPR subject_request_id, Transcend's request id). */
  externalId: string;
  /** Protocol-specific extras the callback needs (never a user id), e.g. Transcend's nonce. */
  extra?: Record<string, string>;
}

/** One erasure request, as every adapter turns its protocol's request into it. */
export interface InternalErasureRequest {
  /** The Personalize user id, exactly as given (never trimmed or normalised). */
  userId: string;
  /** The dataset group's name (a key of DATASET_GROUPS); absent: the only one configured. */
  datasetGroup?: string;
  protocol: Protocol;
  /** How to report back; absent for the Worker's own API. */
  callback?: CallbackTarget;
}

/** A request's state as the ledger knows it (see ledger.ts RequestStatus). */
export interface RequestState {
  requestId: string;
  status:
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
  receivedAt: string;
  deadline: string;
  completedAt?: string;
  /** The receipt's key in RECEIPTS and its SHA-256, once complete. */
  receipt?: { key: string; sha256: string };
  failure?: string;
  /** A callback still to be delivered. */
  callbackPending?: boolean;
}

/** The Worker as the adapters see it. */
export interface IntakePort {
  /** Records and queues the request; a refusal names the field in the caller's words. */
  take(
    request: InternalErasureRequest,
  ): Promise<
    { ok: true; state: RequestState } | { ok: false; status: number; error: string; field?: string }
  >;
  /** The state of a request by the Worker's id, or by the protocol's own id. */
  state(
    id: { requestId: string } | { protocol: Protocol; externalId: string },
  ): Promise<RequestState | undefined>;
  /**
   * Cancels a request not yet in a submitted window; `too-late` once its window's job exists. The Worker's
   * own intake answers `too-late` from the moment its queue consumer begins writing the id into a window's
   * batch file (before `in_window`): the ledger keeps no id to take it out again, so the job will erase it.
   */
  cancel(requestId: string): Promise<"cancelled" | "too-late" | "unknown">;
  /** The deadline days (DEADLINE_DAYS), for a protocol's expected-by date. */
  deadlineDays: number;
  /** Milliseconds since the epoch (injectable for tests). */
  now(): number;
}

/** A small key-value store for what a protocol keeps (DRP's paired agents and tokens, replay nonces). */
export interface ProtocolStore {
  get(key: string): Promise<string | undefined>;
  put(key: string, value: string, ttlSeconds?: number): Promise<void>;
  /**
   * Writes `value` only while `key` holds nothing unexpired (or holds `replacing`), in one step: true when it
   * wrote. Of two callers racing for one key exactly one gets true, which a read and then a write cannot give.
   */
  putIfAbsent(key: string, value: string, ttlSeconds?: number, replacing?: string): Promise<boolean>;
}
