// The Worker as a Transcend server webhook integration (docs.transcend.io: "New Privacy Request Job"
// webhook, "Verify webhook signature", PUT /v1/data-silo; transcend-io/examples). Transcend sends one webhook
// per identifier of a request, each with its own `x-transcend-nonce`; the adapter takes the one whose
// identifier carries the Personalize user id, answers the others 204 (nothing held under them, the answer
// Transcend's examples give for "no user found"), and reports each job's outcome with its nonce.
import type { CallbackTarget, IntakePort, ProtocolStore, RequestState } from "./port.ts";
import { DETAIL, type PartialOutcome } from "./state-words.ts";
import { type SombraTokenRules, verifySombraToken } from "./transcend-jwt.ts";
import { readBounded, sha256Hex } from "./web-crypto.ts";

export { sombraKeyProblem } from "./transcend-jwt.ts";

/** The Transcend integration's settings. */
export interface TranscendConfig extends SombraTokenRules {
  /** The webhook's path (default `/webhooks/transcend/dsr-job`, the path Transcend recommends). */
  path?: string;
  /**
   * The identifier that carries the Personalize user id: `coreIdentifier` (the value Transcend signs in
   * the token) or the name of an identifier as the webhook's `extras.profile.type` gives it.
   */
  identifier: string;
  /** The dataset group when the webhook URL names none in `?dataset_group=`. */
  datasetGroup?: string;
  /** The Sombra gateway's URL (its "Customer Ingress URL"), e.g. https://multi-tenant.sombra.transcend.io. */
  sombraUrl: string;
  /** A Transcend API key scoped to this integration: a secret. */
  apiKey: string;
  /** The Sombra internal key, for self-hosted gateways only: a secret. */
  sombraApiKey?: string;
  /** Partial outcomes to report as resolved (default none: they are reported ACTION_REQUIRED). */
  acceptAsCompleted?: PartialOutcome[];
}

/** What the adapter needs of the Worker. */
export interface TranscendDeps {
  intake: IntakePort;
  store: ProtocolStore;
  config: TranscendConfig;
}

const DEFAULT_PATH = "/webhooks/transcend/dsr-job";
const MAX_BODY_BYTES = 64 * 1024;
const JTI_KEY = "transcend:jti:";
const TOKEN_KEY = "transcend:token:";

// Transcend's examples answer refusals with a status and a line of text; Transcend reads the status.
const refuse = (status: number, message: string) =>
  new Response(message, { status, headers: { "content-type": "text/plain; charset=utf-8" } });

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Answers a Transcend webhook, or `undefined` when the path is not the integration's. */
export async function handleTranscend(request: Request, deps: TranscendDeps): Promise<Response | undefined> {
  const { config, intake, store } = deps;
  const url = new URL(request.url);
  if (url.pathname !== (config.path ?? DEFAULT_PATH)) return undefined;
  if (request.method.toUpperCase() !== "POST") return refuse(405, "the webhook takes POST only");

  const raw = await readBounded(request, MAX_BODY_BYTES);
  if (!raw) return refuse(413, `the body is larger than ${MAX_BODY_BYTES} bytes`);
  // Nothing of the body is read before the token is verified.
  const verified = await verifySombraToken(request.headers.get("x-sombra-token"), config, intake.now());
  if (!verified.ok) return refuse(401, verified.reason);
  const { claims } = verified;

  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(raw));
  } catch {
    return refuse(400, "the body is not valid UTF-8 JSON");
  }
  if (!isObject(body)) return refuse(400, "the body must be a JSON object");
  if (body.type !== "ERASURE") {
    const named = typeof body.type === "string" && /^[A-Z_]{1,60}$/.test(body.type) ? ` "${body.type}"` : "";
    return refuse(
      400,
      `type${named} is not handled: this integration takes ERASURE only (turn the other request types off for it in Transcend)`,
    );
  }
  const nonce = request.headers.get("x-transcend-nonce");
  if (!nonce) return refuse(400, "the x-transcend-nonce header is missing: the completion report needs it");
  const extras = isObject(body.extras) ? body.extras : undefined;
  const transcendRequest = isObject(extras?.request) ? extras.request : undefined;
  if (typeof transcendRequest?.id !== "string" || transcendRequest.id === "") {
    return refuse(400, "extras.request.id must be a non-empty string");
  }

  const picked = pickUserId(body, extras, claims.value, config.identifier);
  if (picked === "not-ours") return new Response(null, { status: 204 });
  if ("status" in picked) return refuse(picked.status, picked.message);

  // A token is good for one webhook: the same delivery again is answered again, another body or nonce
  // under a seen token (the body is not covered by the signature) is a replay. Keyed by the token's digest
  // always (a token without jti is no less replayable) and by its jti too (the same jti re-signed).
  const fingerprint = await sha256Hex(`${nonce}\n${await sha256Hex(raw)}`);
  const token = request.headers.get("x-sombra-token") ?? "";
  const guards = [TOKEN_KEY + (await sha256Hex(token))];
  if (claims.jti !== undefined) guards.push(JTI_KEY + claims.jti);
  // Kept while the token is good: to its exp, or to its iat plus the oldest age taken (it has one or the other).
  const goodUntil = claims.exp ?? (claims.iat ?? intake.now() / 1000) + (config.maxAgeSeconds ?? 3600);
  const ttl = Math.max(60, Math.ceil(goodUntil - intake.now() / 1000 + (config.clockSkewSeconds ?? 60)));
  for (const key of guards) {
    // Claimed in one step: of two webhooks racing under one token, only one passes.
    if (await store.putIfAbsent(key, fingerprint, ttl)) continue;
    if ((await store.get(key)) !== fingerprint) {
      return refuse(401, "x-sombra-token was already used for another webhook (replay)");
    }
  }

  // One job per webhook: the request's id and a digest of its nonce (the nonce itself is a credential).
  const externalId = `${transcendRequest.id}:${(await sha256Hex(nonce)).slice(0, 16)}`;
  const known = await intake.state({ protocol: "transcend", externalId });
  if (known) return accepted(known);
  const datasetGroup = url.searchParams.get("dataset_group") ?? config.datasetGroup;
  const taken = await intake.take({
    userId: picked.userId,
    ...(datasetGroup !== undefined && datasetGroup !== "" && { datasetGroup }),
    protocol: "transcend",
    callback: { protocol: "transcend", urls: [dataSiloUrl(config)], externalId, extra: { nonce } },
  });
  if (!taken.ok) {
    const field =
      taken.field === "userId"
        ? picked.field
        : taken.field === "datasetGroup"
          ? "?dataset_group"
          : taken.field;
    const message = field && taken.field ? taken.error.split(taken.field).join(field) : taken.error;
    return refuse(taken.status, message);
  }
  return accepted(taken.state);
}

