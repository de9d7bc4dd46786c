// OpenGDPR 1.0 on the wire (opengdpr/opengdpr, branch opengdpr_v1, OpenGDPR_specification.md): the
// processor's signature over every body it sends (sections 7.4, 8.3, 8.6: base64 in X-OpenGDPR-Signature,
// beside X-OpenGDPR-Processor-Domain), the error object (7.6), the four statuses (8) and the callback (8.6).
import type { CallbackTarget, RequestState } from "./port.ts";
import { DETAIL, type PartialOutcome } from "./state-words.ts";
import { certificateSpki, pemBody, toBase64 } from "./web-crypto.ts";

/** What the processor signs with and says about itself. */
export interface OpenGdprSigning {
  /** The domain the certificate is issued to: sent in X-OpenGDPR-Processor-Domain, and the extensions key. */
  processorDomain: string;
  /** The certificate's private key, PKCS#8 PEM (RSA): a secret. */
  privateKeyPem: string;
  /** Where a receipt can be fetched, its key appended: the status's and callback's `results_url`. */
  receiptsUrl?: string;
  /**
   * Partial outcomes to report as `completed` (default none: they stay `in_progress`, the detail saying what
   * is left). A deployment that runs with RETRAIN off and accepts `deleted` as its erasure lists it here.
   */
  acceptAsCompleted?: PartialOutcome[];
}

/** The OpenGDPR processor's settings. */
export interface OpenGdprConfig extends OpenGdprSigning {
  /** The CA-issued X.509 certificate of `processorDomain`, PEM, served at `{basePath}/cert.pem`. */
  certificatePem: string;
  /** The path the endpoints live under; the spec puts the major version first (default `/v1`). */
  basePath?: string;
  /** The controllers allowed in, each with its bearer token (a secret) and its `controller_id`. */
  controllers: { id: string; token: string }[];
  /** The identity that carries the Personalize user id, e.g. `controller_customer_id` in `raw`. */
  identity: { type: string; format: string };
  /** The dataset group when a request names none in `extensions[processorDomain].dataset_group`. */
  datasetGroup?: string;
  /** Accept `http:` callback URLs (local development only). */
  allowHttpCallbacks?: boolean;
}

/** OpenGDPR's request statuses (section 8). */
export type OpenGdprStatus = "pending" | "in_progress" | "completed" | "cancelled";

/** The OpenGDPR status of a ledger state, and the words of what it means. */
export function openGdprStatus(
  state: RequestState,
  accept: PartialOutcome[] = [],
): { status: OpenGdprStatus; detail: string } {
  const detail = DETAIL[state.status];
  switch (state.status) {
    case "received":
    case "queued":
    case "in_window":
      return { status: "pending", detail };
    case "completed":
      return { status: "completed", detail };
    case "completed_in_personalize":
    case "deleted":
      return { status: accept.includes(state.status) ? "completed" : "in_progress", detail };
    case "cancelled":
      return { status: "cancelled", detail };
    default:
      // OpenGDPR 1.0 has no failed status: the request is not fulfilled, so never `completed`.
      return { status: "in_progress", detail };
  }
}

/** The processor's own words beside a status, keyed by its domain as the spec keys extensions (7.1.2). */
export function statusExtensions(
  state: RequestState,
  signing: OpenGdprSigning,
): Record<string, Record<string, string>> {
  const { detail } = openGdprStatus(state, signing.acceptAsCompleted);
  const own: Record<string, string> = { erasure_state: state.status, detail };
  if (state.receipt) {
    own.receipt_key = state.receipt.key;
    own.receipt_sha256 = state.receipt.sha256;
  }
  if (state.completedAt) own.completed_time = state.completedAt;
  return { [signing.processorDomain]: own };
}

/** `results_url` of a state: the receipt's address when the deployment publishes receipts. */
export function resultsUrl(state: RequestState, signing: OpenGdprSigning): string | undefined {
  if (!state.receipt || !signing.receiptsUrl) return undefined;
  return `${signing.receiptsUrl.replace(/\/+$/, "")}/${encodeURIComponent(state.receipt.key)}`;
}

const keys = new Map<string, Promise<CryptoKey>>();

function signingKey(privateKeyPem: string): Promise<CryptoKey> {
  let key = keys.get(privateKeyPem);
  if (!key) {
    const der = pemBody(privateKeyPem, "PRIVATE KEY");
    key = der
      ? crypto.subtle.importKey("pkcs8", der, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["sign"])
      : Promise.reject(new Error("the OpenGDPR private key is not a PKCS#8 PEM (BEGIN PRIVATE KEY)"));
    // A failed import is not kept, so a corrected secret takes effect without a restart.
    key.catch(() => keys.delete(privateKeyPem));
    keys.set(privateKeyPem, key);
  }
  return key;
}

