// The Worker as an OpenGDPR 1.0 Processor (opengdpr/opengdpr, branch opengdpr_v1): discovery (section 6),
// the certificate it names, erasure requests (7), their status (8) and cancellation (9), every answer signed
// (7.4, 8.3, 9.3). Authentication is left to the processor by 4.3: each controller has its own bearer token,
// and sees only its own requests. The status callbacks (8.6) are built by openGdprCallback.

import { isSubjectRequestId, readOpenGdprRequest } from "./opengdpr-request.ts";
import {
  type OpenGdprConfig,
  openGdprError,
  openGdprStatus,
  resultsUrl,
  signedJson,
  statusExtensions,
} from "./opengdpr-wire.ts";
import type { IntakePort, ProtocolStore, RequestState } from "./port.ts";
import { readBounded, sameSecret, sha256Hex, toBase64 } from "./web-crypto.ts";

export {
  type OpenGdprConfig,
  openGdprCallback,
  openGdprKeyProblem,
  openGdprStatus,
} from "./opengdpr-wire.ts";
export type { PartialOutcome } from "./state-words.ts";

const API_VERSION = "1.0";
const MAX_BODY_BYTES = 16 * 1024;
const REQUEST_KEY = "opengdpr:request:";
// What a claimed id holds once its intake refused it: free to be claimed again.
const RETRY = "retry";
const CLAIM_SECONDS = 60;

/** What the adapter needs of the Worker. */
export interface OpenGdprDeps {
  intake: IntakePort;
  store: ProtocolStore;
  config: OpenGdprConfig;
}

// What the processor keeps per subject_request_id: whose it is, the Worker's id, and the body's digest so
// a repeat of the same request is answered again while another request under the same id is refused.
interface Kept {
  controllerId: string;
  /** Absent while the request is being taken (the id claimed, the intake not answered yet). */
  requestId?: string;
  bodySha256: string;
}

// Each controller's subject_request_ids are its own: one controller reusing another's id gets its own
// request, never the other's (nor learns that it exists).
const keptKey = (controllerId: string, subjectRequestId: string) =>
  `${REQUEST_KEY}${controllerId}:${subjectRequestId}`;

/** Answers an OpenGDPR request, or `undefined` when the path is not one of OpenGDPR's. */
export async function handleOpenGdpr(request: Request, deps: OpenGdprDeps): Promise<Response | undefined> {
  const base = (deps.config.basePath ?? "/v1").replace(/\/+$/, "");
  const path = new URL(request.url).pathname;
  if (!path.startsWith(`${base}/`)) return undefined;
  const rest = path.slice(base.length);
  const method = request.method.toUpperCase();
  const { config } = deps;
  const notAllowed = () =>
    openGdprError(405, `${method} is not allowed on ${rest}`, "MethodNotAllowed", config);

  if (rest === "/discovery") return method === "GET" ? discovery(config, base) : notAllowed();
  if (rest === "/cert.pem") {
    if (method !== "GET") return notAllowed();
    return new Response(config.certificatePem, { headers: { "content-type": "application/x-pem-file" } });
  }
  if (rest === "/status") {
    // Section 3.1 lists /status among the endpoints a processor MUST provide and defines nothing more.
    return method === "GET"
      ? signedJson({ api_version: API_VERSION, status: "ok" }, 200, config)
      : notAllowed();
  }
  const match = /^\/opengdpr_requests(?:\/([^/]+))?$/.exec(rest);
  if (!match) return undefined;

  const controllerId = await controllerOf(request, config);
  if (!controllerId) {
    return openGdprError(
      401,
      "Authorization must be `Bearer <token>` with the token this processor issued to the controller",
      "Unauthorized",
      config,
      "Authentication",
    );
  }
  const id = match[1];
  if (id === undefined) return method === "POST" ? create(request, deps, controllerId) : notAllowed();
  if (method === "GET") return status(id, deps, controllerId);
  if (method === "DELETE") return cancel(id, deps, controllerId);
  return notAllowed();
}

function discovery(config: OpenGdprConfig, base: string): Promise<Response> {
  return signedJson(
    {
      api_version: API_VERSION,
      supported_identities: [
        { identity_type: config.identity.type, identity_format: config.identity.format },
      ],
      supported_subject_request_types: ["erasure"],
      processor_certificate: `https://${config.processorDomain}${base}/cert.pem`,
    },
    200,
    config,
  );
}

// Every token is compared, so the time taken does not tell which controller came close.
async function controllerOf(request: Request, config: OpenGdprConfig): Promise<string | undefined> {
  const auth = request.headers.get("authorization") ?? "";
  if (!auth.startsWith("Bearer ")) return undefined;
  const given = auth.slice("Bearer ".length);
  const checks = await Promise.all(config.controllers.map((c) => sameSecret(given, c.token)));
  return config.controllers[checks.indexOf(true)]?.id;
}