const accepted = (state: RequestState) =>
  Response.json({ received: true, status: state.status, expectedBy: state.deadline }, { status: 200 });

// The user id exactly as given, from the configured identifier; "not-ours" for a webhook of another one.
function pickUserId(
  body: Record<string, unknown>,
  extras: Record<string, unknown> | undefined,
  signed: string | undefined,
  identifier: string,
): { userId: string; field: string } | "not-ours" | { status: number; message: string } {
  if (identifier === "coreIdentifier") {
    if (signed === undefined)
      return { status: 401, message: "x-sombra-token carries no signed core identifier value" };
    const given = isObject(body.coreIdentifier) ? body.coreIdentifier.value : undefined;
    if (given !== undefined && given !== signed) {
      return { status: 401, message: "coreIdentifier.value differs from the value x-sombra-token signs" };
    }
    return { userId: signed, field: "the signed coreIdentifier" };
  }
  const profile = isObject(extras?.profile) ? extras.profile : undefined;
  if (typeof profile?.type !== "string" || typeof profile.identifier !== "string") {
    return { status: 400, message: "extras.profile.type and extras.profile.identifier must be strings" };
  }
  if (profile.type !== identifier) return "not-ours";
  return { userId: profile.identifier, field: "extras.profile.identifier" };
}

const dataSiloUrl = (config: TranscendConfig) => `${config.sombraUrl.replace(/\/+$/, "")}/v1/data-silo`;

/** Transcend's body for a state (PUT /v1/data-silo): a profile status, or ACTION_REQUIRED, and a message. */
export function transcendReport(
  state: RequestState,
  accept: PartialOutcome[] = [],
): {
  profileStatus?: "RESOLVED" | "WAITING" | "ERROR" | "SKIPPED";
  status?: "ACTION_REQUIRED";
  message: string;
} {
  const detail = DETAIL[state.status];
  const receipt = state.receipt ? `; receipt ${state.receipt.key} sha256 ${state.receipt.sha256}` : "";
  switch (state.status) {
    case "received":
    case "queued":
    case "in_window":
    case "submitted":
      return { profileStatus: "WAITING", message: `${detail}; expected by ${state.deadline}` };
    case "completed":
      return { profileStatus: "RESOLVED", message: `${detail}${receipt}` };
    case "completed_in_personalize":
    case "deleted":
      return accept.includes(state.status)
        ? { profileStatus: "RESOLVED", message: `${detail}${receipt}` }
        : { status: "ACTION_REQUIRED", message: `${detail}${receipt}` };
    case "cancelled":
      return { profileStatus: "SKIPPED", message: detail };
    default: {
      const why = state.failure ? `: ${state.failure.slice(0, 300)}` : "";
      return { profileStatus: "ERROR", message: `${detail}${why}` };
    }
  }
}

/**
 * The completion report of a job (PUT {sombraUrl}/v1/data-silo with the job's nonce). The body names no
 * profile: current Sombra gateways take it from the nonce, and the deprecated `profiles` would repeat the id.
 */
export function transcendCallback(
  state: RequestState,
  target: CallbackTarget,
  config: TranscendConfig,
): Request {
  if (target.protocol !== "transcend")
    throw new Error(`callback target is ${target.protocol}, not transcend`);
  const nonce = target.extra?.nonce;
  if (!nonce) throw new Error("callback target has no extra.nonce");
  const headers = new Headers({
    authorization: `Bearer ${config.apiKey}`,
    "x-transcend-nonce": nonce,
    "content-type": "application/json",
    accept: "application/json",
    // The same state reported twice is the same event.
    "idempotency-key": `transcend:${target.externalId}:${state.status}`,
  });
  if (config.sombraApiKey) headers.set("x-sombra-authorization", `Bearer ${config.sombraApiKey}`);
  return new Request(dataSiloUrl(config), {
    method: "PUT",
    headers,
    body: JSON.stringify(transcendReport(state, config.acceptAsCompleted)),
  });
}