/** Base64 RSASSA-PKCS1-v1_5 SHA-256 signature of the exact bytes sent. */
export async function sign(body: Uint8Array<ArrayBuffer>, privateKeyPem: string): Promise<string> {
  const signature = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", await signingKey(privateKeyPem), body);
  return toBase64(new Uint8Array(signature));
}

/** The headers every signed body goes out with. */
export async function signedHeaders(
  body: Uint8Array<ArrayBuffer>,
  signing: OpenGdprSigning,
): Promise<Headers> {
  return new Headers({
    "content-type": "application/json",
    "x-opengdpr-processor-domain": signing.processorDomain,
    "x-opengdpr-signature": await sign(body, signing.privateKeyPem),
  });
}

const encoder = new TextEncoder();

/** A signed JSON response. */
export async function signedJson(
  value: unknown,
  status: number,
  signing: OpenGdprSigning,
): Promise<Response> {
  const body = encoder.encode(JSON.stringify(value));
  const headers = await signedHeaders(body, signing);
  headers.set("cache-control", "no-store");
  return new Response(body, { status, headers });
}

/** An error in the spec's error object (7.6, 7.7): never a user id or a secret in it. */
export function openGdprError(
  status: number,
  message: string,
  reason: string,
  signing: OpenGdprSigning,
  domain = "Validation",
): Promise<Response> {
  return signedJson(
    { error: { code: status, message, errors: [{ domain, reason, message }] } },
    status,
    signing,
  );
}

/**
 * The signed status callback (8.6) of a request to one of its `status_callback_urls` (default the first):
 * the body's `status_callback_url` is the URL it is sent to, as 8.8 step 6 has the controller check.
 */
export async function openGdprCallback(
  state: RequestState,
  target: CallbackTarget,
  key: OpenGdprSigning,
  url: string | undefined = target.urls[0],
): Promise<Request> {
  if (target.protocol !== "opengdpr") throw new Error(`callback target is ${target.protocol}, not opengdpr`);
  if (url === undefined || !target.urls.includes(url)) {
    throw new Error("callback url is not one of the request's status_callback_urls");
  }
  const controllerId = target.extra?.controllerId;
  if (!controllerId) throw new Error("callback target has no extra.controllerId");
  const results = resultsUrl(state, key);
  const body = encoder.encode(
    JSON.stringify({
      controller_id: controllerId,
      expected_completion_time: state.deadline,
      status_callback_url: url,
      // The controller's own id (externalId is scoped by controller; rows before that hold the bare id).
      subject_request_id: target.extra?.subjectRequestId ?? target.externalId,
      request_status: openGdprStatus(state, key.acceptAsCompleted).status,
      ...(results && { results_url: results }),
      extensions: statusExtensions(state, key),
    }),
  );
  const headers = await signedHeaders(body, key);
  // The same state delivered twice is the same event: the controller can drop the repeat.
  headers.set("idempotency-key", `opengdpr:${target.externalId}:${state.status}`);
  return new Request(url, { method: "POST", headers, body });
}

/**
 * Why the processor cannot sign as its certificate says, or `undefined`: the private key must import as
 * RSA PKCS#8, and a signature made with it must verify under the certificate's public key.
 */
export async function openGdprKeyProblem(config: OpenGdprConfig): Promise<string | undefined> {
  const der = pemBody(config.certificatePem, "CERTIFICATE");
  const spki = der && certificateSpki(der);
  if (!spki) return "the OpenGDPR certificate is not a PEM X.509 certificate (BEGIN CERTIFICATE)";
  let publicKey: CryptoKey;
  try {
    publicKey = await crypto.subtle.importKey(
      "spki",
      spki,
      { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
      false,
      ["verify"],
    );
  } catch {
    return "the OpenGDPR certificate's key is not RSA";
  }
  const probe = encoder.encode("opengdpr key check");
  let signature: string;
  try {
    signature = await sign(probe, config.privateKeyPem);
  } catch {
    return "the OpenGDPR private key is not an RSA PKCS#8 PEM (BEGIN PRIVATE KEY)";
  }
  const bytes = Uint8Array.from(atob(signature), (c) => c.charCodeAt(0));
  const ok = await crypto.subtle.verify("RSASSA-PKCS1-v1_5", publicKey, bytes, probe);
  return ok ? undefined : "the OpenGDPR private key does not belong to the certificate's public key";
}