async function create(request: Request, deps: OpenGdprDeps, controllerId: string): Promise<Response> {
  const { config, intake, store } = deps;
  const raw = await readBounded(request, MAX_BODY_BYTES);
  if (!raw)
    return openGdprError(413, `the body is larger than ${MAX_BODY_BYTES} bytes`, "PayloadTooLarge", config);
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(raw));
  } catch {
    return openGdprError(400, "the body is not valid UTF-8 JSON", "InvalidJson", config);
  }
  const read = readOpenGdprRequest(body, config);
  if (!read.ok) return openGdprError(400, read.refusal.message, read.refusal.reason, config);
  const wanted = read.value;
  const bodySha256 = await sha256Hex(raw);

  // The id is claimed (with what was asked) before the intake takes it: of two deliveries racing, one takes
  // it and the other is answered by what the first asked, never with a request made from another body.
  const key = keptKey(controllerId, wanted.subjectRequestId);
  const externalId = `${controllerId}:${wanted.subjectRequestId}`;
  const claim = JSON.stringify({ controllerId, bodySha256 } satisfies Kept);
  // The claim expires (a Worker stopped before the intake answered would leave the id stuck); the record
  // that replaces it once taken does not.
  if (!(await store.putIfAbsent(key, claim, CLAIM_SECONDS, RETRY))) {
    const kept = await keptOf(store, controllerId, wanted.subjectRequestId);
    if (kept && kept.bodySha256 !== bodySha256) {
      return openGdprError(
        400,
        "subject_request_id was already used for another request: generate a new UUID v4 per request",
        "DuplicateSubjectRequestId",
        config,
      );
    }
    const state = await intake.state(
      kept?.requestId ? { requestId: kept.requestId } : { protocol: "opengdpr", externalId },
    );
    if (state) return created(state, wanted.subjectRequestId, controllerId, raw, config);
    return openGdprError(503, "this request is being recorded; send it again shortly", "Unavailable", config);
  }

  const taken = await intake.take({
    userId: wanted.userId,
    ...(wanted.datasetGroup !== undefined && { datasetGroup: wanted.datasetGroup }),
    protocol: "opengdpr",
    callback: {
      protocol: "opengdpr",
      urls: wanted.callbackUrls,
      externalId,
      extra: { controllerId, subjectRequestId: wanted.subjectRequestId },
    },
  });
  if (!taken.ok) {
    // Not taken: the id is free again for the same or a corrected request.
    await store.put(key, RETRY);
    // The intake names its own fields; the controller knows them by the spec's names.
    const field =
      taken.field === "userId"
        ? wanted.userIdField
        : taken.field === "datasetGroup"
          ? `extensions["${config.processorDomain}"].dataset_group`
          : taken.field;
    const message = field && taken.field ? taken.error.split(taken.field).join(field) : taken.error;
    return openGdprError(taken.status, message, taken.status >= 500 ? "Unavailable" : "Refused", config);
  }
  const record: Kept = { controllerId, requestId: taken.state.requestId, bodySha256 };
  await store.put(key, JSON.stringify(record));
  return created(taken.state, wanted.subjectRequestId, controllerId, raw, config);
}

function created(
  state: RequestState,
  subjectRequestId: string,
  controllerId: string,
  raw: Uint8Array,
  config: OpenGdprConfig,
): Promise<Response> {
  return signedJson(
    {
      controller_id: controllerId,
      expected_completion_time: state.deadline,
      received_time: state.receivedAt,
      encoded_request: toBase64(raw),
      subject_request_id: subjectRequestId,
      api_version: API_VERSION,
    },
    201,
    config,
  );
}

async function keptOf(
  store: ProtocolStore,
  controllerId: string,
  subjectRequestId: string,
): Promise<Kept | undefined> {
  const text = await store.get(keptKey(controllerId, subjectRequestId));
  if (text !== undefined && text !== RETRY) return JSON.parse(text) as Kept;
  // Kept before ids were scoped per controller: under the bare id, and only the controller's own.
  const legacy = await store.get(REQUEST_KEY + subjectRequestId);
  const kept = legacy === undefined ? undefined : (JSON.parse(legacy) as Kept);
  return kept?.controllerId === controllerId ? kept : undefined;
}

// A request of another controller is as unknown as one never made: its existence is not disclosed.
async function ownState(
  id: string,
  deps: OpenGdprDeps,
  controllerId: string,
): Promise<{ kept: Required<Kept>; state: RequestState } | Response> {
  const unknown = () =>
    openGdprError(
      404,
      "no request with this subject_request_id from this controller",
      "NotFound",
      deps.config,
    );
  if (!isSubjectRequestId(id)) {
    return openGdprError(
      400,
      "subject_request_id must be a lowercase UUID v4 string",
      "IllegalArgumentException",
      deps.config,
    );
  }
  const kept = await keptOf(deps.store, controllerId, id);
  if (!kept?.requestId) return unknown();
  const state = await deps.intake.state({ requestId: kept.requestId });
  return state ? { kept: { ...kept, requestId: kept.requestId }, state } : unknown();
}

async function status(id: string, deps: OpenGdprDeps, controllerId: string): Promise<Response> {
  const found = await ownState(id, deps, controllerId);
  if (found instanceof Response) return found;
  const { config } = deps;
  const results = resultsUrl(found.state, config);
  return signedJson(
    {
      controller_id: controllerId,
      expected_completion_time: found.state.deadline,
      subject_request_id: id,
      request_status: openGdprStatus(found.state, config.acceptAsCompleted).status,
      api_version: API_VERSION,
      ...(results && { results_url: results }),
      extensions: statusExtensions(found.state, config),
    },
    200,
    config,
  );
}

async function cancel(id: string, deps: OpenGdprDeps, controllerId: string): Promise<Response> {
  const found = await ownState(id, deps, controllerId);
  if (found instanceof Response) return found;
  const { config, intake } = deps;
  const outcome = await intake.cancel(found.kept.requestId);
  if (outcome === "unknown")
    return openGdprError(404, "no request with this subject_request_id", "NotFound", config);
  if (outcome === "too-late") {
    return openGdprError(
      400,
      "the request is no longer pending: its erasure job exists, so it can no longer be cancelled (section 9)",
      "NotCancellable",
      config,
    );
  }
  return signedJson(
    {
      controller_id: controllerId,
      subject_request_id: id,
      received_time: new Date(intake.now()).toISOString(),
      api_version: API_VERSION,
    },
    202,
    config,
  );
}
